/* The order state machine: every (state, input) pair, legal or not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "engine/orders/order_fsm.h"

#define N TF_OS_NONE
/* expected[state][input] with has_fills = false / true; N = impossible. */
static const uint8_t expected[2][TF_OS_COUNT][TF_IN_COUNT] = {
    [0] = {
        /*                     ack   reject fill_p fill_f cxl_req canceled rpl_req replaced cxl_rej expired */
        [TF_OS_NONE] = {N, N, N, N, N, N, N, N, N, N},
        [TF_OS_PENDING_NEW] = {TF_OS_NEW, TF_OS_REJECTED, TF_OS_PARTIALLY_FILLED, TF_OS_FILLED,
                               TF_OS_PENDING_CANCEL, TF_OS_CANCELED, N, N, N, TF_OS_EXPIRED},
        [TF_OS_NEW] = {N, N, TF_OS_PARTIALLY_FILLED, TF_OS_FILLED, TF_OS_PENDING_CANCEL,
                       TF_OS_CANCELED, TF_OS_PENDING_REPLACE, N, N, TF_OS_EXPIRED},
        [TF_OS_PARTIALLY_FILLED] = {N, N, TF_OS_PARTIALLY_FILLED, TF_OS_FILLED, TF_OS_PENDING_CANCEL,
                                    TF_OS_CANCELED, TF_OS_PENDING_REPLACE, N, N, TF_OS_EXPIRED},
        [TF_OS_FILLED] = {N, N, N, N, N, N, N, N, N, N},
        [TF_OS_PENDING_CANCEL] = {TF_OS_PENDING_CANCEL, TF_OS_REJECTED, TF_OS_PENDING_CANCEL,
                                  TF_OS_FILLED, N, TF_OS_CANCELED, N, N, TF_OS_NEW, TF_OS_EXPIRED},
        [TF_OS_CANCELED] = {N, N, N, N, N, N, N, N, N, N},
        [TF_OS_PENDING_REPLACE] = {N, N, TF_OS_PENDING_REPLACE, TF_OS_FILLED, N, TF_OS_CANCELED, N,
                                   TF_OS_REPLACED, TF_OS_NEW, TF_OS_EXPIRED},
        [TF_OS_REPLACED] = {N, N, N, N, N, N, N, N, N, N},
        [TF_OS_REJECTED] = {N, N, N, N, N, N, N, N, N, N},
        [TF_OS_EXPIRED] = {N, N, N, N, N, N, N, N, N, N},
    },
};

static void test_every_transition(void **state)
{
    (void)state;
    int legal = 0, illegal = 0;
    for (int s = 0; s < TF_OS_COUNT; s++)
        for (int in = 0; in < TF_IN_COUNT; in++) {
            tf_ord_state want = expected[0][s][in];
            tf_ord_state got = tf_order_next((tf_ord_state)s, (tf_fsm_input)in, false);
            if (got != want)
                fail_msg("%s + %s: got %s, want %s", tf_ord_state_names[s], tf_fsm_input_names[in],
                         tf_ord_state_names[got], tf_ord_state_names[want]);
            legal += want != N;
            illegal += want == N;
        }
    assert_int_equal(legal, 32);
    assert_int_equal(illegal, TF_OS_COUNT * TF_IN_COUNT - 32);
}

/* With fills, a refused cancel/replace or an ack returns to PartiallyFilled. */
static void test_fills_decide_the_live_state(void **state)
{
    (void)state;
    assert_int_equal(tf_order_next(TF_OS_PENDING_CANCEL, TF_IN_CANCEL_REJECT, true), TF_OS_PARTIALLY_FILLED);
    assert_int_equal(tf_order_next(TF_OS_PENDING_REPLACE, TF_IN_CANCEL_REJECT, true), TF_OS_PARTIALLY_FILLED);
    assert_int_equal(tf_order_next(TF_OS_PENDING_NEW, TF_IN_ACK, true), TF_OS_PARTIALLY_FILLED);
    assert_int_equal(tf_order_next(TF_OS_PENDING_CANCEL, TF_IN_CANCEL_REJECT, false), TF_OS_NEW);
}

static void test_final_states(void **state)
{
    (void)state;
    const tf_ord_state final[] = {TF_OS_FILLED, TF_OS_CANCELED, TF_OS_REJECTED, TF_OS_EXPIRED};
    for (size_t k = 0; k < 4; k++) {
        assert_true(tf_ord_state_final(final[k]));
        assert_false(tf_ord_state_open(final[k]));
        for (int in = 0; in < TF_IN_COUNT; in++) /* a fill after cancel, an ack after fill ... */
            assert_int_equal(tf_order_next(final[k], (tf_fsm_input)in, true), TF_OS_NONE);
    }
    assert_true(tf_ord_state_open(TF_OS_PENDING_NEW));
    assert_true(tf_ord_state_open(TF_OS_PENDING_REPLACE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_transition),
        cmocka_unit_test(test_fills_decide_the_live_state),
        cmocka_unit_test(test_final_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
