/* The FIX 4.4 codec (lib/fix/fix_codec.h): every message type the engine
 * and tfsim exchange, encoded then framed, parsed and read back field by
 * field; the encoder's exact bytes against a message checked by hand;
 * fixed point and integer edges; UTCTimestamp parsing (ms, us, ns, whole
 * seconds, leap days, leap second) and refusal of bad dates; framing of
 * every prefix, back-to-back messages, garbage and resynchronization,
 * length limits; every parse rejection; writer overflow at every capacity
 * with a canary past the buffer. In messages written here '|' stands for
 * SOH. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fix/fix_codec.h"
#include "shm/fixed.h"

#define T0 1709251199123456000ULL    /* 2024-02-29 23:59:59.123456 UTC */
#define T0_TEXT "20240229-23:59:59.123456"

static char wbuf[TF_FIX_MAX_MSG + 64];
static tf_fix_writer w;
static tf_fix_msg m;

/* ---- helpers ------------------------------------------------------------ */

/* s with '|' as SOH into out; returns the length. */
static size_t unpipe(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s);
    assert_true(n < cap);
    for (size_t i = 0; i < n; i++)
        out[i] = s[i] == '|' ? TF_FIX_SOH : s[i];
    out[n] = 0;
    return n;
}

/* "8=<begin>|9=<len(body) + delta>|<body>10=<sum>|" with body given with '|'. */
static size_t make_ex(char *out, size_t cap, const char *begin, const char *body, int delta)
{
    static char b[2 * TF_FIX_MAX_MSG];
    size_t bl = unpipe(b, sizeof b, body);
    int h = snprintf(out, cap, "8=%s\0019=%d\001", begin, (int)bl + delta);
    assert_true(h > 0 && (size_t)h + bl + 8 <= cap);
    memcpy(out + h, b, bl);
    size_t n = (size_t)h + bl;
    n += (size_t)snprintf(out + n, cap - n, "10=%03u\001", tf_fix_checksum(out, n));
    return n;
}

static size_t make(char *out, size_t cap, const char *body) { return make_ex(out, cap, "FIX.4.4", body, 0); }

/* Parse a private heap copy of exactly n bytes (ASan sees any over-read). */
static char *parsed_copy;

static int teardown(void **state)
{
    (void)state;
    free(parsed_copy);
    parsed_copy = NULL;
    return 0;
}

static tf_fix_rc parse_exact(const char *s, size_t n)
{
    free(parsed_copy);
    parsed_copy = malloc(n ? n : 1);
    assert_non_null(parsed_copy);
    memcpy(parsed_copy, s, n);
    return tf_fix_parse(parsed_copy, n, &m);   /* m.buf stays valid until the next call */
}

static tf_fix_frame_rc frame_exact(const char *s, size_t n, size_t *ml)
{
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    tf_fix_frame_rc rc = tf_fix_frame(copy, n, ml);
    free(copy);
    return rc;
}

static void hdr(const char *type, uint32_t seq)
{
    tf_fix_begin(&w, wbuf, sizeof wbuf, type);
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, "TF");
    tf_fix_put_cstr(&w, TF_FIX_TAG_TARGET_COMP_ID, "SIM");
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, seq);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, T0);
}

/* Finish the writer's message, frame it, parse it; nfields is checked so no
 * field goes unnoticed. */
static void finish_and_parse(uint32_t nfields)
{
    size_t n = tf_fix_finish(&w);
    assert_true(n > 0);
    assert_ptr_equal(w.msg + n, wbuf + w.len + 7);
    size_t ml = 0;
    assert_int_equal(tf_fix_frame(w.msg, n, &ml), TF_FIX_FRAME_OK);
    assert_int_equal(ml, n);
    assert_int_equal(parse_exact(w.msg, n), TF_FIX_OK);
    assert_int_equal(m.nfields, nfields);
    assert_int_equal(m.fields[0].tag, 8);
    assert_int_equal(m.fields[1].tag, 9);
    assert_int_equal(m.fields[2].tag, 35);
    assert_int_equal(m.fields[nfields - 1].tag, 10);
}

#define EXPECT_STR(tag, exp)                                                  \
    do {                                                                      \
        const char *v_ = NULL;                                                \
        size_t n_ = 0;                                                        \
        char b_[600];                                                         \
        assert_int_equal(tf_fix_get_str(&m, (tag), &v_, &n_), 0);             \
        assert_true(n_ < sizeof b_);                                          \
        memcpy(b_, v_, n_);                                                   \
        b_[n_] = 0;                                                           \
        assert_string_equal(b_, (exp));                                       \
    } while (0)
#define EXPECT_U64(tag, exp)                                                  \
    do {                                                                      \
        uint64_t v_ = 0xdead;                                                 \
        assert_int_equal(tf_fix_get_u64(&m, (tag), &v_), 0);                  \
        assert_int_equal(v_, (exp));                                          \
    } while (0)
#define EXPECT_I64(tag, exp)                                                  \
    do {                                                                      \
        int64_t v_ = 0xdead;                                                  \
        assert_int_equal(tf_fix_get_i64(&m, (tag), &v_), 0);                  \
        assert_int_equal(v_, (exp));                                          \
    } while (0)
#define EXPECT_CHAR(tag, exp)                                                 \
    do {                                                                      \
        char v_ = 0;                                                          \
        assert_int_equal(tf_fix_get_char(&m, (tag), &v_), 0);                 \
        assert_int_equal(v_, (exp));                                          \
    } while (0)
#define EXPECT_FIXED(tag, exp)                                                \
    do {                                                                      \
        int64_t v_ = 0xdead;                                                  \
        assert_int_equal(tf_fix_get_fixed(&m, (tag), &v_), 0);                \
        assert_int_equal(v_, (exp));                                          \
    } while (0)
#define EXPECT_TIME(tag, exp)                                                 \
    do {                                                                      \
        uint64_t v_ = 0xdead;                                                 \
        assert_int_equal(tf_fix_get_time(&m, (tag), &v_), 0);                 \
        assert_int_equal(v_, (exp));                                          \
    } while (0)
#define EXPECT_HDR(type, seqno)                                               \
    do {                                                                      \
        assert_string_equal(m.msg_type, (type));                              \
        assert_true(tf_fix_is(&m, (type)));                                   \
        assert_int_equal(m.seq, (seqno));                                     \
        EXPECT_STR(TF_FIX_TAG_BEGIN_STRING, "FIX.4.4");                       \
        EXPECT_STR(TF_FIX_TAG_MSG_TYPE, (type));                              \
        EXPECT_STR(TF_FIX_TAG_SENDER_COMP_ID, "TF");                          \
        EXPECT_STR(TF_FIX_TAG_TARGET_COMP_ID, "SIM");                         \
        EXPECT_U64(TF_FIX_TAG_MSG_SEQ_NUM, (seqno));                          \
        EXPECT_STR(TF_FIX_TAG_SENDING_TIME, T0_TEXT);                         \
        EXPECT_TIME(TF_FIX_TAG_SENDING_TIME, T0);                             \
    } while (0)

/* A message of one body field `tag` with the raw text v, parsed into m. */
static void one_field(uint32_t tag, const char *v)
{
    tf_fix_begin(&w, wbuf, sizeof wbuf, "0");
    tf_fix_put_cstr(&w, tag, v);
    finish_and_parse(5);
}

#define HDR_FIELDS 7u                 /* 8 9 35 49 56 34 52 */
#define NF(body) (HDR_FIELDS + (body) + 1u)

/* ---- session messages ---------------------------------------------------- */

static void test_logon(void **state)
{
    (void)state;
    hdr("A", 1);
    tf_fix_put_u64(&w, TF_FIX_TAG_ENCRYPT_METHOD, 0);
    tf_fix_put_u64(&w, TF_FIX_TAG_HEART_BT_INT, 30);
    tf_fix_put_char(&w, TF_FIX_TAG_RESET_SEQ_NUM_FLAG, 'Y');
    tf_fix_put_cstr(&w, TF_FIX_TAG_USERNAME, "trader-1");
    tf_fix_put_cstr(&w, TF_FIX_TAG_PASSWORD, "s3cr=t");   /* '=' inside a value is fine */
    finish_and_parse(NF(5));
    EXPECT_HDR("A", 1);
    EXPECT_U64(TF_FIX_TAG_ENCRYPT_METHOD, 0);
    EXPECT_U64(TF_FIX_TAG_HEART_BT_INT, 30);
    EXPECT_CHAR(TF_FIX_TAG_RESET_SEQ_NUM_FLAG, 'Y');
    EXPECT_STR(TF_FIX_TAG_USERNAME, "trader-1");
    EXPECT_STR(TF_FIX_TAG_PASSWORD, "s3cr=t");
    assert_false(m.poss_dup);
}

static void test_heartbeat_and_test_request(void **state)
{
    (void)state;
    hdr("0", 7);
    finish_and_parse(NF(0));
    EXPECT_HDR("0", 7);
    assert_int_equal(tf_fix_find(&m, TF_FIX_TAG_TEST_REQ_ID, 0), -1);

    hdr("1", 8);
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEST_REQ_ID, "TEST-1709251199");
    finish_and_parse(NF(1));
    EXPECT_HDR("1", 8);
    EXPECT_STR(TF_FIX_TAG_TEST_REQ_ID, "TEST-1709251199");

    hdr("0", 9);                       /* the answer echoes 112 */
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEST_REQ_ID, "TEST-1709251199");
    finish_and_parse(NF(1));
    EXPECT_HDR("0", 9);
    EXPECT_STR(TF_FIX_TAG_TEST_REQ_ID, "TEST-1709251199");
}

static void test_resend_request(void **state)
{
    (void)state;
    hdr("2", 10);
    tf_fix_put_u64(&w, TF_FIX_TAG_BEGIN_SEQ_NO, 5);
    tf_fix_put_u64(&w, TF_FIX_TAG_END_SEQ_NO, 0);
    finish_and_parse(NF(2));
    EXPECT_HDR("2", 10);
    EXPECT_U64(TF_FIX_TAG_BEGIN_SEQ_NO, 5);
    EXPECT_U64(TF_FIX_TAG_END_SEQ_NO, 0);
}

static void test_reject(void **state)
{
    (void)state;
    hdr("3", 11);
    tf_fix_put_u64(&w, TF_FIX_TAG_REF_SEQ_NUM, 4);
    tf_fix_put_u64(&w, TF_FIX_TAG_REF_TAG_ID, 44);
    tf_fix_put_char(&w, TF_FIX_TAG_REF_MSG_TYPE, 'D');
    tf_fix_put_u64(&w, TF_FIX_TAG_SESSION_REJECT_REASON, TF_FIX_REJ_BAD_FORMAT);
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEXT, "Incorrect data format for value");
    finish_and_parse(NF(5));
    EXPECT_HDR("3", 11);
    EXPECT_U64(TF_FIX_TAG_REF_SEQ_NUM, 4);
    EXPECT_U64(TF_FIX_TAG_REF_TAG_ID, 44);
    EXPECT_STR(TF_FIX_TAG_REF_MSG_TYPE, "D");
    EXPECT_U64(TF_FIX_TAG_SESSION_REJECT_REASON, 6);
    EXPECT_STR(TF_FIX_TAG_TEXT, "Incorrect data format for value");
}

static void test_sequence_reset(void **state)
{
    (void)state;
    /* A gap fill sent during a resend: PossDup and OrigSendingTime. */
    tf_fix_begin(&w, wbuf, sizeof wbuf, "4");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, "TF");
    tf_fix_put_cstr(&w, TF_FIX_TAG_TARGET_COMP_ID, "SIM");
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, 3);
    tf_fix_put_char(&w, TF_FIX_TAG_POSS_DUP, 'Y');
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, T0);
    tf_fix_put_time(&w, TF_FIX_TAG_ORIG_SENDING_TIME, T0 - 5000000000ULL);
    tf_fix_put_char(&w, TF_FIX_TAG_GAP_FILL_FLAG, 'Y');
    tf_fix_put_u64(&w, TF_FIX_TAG_NEW_SEQ_NO, 12);
    finish_and_parse(NF(4));
    EXPECT_HDR("4", 3);
    assert_true(m.poss_dup);
    EXPECT_TIME(TF_FIX_TAG_ORIG_SENDING_TIME, T0 - 5000000000ULL);
    EXPECT_STR(TF_FIX_TAG_ORIG_SENDING_TIME, "20240229-23:59:54.123456");
    EXPECT_CHAR(TF_FIX_TAG_GAP_FILL_FLAG, 'Y');
    EXPECT_U64(TF_FIX_TAG_NEW_SEQ_NO, 12);
}

static void test_logout(void **state)
{
    (void)state;
    hdr("5", 12);
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEXT, "MsgSeqNum too low, expecting 12 but received 3");
    finish_and_parse(NF(1));
    EXPECT_HDR("5", 12);
    EXPECT_STR(TF_FIX_TAG_TEXT, "MsgSeqNum too low, expecting 12 but received 3");
}

/* ---- application messages ------------------------------------------------ */

static void test_new_order_single(void **state)
{
    (void)state;
    hdr("D", 13);
    tf_fix_put_cstr(&w, TF_FIX_TAG_CL_ORD_ID, "1-000000000042");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SYMBOL, "BTCUSDT");
    tf_fix_put_char(&w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_time(&w, TF_FIX_TAG_TRANSACT_TIME, T0 + 1000);
    tf_fix_put_fixed(&w, TF_FIX_TAG_ORDER_QTY, 150000);              /* 0.0015 */
    tf_fix_put_char(&w, TF_FIX_TAG_ORD_TYPE, '2');
    tf_fix_put_fixed(&w, TF_FIX_TAG_PRICE, 4321012000000LL);         /* 43210.12 */
    tf_fix_put_char(&w, TF_FIX_TAG_TIME_IN_FORCE, '1');
    tf_fix_put_cstr(&w, TF_FIX_TAG_EXEC_INST, "6");
    finish_and_parse(NF(9));
    EXPECT_HDR("D", 13);
    EXPECT_STR(TF_FIX_TAG_CL_ORD_ID, "1-000000000042");
    EXPECT_STR(TF_FIX_TAG_SYMBOL, "BTCUSDT");
    EXPECT_CHAR(TF_FIX_TAG_SIDE, '1');
    EXPECT_TIME(TF_FIX_TAG_TRANSACT_TIME, T0 + 1000);
    EXPECT_STR(TF_FIX_TAG_ORDER_QTY, "0.0015");
    EXPECT_FIXED(TF_FIX_TAG_ORDER_QTY, 150000);
    EXPECT_CHAR(TF_FIX_TAG_ORD_TYPE, '2');
    EXPECT_STR(TF_FIX_TAG_PRICE, "43210.12");
    EXPECT_FIXED(TF_FIX_TAG_PRICE, 4321012000000LL);
    EXPECT_CHAR(TF_FIX_TAG_TIME_IN_FORCE, '1');
    EXPECT_STR(TF_FIX_TAG_EXEC_INST, "6");
}

static void test_cancel_request(void **state)
{
    (void)state;
    hdr("F", 14);
    tf_fix_put_cstr(&w, TF_FIX_TAG_ORIG_CL_ORD_ID, "1-000000000042");
    tf_fix_put_cstr(&w, TF_FIX_TAG_CL_ORD_ID, "1-000000000043");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SYMBOL, "BTCUSDT");
    tf_fix_put_char(&w, TF_FIX_TAG_SIDE, '2');
    tf_fix_put_time(&w, TF_FIX_TAG_TRANSACT_TIME, T0);
    tf_fix_put_fixed(&w, TF_FIX_TAG_ORDER_QTY, 100000000);
    finish_and_parse(NF(6));
    EXPECT_HDR("F", 14);
    EXPECT_STR(TF_FIX_TAG_ORIG_CL_ORD_ID, "1-000000000042");
    EXPECT_STR(TF_FIX_TAG_CL_ORD_ID, "1-000000000043");
    EXPECT_STR(TF_FIX_TAG_SYMBOL, "BTCUSDT");
    EXPECT_CHAR(TF_FIX_TAG_SIDE, '2');
    EXPECT_TIME(TF_FIX_TAG_TRANSACT_TIME, T0);
    EXPECT_STR(TF_FIX_TAG_ORDER_QTY, "1");
    EXPECT_FIXED(TF_FIX_TAG_ORDER_QTY, 100000000);
}

static void test_cancel_replace_request(void **state)
{
    (void)state;
    hdr("G", 15);
    tf_fix_put_cstr(&w, TF_FIX_TAG_ORIG_CL_ORD_ID, "1-000000000043");
    tf_fix_put_cstr(&w, TF_FIX_TAG_CL_ORD_ID, "1-000000000044");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SYMBOL, "ETHUSDT");
    tf_fix_put_char(&w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_time(&w, TF_FIX_TAG_TRANSACT_TIME, T0);
    tf_fix_put_fixed(&w, TF_FIX_TAG_ORDER_QTY, 250000000);
    tf_fix_put_char(&w, TF_FIX_TAG_ORD_TYPE, '2');
    tf_fix_put_fixed(&w, TF_FIX_TAG_PRICE, 310050000000LL);
    tf_fix_put_char(&w, TF_FIX_TAG_TIME_IN_FORCE, '1');
    finish_and_parse(NF(9));
    EXPECT_HDR("G", 15);
    EXPECT_STR(TF_FIX_TAG_ORIG_CL_ORD_ID, "1-000000000043");
    EXPECT_STR(TF_FIX_TAG_CL_ORD_ID, "1-000000000044");
    EXPECT_STR(TF_FIX_TAG_SYMBOL, "ETHUSDT");
    EXPECT_CHAR(TF_FIX_TAG_SIDE, '1');
    EXPECT_TIME(TF_FIX_TAG_TRANSACT_TIME, T0);
    EXPECT_STR(TF_FIX_TAG_ORDER_QTY, "2.5");
    EXPECT_FIXED(TF_FIX_TAG_ORDER_QTY, 250000000);
    EXPECT_CHAR(TF_FIX_TAG_ORD_TYPE, '2');
    EXPECT_STR(TF_FIX_TAG_PRICE, "3100.5");
    EXPECT_FIXED(TF_FIX_TAG_PRICE, 310050000000LL);
    EXPECT_CHAR(TF_FIX_TAG_TIME_IN_FORCE, '1');
}

static void test_execution_report(void **state)
{
    (void)state;
    hdr("8", 16);
    tf_fix_put_cstr(&w, TF_FIX_TAG_ORDER_ID, "SIM-77");
    tf_fix_put_cstr(&w, TF_FIX_TAG_CL_ORD_ID, "1-000000000044");
    tf_fix_put_cstr(&w, TF_FIX_TAG_ORIG_CL_ORD_ID, "1-000000000043");
    tf_fix_put_cstr(&w, TF_FIX_TAG_EXEC_ID, "E-9001");
    tf_fix_put_char(&w, TF_FIX_TAG_EXEC_TYPE, 'F');
    tf_fix_put_char(&w, TF_FIX_TAG_ORD_STATUS, '1');
    tf_fix_put_cstr(&w, TF_FIX_TAG_SYMBOL, "ETHUSDT");
    tf_fix_put_char(&w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_fixed(&w, TF_FIX_TAG_ORDER_QTY, 250000000);
    tf_fix_put_fixed(&w, TF_FIX_TAG_PRICE, 310050000000LL);
    tf_fix_put_fixed(&w, TF_FIX_TAG_LAST_QTY, 100000000);
    tf_fix_put_fixed(&w, TF_FIX_TAG_LAST_PX, 310049000000LL);
    tf_fix_put_fixed(&w, TF_FIX_TAG_LEAVES_QTY, 150000000);
    tf_fix_put_fixed(&w, TF_FIX_TAG_CUM_QTY, 100000000);
    tf_fix_put_fixed(&w, TF_FIX_TAG_AVG_PX, 310049000000LL);
    tf_fix_put_fixed(&w, TF_FIX_TAG_COMMISSION, 31004900);         /* 0.310049 */
    tf_fix_put_cstr(&w, TF_FIX_TAG_COMMISSION_ASSET, "USDT");
    tf_fix_put_char(&w, TF_FIX_TAG_LAST_LIQUIDITY_IND, '2');
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEXT, "partial fill");
    tf_fix_put_u64(&w, TF_FIX_TAG_ORD_REJ_REASON, 0);
    finish_and_parse(NF(20));
    EXPECT_HDR("8", 16);
    EXPECT_STR(TF_FIX_TAG_ORDER_ID, "SIM-77");
    EXPECT_STR(TF_FIX_TAG_CL_ORD_ID, "1-000000000044");
    EXPECT_STR(TF_FIX_TAG_ORIG_CL_ORD_ID, "1-000000000043");
    EXPECT_STR(TF_FIX_TAG_EXEC_ID, "E-9001");
    EXPECT_CHAR(TF_FIX_TAG_EXEC_TYPE, 'F');
    EXPECT_CHAR(TF_FIX_TAG_ORD_STATUS, '1');
    EXPECT_STR(TF_FIX_TAG_SYMBOL, "ETHUSDT");
    EXPECT_CHAR(TF_FIX_TAG_SIDE, '1');
    EXPECT_FIXED(TF_FIX_TAG_ORDER_QTY, 250000000);
    EXPECT_FIXED(TF_FIX_TAG_PRICE, 310050000000LL);
    EXPECT_FIXED(TF_FIX_TAG_LAST_QTY, 100000000);
    EXPECT_STR(TF_FIX_TAG_LAST_PX, "3100.49");
    EXPECT_FIXED(TF_FIX_TAG_LAST_PX, 310049000000LL);
    EXPECT_STR(TF_FIX_TAG_LEAVES_QTY, "1.5");
    EXPECT_FIXED(TF_FIX_TAG_LEAVES_QTY, 150000000);
    EXPECT_FIXED(TF_FIX_TAG_CUM_QTY, 100000000);
    EXPECT_FIXED(TF_FIX_TAG_AVG_PX, 310049000000LL);
    EXPECT_STR(TF_FIX_TAG_COMMISSION, "0.310049");
    EXPECT_FIXED(TF_FIX_TAG_COMMISSION, 31004900);
    EXPECT_STR(TF_FIX_TAG_COMMISSION_ASSET, "USDT");
    EXPECT_CHAR(TF_FIX_TAG_LAST_LIQUIDITY_IND, '2');
    EXPECT_STR(TF_FIX_TAG_TEXT, "partial fill");
    EXPECT_U64(TF_FIX_TAG_ORD_REJ_REASON, 0);
}

static void test_order_cancel_reject(void **state)
{
    (void)state;
    hdr("9", 17);
    tf_fix_put_cstr(&w, TF_FIX_TAG_ORDER_ID, "NONE");
    tf_fix_put_cstr(&w, TF_FIX_TAG_CL_ORD_ID, "1-000000000045");
    tf_fix_put_cstr(&w, TF_FIX_TAG_ORIG_CL_ORD_ID, "1-000000000099");
    tf_fix_put_char(&w, TF_FIX_TAG_ORD_STATUS, '8');
    tf_fix_put_char(&w, TF_FIX_TAG_CXL_REJ_RESPONSE_TO, '1');
    tf_fix_put_u64(&w, TF_FIX_TAG_CXL_REJ_REASON, 1);
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEXT, "Unknown order");
    finish_and_parse(NF(7));
    EXPECT_HDR("9", 17);
    EXPECT_STR(TF_FIX_TAG_ORDER_ID, "NONE");
    EXPECT_STR(TF_FIX_TAG_CL_ORD_ID, "1-000000000045");
    EXPECT_STR(TF_FIX_TAG_ORIG_CL_ORD_ID, "1-000000000099");
    EXPECT_CHAR(TF_FIX_TAG_ORD_STATUS, '8');
    EXPECT_CHAR(TF_FIX_TAG_CXL_REJ_RESPONSE_TO, '1');
    EXPECT_U64(TF_FIX_TAG_CXL_REJ_REASON, 1);
    EXPECT_STR(TF_FIX_TAG_TEXT, "Unknown order");
}

static void test_status_requests(void **state)
{
    (void)state;
    hdr("H", 18);
    tf_fix_put_cstr(&w, TF_FIX_TAG_ORD_STATUS_REQ_ID, "S-1");
    tf_fix_put_cstr(&w, TF_FIX_TAG_CL_ORD_ID, "1-000000000044");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SYMBOL, "ETHUSDT");
    tf_fix_put_char(&w, TF_FIX_TAG_SIDE, '1');
    finish_and_parse(NF(4));
    EXPECT_HDR("H", 18);
    EXPECT_STR(TF_FIX_TAG_ORD_STATUS_REQ_ID, "S-1");
    EXPECT_STR(TF_FIX_TAG_CL_ORD_ID, "1-000000000044");
    EXPECT_STR(TF_FIX_TAG_SYMBOL, "ETHUSDT");
    EXPECT_CHAR(TF_FIX_TAG_SIDE, '1');

    hdr("AF", 19);
    tf_fix_put_cstr(&w, TF_FIX_TAG_MASS_STATUS_REQ_ID, "M-1");
    tf_fix_put_u64(&w, TF_FIX_TAG_MASS_STATUS_REQ_TYPE, 7);
    finish_and_parse(NF(2));
    EXPECT_HDR("AF", 19);
    assert_false(tf_fix_is(&m, "A"));
    EXPECT_STR(TF_FIX_TAG_MASS_STATUS_REQ_ID, "M-1");
    EXPECT_U64(TF_FIX_TAG_MASS_STATUS_REQ_TYPE, 7);

    /* The answer: execution reports carrying 584, 911 and 912. */
    hdr("8", 20);
    tf_fix_put_cstr(&w, TF_FIX_TAG_MASS_STATUS_REQ_ID, "M-1");
    tf_fix_put_u64(&w, TF_FIX_TAG_TOT_NUM_REPORTS, 2);
    tf_fix_put_char(&w, TF_FIX_TAG_LAST_RPT_REQUESTED, 'Y');
    finish_and_parse(NF(3));
    EXPECT_STR(TF_FIX_TAG_MASS_STATUS_REQ_ID, "M-1");
    EXPECT_U64(TF_FIX_TAG_TOT_NUM_REPORTS, 2);
    EXPECT_CHAR(TF_FIX_TAG_LAST_RPT_REQUESTED, 'Y');
}

static void test_business_message_reject(void **state)
{
    (void)state;
    hdr("j", 21);
    tf_fix_put_u64(&w, TF_FIX_TAG_REF_SEQ_NUM, 20);
    tf_fix_put_cstr(&w, TF_FIX_TAG_REF_MSG_TYPE, "AF");
    tf_fix_put_cstr(&w, TF_FIX_TAG_BUSINESS_REJECT_REF_ID, "M-1");
    tf_fix_put_u64(&w, TF_FIX_TAG_BUSINESS_REJECT_REASON, 3);
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEXT, "Unsupported");
    finish_and_parse(NF(5));
    EXPECT_HDR("j", 21);
    EXPECT_U64(TF_FIX_TAG_REF_SEQ_NUM, 20);
    EXPECT_STR(TF_FIX_TAG_REF_MSG_TYPE, "AF");
    EXPECT_STR(TF_FIX_TAG_BUSINESS_REJECT_REF_ID, "M-1");
    EXPECT_U64(TF_FIX_TAG_BUSINESS_REJECT_REASON, 3);
    EXPECT_STR(TF_FIX_TAG_TEXT, "Unsupported");
}

/* The encoder's bytes equal a message whose length and sum were worked out
 * independently (Python), and a foreign message with a millisecond
 * SendingTime parses. */
static void test_exact_bytes(void **state)
{
    (void)state;
    static const char want[] =
        "8=FIX.4.4|9=130|35=D|49=TF|56=SIM|34=2|52=20240229-23:59:59.123456|11=c1|55=BTCUSDT|54=1|"
        "60=20240229-23:59:59.123456|38=1.5|40=2|44=43210.12|59=1|10=173|";
    char exp[256];
    size_t n = unpipe(exp, sizeof exp, want);
    hdr("D", 2);
    tf_fix_put_cstr(&w, TF_FIX_TAG_CL_ORD_ID, "c1");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SYMBOL, "BTCUSDT");
    tf_fix_put_char(&w, TF_FIX_TAG_SIDE, '1');
    tf_fix_put_time(&w, TF_FIX_TAG_TRANSACT_TIME, T0);
    tf_fix_put_fixed(&w, TF_FIX_TAG_ORDER_QTY, 150000000);
    tf_fix_put_char(&w, TF_FIX_TAG_ORD_TYPE, '2');
    tf_fix_put_fixed(&w, TF_FIX_TAG_PRICE, 4321012000000LL);
    tf_fix_put_char(&w, TF_FIX_TAG_TIME_IN_FORCE, '1');
    assert_int_equal(tf_fix_finish(&w), n);
    assert_ptr_equal(w.msg, wbuf + TF_FIX_PREFIX - strlen("8=FIX.4.4|9=130|"));
    char got[256];
    memcpy(got, w.msg, n);
    got[n] = 0;
    assert_string_equal(got, exp);

    n = unpipe(exp, sizeof exp,
               "8=FIX.4.4|9=71|35=A|34=1|49=CLIENT|52=20240101-00:00:00.000|56=EXCH|98=0|108=30|141=Y|10=236|");
    assert_int_equal(parse_exact(exp, n), TF_FIX_OK);
    assert_int_equal(m.nfields, 11);
    assert_int_equal(m.seq, 1);
    EXPECT_STR(TF_FIX_TAG_SENDER_COMP_ID, "CLIENT");
    EXPECT_TIME(TF_FIX_TAG_SENDING_TIME, 1704067200000000000ULL);
    EXPECT_STR(TF_FIX_TAG_CHECKSUM, "236");
    EXPECT_STR(TF_FIX_TAG_BODY_LENGTH, "71");
}

/* ---- numbers -------------------------------------------------------------- */

static void test_fixed_point(void **state)
{
    (void)state;
    static const struct { int64_t v; const char *text; } cases[] = {
        {0, "0"},
        {1, "0.00000001"},
        {-1, "-0.00000001"},
        {-5, "-0.00000005"},
        {10, "0.0000001"},
        {100000000, "1"},
        {150000000, "1.5"},
        {-150000000, "-1.5"},
        {123456789, "1.23456789"},
        {1000000000000LL, "10000"},
        {100000000000000001LL, "1000000000.00000001"},
        {INT64_MAX, "92233720368.54775807"},
        {INT64_MIN, "-92233720368.54775808"},
        {INT64_MIN + 1, "-92233720368.54775807"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tf_fix_begin(&w, wbuf, sizeof wbuf, "0");
        tf_fix_put_fixed(&w, TF_FIX_TAG_PRICE, cases[i].v);
        finish_and_parse(5);
        EXPECT_STR(TF_FIX_TAG_PRICE, cases[i].text);
        EXPECT_FIXED(TF_FIX_TAG_PRICE, cases[i].v);
    }
    /* What the venue may send. */
    static const struct { const char *text; int64_t v; } ok[] = {
        {"-0", 0}, {"000.5", 50000000}, {"1.50000000000", 150000000}, {"0.00000001", 1},
        {"-92233720368.54775808", INT64_MIN},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        one_field(TF_FIX_TAG_PRICE, ok[i].text);
        EXPECT_FIXED(TF_FIX_TAG_PRICE, ok[i].v);
    }
    static const char *const bad[] = {"0.000000001", "1e5", ".5", "5.", "+5", "1,5", "92233720368.54775808",
                                      "--1", "1.2.3", " 1", "abc", "-"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        one_field(TF_FIX_TAG_PRICE, bad[i]);
        int64_t v = 77;
        assert_int_equal(tf_fix_get_fixed(&m, TF_FIX_TAG_PRICE, &v), -1);
        assert_int_equal(v, 77);   /* untouched */
    }
}

/* Any precision (an instrument's price or qty units), shortest form. */
static void test_decimal(void **state)
{
    (void)state;
    static const struct { int64_t v; unsigned p; const char *text; } cases[] = {
        {0, 0, "0"}, {7, 0, "7"}, {-7, 0, "-7"}, {4321012, 2, "43210.12"}, {4321010, 2, "43210.1"},
        {-5, 2, "-0.05"}, {1, 18, "0.000000000000000001"}, {INT64_MIN, 18, "-9.223372036854775808"},
        {INT64_MAX, 18, "9.223372036854775807"}, {1000000000000000000LL, 18, "1"}, {150000, 5, "1.5"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tf_fix_begin(&w, wbuf, sizeof wbuf, "0");
        tf_fix_put_decimal(&w, TF_FIX_TAG_PRICE, cases[i].v, cases[i].p);
        finish_and_parse(5);
        EXPECT_STR(TF_FIX_TAG_PRICE, cases[i].text);
        int64_t v = 0;
        assert_int_equal(tf_fix_get_decimal(&m, TF_FIX_TAG_PRICE, cases[i].p, &v), 0);
        assert_int_equal(v, cases[i].v);
    }
    int64_t v = 77;
    one_field(TF_FIX_TAG_PRICE, "0.105");
    assert_int_equal(tf_fix_get_decimal(&m, TF_FIX_TAG_PRICE, 2, &v), -1);      /* not rounded */
    assert_int_equal(tf_fix_get_decimal(&m, TF_FIX_TAG_PRICE, 3, &v), 0);
    assert_int_equal(v, 105);
    assert_int_equal(tf_fix_get_decimal(&m, TF_FIX_TAG_PRICE, 19, &v), -1);
    assert_int_equal(tf_fix_get_decimal(&m, 4242, 2, &v), -1);
    assert_int_equal(v, 105);
    one_field(TF_FIX_TAG_PRICE, "0.10000000");
    assert_int_equal(tf_fix_get_decimal(&m, TF_FIX_TAG_PRICE, 2, &v), 0);
    assert_int_equal(v, 10);
    /* A precision beyond TF_FIXED_MAX_PRECISION cannot be written. */
    tf_fix_begin(&w, wbuf, sizeof wbuf, "0");
    tf_fix_put_decimal(&w, TF_FIX_TAG_PRICE, 1, TF_FIXED_MAX_PRECISION + 1);
    assert_true(w.overflow);
    assert_int_equal(tf_fix_finish(&w), 0);
}

static void test_integers(void **state)
{
    (void)state;
    tf_fix_begin(&w, wbuf, sizeof wbuf, "0");
    tf_fix_put_u64(&w, 1000, 0);
    tf_fix_put_u64(&w, 1001, UINT64_MAX);
    tf_fix_put_i64(&w, 1002, INT64_MIN);
    tf_fix_put_i64(&w, 1003, -1);
    tf_fix_put_i64(&w, 1004, INT64_MAX);
    tf_fix_put_u64(&w, 999999999, 1234567890123ULL);
    finish_and_parse(10);
    EXPECT_STR(1000, "0");
    EXPECT_U64(1000, 0);
    EXPECT_STR(1001, "18446744073709551615");
    EXPECT_U64(1001, UINT64_MAX);
    EXPECT_STR(1002, "-9223372036854775808");
    EXPECT_I64(1002, INT64_MIN);
    EXPECT_I64(1003, -1);
    EXPECT_I64(1004, INT64_MAX);
    EXPECT_U64(1004, (uint64_t)INT64_MAX);
    EXPECT_U64(999999999, 1234567890123ULL);
    uint64_t u = 5;
    int64_t s = 5;
    assert_int_equal(tf_fix_get_u64(&m, 1002, &u), -1);        /* negative */
    assert_int_equal(tf_fix_get_i64(&m, 1001, &s), -1);        /* > INT64_MAX */
    assert_int_equal(tf_fix_get_u64(&m, 4242, &u), -1);        /* absent */
    assert_int_equal(tf_fix_get_i64(&m, 4242, &s), -1);
    assert_int_equal(u, 5);
    assert_int_equal(s, 5);

    one_field(1, "18446744073709551616");
    assert_int_equal(tf_fix_get_u64(&m, 1, &u), -1);
    one_field(1, "-9223372036854775809");
    assert_int_equal(tf_fix_get_i64(&m, 1, &s), -1);
    one_field(1, "007");                                         /* FIX allows leading zeros */
    EXPECT_U64(1, 7);
    one_field(1, "12a");
    assert_int_equal(tf_fix_get_u64(&m, 1, &u), -1);
    assert_int_equal(tf_fix_get_i64(&m, 1, &s), -1);
    one_field(1, "-");
    assert_int_equal(tf_fix_get_i64(&m, 1, &s), -1);
    char c = 'x';
    one_field(1, "AB");
    assert_int_equal(tf_fix_get_char(&m, 1, &c), -1);
    assert_int_equal(c, 'x');
    assert_int_equal(u, 5);
    assert_int_equal(s, 5);
}

/* ---- times ---------------------------------------------------------------- */

static void test_time_round_trip(void **state)
{
    (void)state;
    static const uint64_t ns[] = {
        0, 999, 1000, T0, T0 + 1, T0 + 999999, 951825600000000000ULL, /* 2000-02-29 12:00 */
        4107542400000000000ULL,                                      /* 2100-03-01: not a leap year */
        1483228799999999999ULL, UINT64_MAX,
    };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        tf_fix_begin(&w, wbuf, sizeof wbuf, "0");
        tf_fix_put_time(&w, TF_FIX_TAG_TRANSACT_TIME, ns[i]);
        tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, ns[i] / 1000000000 * 1000000000 + 5000); /* cache hit */
        tf_fix_put_time(&w, TF_FIX_TAG_ORIG_SENDING_TIME, T0);                              /* cache miss */
        finish_and_parse(7);
        EXPECT_TIME(TF_FIX_TAG_TRANSACT_TIME, ns[i] / 1000 * 1000);
        EXPECT_TIME(TF_FIX_TAG_SENDING_TIME, ns[i] / 1000000000 * 1000000000 + 5000);
        EXPECT_TIME(TF_FIX_TAG_ORIG_SENDING_TIME, T0);
    }
    tf_fix_begin(&w, wbuf, sizeof wbuf, "0");
    tf_fix_put_time(&w, TF_FIX_TAG_TRANSACT_TIME, 0);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, UINT64_MAX);
    finish_and_parse(6);
    EXPECT_STR(TF_FIX_TAG_TRANSACT_TIME, "19700101-00:00:00.000000");
    EXPECT_STR(TF_FIX_TAG_SENDING_TIME, "25540721-23:34:33.709551");
}

static void test_time_parse(void **state)
{
    (void)state;
    static const struct { const char *text; uint64_t ns; } ok[] = {
        {"20240229-23:59:59", 1709251199000000000ULL},
        {"20240229-23:59:59.123", 1709251199123000000ULL},
        {"20240229-23:59:59.123456", 1709251199123456000ULL},
        {"20240229-23:59:59.123456789", 1709251199123456789ULL},
        {"19700101-00:00:00", 0},
        {"19700101-00:00:00.000000001", 1},
        {"20000229-12:00:00", 951825600000000000ULL},
        {"21000301-00:00:00", 4107542400000000000ULL},
        {"20161231-23:59:60", 1483228800000000000ULL},   /* leap second: 2017-01-01 00:00:00 */
        {"20241231-23:59:59.999", 1735689599999000000ULL},
        {"25540721-23:34:33.709551615", UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        one_field(TF_FIX_TAG_TRANSACT_TIME, ok[i].text);
        EXPECT_TIME(TF_FIX_TAG_TRANSACT_TIME, ok[i].ns);
    }
    static const char *const bad[] = {
        "20230229-00:00:00", "21000229-00:00:00", "20241301-00:00:00", "20240001-00:00:00",
        "20240100-00:00:00", "20240431-00:00:00", "20240101-24:00:00", "20240101-00:60:00",
        "20240101-00:00:61", "20240101 00:00:00", "20240101-00:00:00.", "20240101-00:00:00.1",
        "20240101-00:00:00.12", "20240101-00:00:00.1234", "20240101-00:00:00.1234567",
        "2024010-00:00:00", "19691231-23:59:59", "25540721-23:34:33.709551616", "25550101-00:00:00",
        "99991231-23:59:59", "2024O101-00:00:00", "20240101-00:00:00,123", "20240101-00:00:00.12a",
        "20240101-0a:00:00", "20240101-00-00-00", "20240101T00:00:00", "1709251199",
        "20240101-00:00:00.000000000Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        one_field(TF_FIX_TAG_TRANSACT_TIME, bad[i]);
        uint64_t v = 33;
        assert_int_equal(tf_fix_get_time(&m, TF_FIX_TAG_TRANSACT_TIME, &v), -1);
        assert_int_equal(v, 33);
    }
}

/* ---- framing -------------------------------------------------------------- */

static const char BODY[] = "35=D|49=TF|56=SIM|34=2|52=20240229-23:59:59.123456|11=c1|55=BTCUSDT|54=1|38=1|40=1|";

static void test_frame_prefixes(void **state)
{
    (void)state;
    char msg[512];
    size_t n = make(msg, sizeof msg, BODY), ml = 99;
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(frame_exact(msg, k, &ml), TF_FIX_FRAME_MORE);
        assert_int_equal(ml, 0);
    }
    assert_int_equal(frame_exact(msg, n, &ml), TF_FIX_FRAME_OK);
    assert_int_equal(ml, n);
    /* A valid prefix of another BodyLength is still only "more". */
    assert_int_equal(frame_exact("8=FIX.4.4\0019=123456", 18, &ml), TF_FIX_FRAME_MORE);
}

static void test_frame_back_to_back(void **state)
{
    (void)state;
    char buf[1024];
    size_t n1 = make(buf, sizeof buf, BODY);
    size_t n2 = make(buf + n1, sizeof buf - n1, "35=0|49=TF|56=SIM|34=3|52=20240229-23:59:59.123456|");
    size_t ml = 0;
    assert_int_equal(frame_exact(buf, n1 + n2, &ml), TF_FIX_FRAME_OK);
    assert_int_equal(ml, n1);
    assert_int_equal(frame_exact(buf + n1, n2, &ml), TF_FIX_FRAME_OK);
    assert_int_equal(ml, n2);
    assert_int_equal(frame_exact(buf, n1 + n2 - 1, &ml), TF_FIX_FRAME_OK); /* second incomplete */
    assert_int_equal(ml, n1);
    assert_int_equal(frame_exact(buf + n1, n2 - 1, &ml), TF_FIX_FRAME_MORE);
    assert_int_equal(parse_exact(buf, n1), TF_FIX_OK);
    assert_int_equal(parse_exact(buf + n1, n2), TF_FIX_OK);
    assert_int_equal(m.seq, 3);
}

static void test_frame_garbage(void **state)
{
    (void)state;
    char buf[1024], msg[512];
    size_t n = make(msg, sizeof msg, BODY), ml = 0;
    static const char *const junk[] = {"garbage", "8", "88=FIX", "8=FIX.4.2|9=5|", "\001\001\001", "9=12|",
                                       "8=FIX.4.4|9=|", "8=FIX.4.4|9=1a|", "8=FIX.4.4|9=-5|",
                                       "8=FIX.4.4|9=1234567|", "8=FIX.4.4|9=5|35=0|x"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        size_t j = unpipe(buf, sizeof buf, junk[i]);
        memcpy(buf + j, msg, n);
        size_t off = 0, skipped = 0;
        tf_fix_frame_rc rc;
        while ((rc = frame_exact(buf + off, j + n - off, &ml)) == TF_FIX_FRAME_GARBLED) {
            assert_true(ml >= 1 && ml <= j + n - off);
            off += ml;
            skipped++;
        }
        assert_int_equal(rc, TF_FIX_FRAME_OK);
        assert_int_equal(off, j);
        assert_int_equal(ml, n);
        assert_true(skipped >= 1);
        assert_int_equal(parse_exact(buf + off, ml), TF_FIX_OK);
    }
    /* One skip lands on the next "8=FIX". */
    size_t j = unpipe(buf, sizeof buf, "xx8=FIXy8=FIX.4.4|9=");
    assert_int_equal(frame_exact(buf, j, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(ml, 2);
    assert_int_equal(frame_exact(buf + 2, j - 2, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(ml, 6);
    assert_int_equal(frame_exact(buf + 8, j - 8, &ml), TF_FIX_FRAME_MORE);
    /* No "8=FIX" at all: skip everything. */
    assert_int_equal(frame_exact("hello world", 11, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(ml, 11);
    /* A possible start cut by the end of the buffer is kept. */
    assert_int_equal(frame_exact("abc8=FI", 7, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(ml, 3);
}

static void test_frame_lengths(void **state)
{
    (void)state;
    static char buf[2 * TF_FIX_MAX_MSG], body[TF_FIX_MAX_MSG];
    size_t ml = 0;
    /* total = 12 + "8168|" + 8168 + 7 = TF_FIX_MAX_MSG exactly */
    int k = snprintf(body, sizeof body, "35=0|58=%0*d|", 8168 - 9, 0);
    assert_int_equal(k, 8168);
    size_t n = make(buf, sizeof buf, body);
    assert_int_equal(n, TF_FIX_MAX_MSG);
    assert_int_equal(frame_exact(buf, n, &ml), TF_FIX_FRAME_OK);
    assert_int_equal(ml, n);
    assert_int_equal(parse_exact(buf, n), TF_FIX_OK);
    snprintf(body, sizeof body, "35=0|58=%0*d|", 8168 - 9 + 1, 0);
    n = make(buf, sizeof buf, body);
    assert_int_equal(frame_exact(buf, n, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(ml, n);
    assert_int_equal(parse_exact(buf, n), TF_FIX_E_BODY_LENGTH);
    /* Too long is known from the header alone; skip to the next start. */
    size_t j = unpipe(buf, sizeof buf, "8=FIX.4.4|9=999999|35=0|8=FIX");
    assert_int_equal(frame_exact(buf, j, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(ml, j - 5);
    /* BodyLength off by one: "10=" is not where it says. */
    n = make_ex(buf, sizeof buf, "FIX.4.4", BODY, -1);
    assert_int_equal(frame_exact(buf, n, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(ml, n);
    n = make_ex(buf, sizeof buf, "FIX.4.4", BODY, +1);
    assert_int_equal(frame_exact(buf, n, &ml), TF_FIX_FRAME_MORE);    /* one byte short */
    size_t n2 = make(buf + n, sizeof buf - n, BODY);
    assert_int_equal(frame_exact(buf, n + n2, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(ml, n);                                          /* the next message */
    /* Every bad start. */
    assert_int_equal(frame_exact("8=FIX.4.2\0019=5\001", 14, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(frame_exact("8=FIX.4.4\0019=\001", 13, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(frame_exact("8=FIX.4.4\0019=1a\001", 15, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(frame_exact("8=FIX.4.4\0019=1234567\001", 20, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(frame_exact("8=FIX.4.4\0018=5\001", 14, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(frame_exact("9=5\001", 4, &ml), TF_FIX_FRAME_GARBLED);
    assert_int_equal(frame_exact("", 0, &ml), TF_FIX_FRAME_MORE);
}

/* ---- parse rejections ------------------------------------------------------ */

static void expect_rc(const char *begin, const char *body, int delta, tf_fix_rc rc)
{
    char buf[1024];
    size_t n = make_ex(buf, sizeof buf, begin, body, delta);
    assert_string_equal(tf_fix_rc_names[parse_exact(buf, n)], tf_fix_rc_names[rc]);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    char buf[1024];
    expect_rc("FIX.4.4", BODY, 0, TF_FIX_OK);
    expect_rc("FIX.4.2", BODY, 0, TF_FIX_E_BEGIN_STRING);
    expect_rc("FIXT.1.1", BODY, 0, TF_FIX_E_BEGIN_STRING);
    expect_rc("FIX.4.4", BODY, -1, TF_FIX_E_BODY_LENGTH);
    expect_rc("FIX.4.4", BODY, +1, TF_FIX_E_BODY_LENGTH);
    expect_rc("FIX.4.4", BODY, -6, TF_FIX_E_BODY_LENGTH);
    expect_rc("FIX.4.4", "34=1|35=D|", 0, TF_FIX_E_MSG_TYPE);          /* missing MsgType */
    expect_rc("FIX.4.4", "35=|49=A|", 0, TF_FIX_E_MSG_TYPE);
    expect_rc("FIX.4.4", "35=ABCD|", 0, TF_FIX_E_MSG_TYPE);
    expect_rc("FIX.4.4", "35=A-|", 0, TF_FIX_E_MSG_TYPE);
    expect_rc("FIX.4.4", "35D|", 0, TF_FIX_E_MSG_TYPE);
    expect_rc("FIX.4.4", "", 0, TF_FIX_E_MSG_TYPE);
    expect_rc("FIX.4.4", "35=D|58hello|", 0, TF_FIX_E_SYNTAX);         /* field without '=' */
    expect_rc("FIX.4.4", "35=D|58|", 0, TF_FIX_E_SYNTAX);
    expect_rc("FIX.4.4", "35=D|0=x|", 0, TF_FIX_E_SYNTAX);             /* tag 0 */
    expect_rc("FIX.4.4", "35=D|01=x|", 0, TF_FIX_E_SYNTAX);            /* leading zero */
    expect_rc("FIX.4.4", "35=D|abc=x|", 0, TF_FIX_E_SYNTAX);
    expect_rc("FIX.4.4", "35=D|=x|", 0, TF_FIX_E_SYNTAX);
    expect_rc("FIX.4.4", "35=D|-1=x|", 0, TF_FIX_E_SYNTAX);
    expect_rc("FIX.4.4", "35=D|1234567890=x|", 0, TF_FIX_E_SYNTAX);    /* 10 digits */
    expect_rc("FIX.4.4", "35=D|58=|", 0, TF_FIX_E_SYNTAX);             /* empty value */
    expect_rc("FIX.4.4", "35=D||", 0, TF_FIX_E_SYNTAX);
    expect_rc("FIX.4.4", "35=D|123456789=x|", 0, TF_FIX_OK);

    /* BodyLength not digits, or not second. */
    size_t n = unpipe(buf, sizeof buf, "8=FIX.4.4|9=1x|35=0|10=000|");
    assert_int_equal(parse_exact(buf, n), TF_FIX_E_BODY_LENGTH);
    n = unpipe(buf, sizeof buf, "8=FIX.4.4|35=0|9=5|10=000|");
    assert_int_equal(parse_exact(buf, n), TF_FIX_E_BODY_LENGTH);

    /* CheckSum: wrong, not 3 digits, not last. */
    n = make(buf, sizeof buf, BODY);
    buf[n - 2] = buf[n - 2] == '9' ? '0' : (char)(buf[n - 2] + 1);
    assert_int_equal(parse_exact(buf, n), TF_FIX_E_CHECKSUM);
    n = make(buf, sizeof buf, BODY);
    buf[n - 3] = 'a';
    assert_int_equal(parse_exact(buf, n), TF_FIX_E_CHECKSUM);
    n = make(buf, sizeof buf, BODY);                               /* "10=ddd" -> "10=dd|" + extra */
    buf[n - 2] = TF_FIX_SOH;
    assert_int_equal(parse_exact(buf, n - 1), TF_FIX_E_CHECKSUM);
    n = make(buf, sizeof buf, BODY);
    buf[n - 1] = 'x';                                              /* no SOH at the end */
    assert_int_equal(parse_exact(buf, n), TF_FIX_E_CHECKSUM);
    n = make(buf, sizeof buf, BODY);
    buf[n] = 'x';                                                  /* a byte after the CheckSum */
    assert_int_equal(parse_exact(buf, n + 1), TF_FIX_E_CHECKSUM);
    n = make(buf, sizeof buf, BODY);
    buf[30] ^= 0x20;                                               /* corrupted body */
    assert_int_equal(parse_exact(buf, n), TF_FIX_E_CHECKSUM);

    /* Every truncation is refused, and rc names are printable. */
    n = make(buf, sizeof buf, BODY);
    for (size_t k = 0; k < n; k++) {
        tf_fix_rc rc = parse_exact(buf, k);
        assert_true(rc != TF_FIX_OK && rc < TF_FIX_E_RC_COUNT);
    }
    for (int i = 0; i < TF_FIX_E_RC_COUNT; i++) {
        assert_non_null(tf_fix_rc_names[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(tf_fix_rc_names[i], tf_fix_rc_names[j]);
    }
}

/* The body "35=<type>|" then k fields "<5000+i>=v|", framed into out. */
static size_t make_wide(char *out, size_t cap, const char *type, unsigned k)
{
    static char body[TF_FIX_MAX_MSG];
    size_t o = (size_t)snprintf(body, sizeof body, "35=%s|", type);
    for (unsigned i = 0; i < k; i++) {
        o += (size_t)snprintf(body + o, sizeof body - o, "%u=v|", 5000 + i);
        assert_true(o < sizeof body);
    }
    return make(out, cap, body);
}

static void test_too_many_fields(void **state)
{
    (void)state;
    static char buf[TF_FIX_MAX_MSG];
    /* 8, 9, 35, k fields, 10: at most TF_FIX_MAX_FIELDS in all; past that
     * the parser refuses without writing beyond fields[] (ASan watches m). */
    for (unsigned k = TF_FIX_MAX_FIELDS - 6; k <= TF_FIX_MAX_FIELDS + 2; k++) {
        size_t n = make_wide(buf, sizeof buf, "0", k);
        assert_int_equal(parse_exact(buf, n), k <= TF_FIX_MAX_FIELDS - 4 ? TF_FIX_OK : TF_FIX_E_TOO_MANY_FIELDS);
        if (k == TF_FIX_MAX_FIELDS - 4)
            assert_int_equal(m.nfields, TF_FIX_MAX_FIELDS);
        assert_true(m.nfields <= TF_FIX_MAX_FIELDS);
    }
}

/* A large venue report (200 fields: a long fee or party group) parses and
 * every field is found; it used to be refused past 127 fields, and the
 * session rejected it and consumed its number. */
static void test_wide_report_parses(void **state)
{
    (void)state;
    static char buf[TF_FIX_MAX_MSG];
    size_t n = make_wide(buf, sizeof buf, "8", 196);
    assert_int_equal(parse_exact(buf, n), TF_FIX_OK);
    assert_int_equal(m.nfields, 200);
    assert_true(tf_fix_is(&m, "8"));
    assert_int_equal(tf_fix_find(&m, 5195, 0), 198);
    assert_int_equal(m.fields[m.nfields - 1].tag, TF_FIX_TAG_CHECKSUM);
}

static void test_parse_details(void **state)
{
    (void)state;
    char buf[1024];
    /* Repeating groups keep their order; tf_fix_find walks them. */
    size_t n = make(buf, sizeof buf, "35=D|453=2|448=A|447=D|452=1|448=B|447=D|452=3|");
    assert_int_equal(parse_exact(buf, n), TF_FIX_OK);
    int i = tf_fix_find(&m, 448, 0);
    assert_int_equal(i, 4);
    assert_memory_equal(tf_fix_value(&m, i), "A", 1);
    i = tf_fix_find(&m, 448, i + 1);
    assert_int_equal(i, 7);
    assert_memory_equal(tf_fix_value(&m, i), "B", 1);
    assert_int_equal(tf_fix_find(&m, 448, i + 1), -1);
    assert_int_equal(tf_fix_find(&m, 452, -5), 6);
    assert_int_equal(tf_fix_find(&m, 452, 100000), -1);
    assert_int_equal(m.seq, 0);                            /* absent */

    /* RawData is taken by RawDataLength and may hold SOH and '='. */
    n = make(buf, sizeof buf, "35=A|95=7|96=a|b=c|d|58=x|");
    assert_int_equal(parse_exact(buf, n), TF_FIX_OK);
    const char *v;
    size_t vl;
    assert_int_equal(tf_fix_get_str(&m, TF_FIX_TAG_RAW_DATA, &v, &vl), 0);
    assert_int_equal(vl, 7);
    assert_memory_equal(v, "a\001b=c\001d", 7);
    EXPECT_STR(TF_FIX_TAG_TEXT, "x");
    expect_rc("FIX.4.4", "35=A|95=30|96=abc|", 0, TF_FIX_E_SYNTAX);   /* longer than the body */
    expect_rc("FIX.4.4", "35=A|95=2|96=abc|", 0, TF_FIX_E_SYNTAX);    /* no SOH after 2 bytes */
    expect_rc("FIX.4.4", "35=A|95=x|96=abc|", 0, TF_FIX_OK);          /* bad length: plain field */

    /* Seq and PossDup: bad values read as 0 / false; the first one counts. */
    expect_rc("FIX.4.4", "35=0|34=x1|43=N|", 0, TF_FIX_OK);
    assert_int_equal(m.seq, 0);
    assert_false(m.poss_dup);
    expect_rc("FIX.4.4", "35=0|34=4294967296|43=YY|", 0, TF_FIX_OK);
    assert_int_equal(m.seq, 0);
    assert_false(m.poss_dup);
    expect_rc("FIX.4.4", "35=0|34=4294967295|43=Y|34=5|43=N|", 0, TF_FIX_OK);
    assert_int_equal(m.seq, 4294967295u);
    assert_true(m.poss_dup);

    /* Offsets point into the caller's buffer. */
    n = make(buf, sizeof buf, BODY);
    assert_int_equal(parse_exact(buf, n), TF_FIX_OK);
    for (uint32_t k = 0; k < m.nfields; k++) {
        assert_true(m.fields[k].len > 0);
        assert_true((size_t)m.fields[k].off + m.fields[k].len < n);
        assert_int_equal(m.buf[m.fields[k].off + m.fields[k].len], TF_FIX_SOH);
        assert_int_equal(m.buf[m.fields[k].off - 1], '=');
    }
}

/* ---- writer --------------------------------------------------------------- */

static void fill(tf_fix_writer *wr, char *buf, size_t cap)
{
    tf_fix_begin(wr, buf, cap, "8");
    tf_fix_put_cstr(wr, TF_FIX_TAG_SENDER_COMP_ID, "TF");
    tf_fix_put_u64(wr, TF_FIX_TAG_MSG_SEQ_NUM, 123456);
    tf_fix_put_time(wr, TF_FIX_TAG_SENDING_TIME, T0);
    tf_fix_put_fixed(wr, TF_FIX_TAG_PRICE, -4321012345678LL);
    tf_fix_put_i64(wr, TF_FIX_TAG_CUM_QTY, -7);
    tf_fix_put_char(wr, TF_FIX_TAG_SIDE, '2');
    tf_fix_put_cstr(wr, TF_FIX_TAG_TEXT, "a longer text field at the end");
}

static void test_writer_overflow(void **state)
{
    (void)state;
    static char ref[512], arena[512 + 64];
    tf_fix_writer r;
    fill(&r, ref, sizeof ref);
    size_t n = tf_fix_finish(&r);
    assert_true(n > 0);
    size_t need = r.len + 7;           /* prefix + body + trailer */
    for (size_t cap = 0; cap <= need + 8; cap++) {
        memset(arena, 0x5a, sizeof arena);
        tf_fix_writer x;
        fill(&x, arena, cap);
        size_t got = tf_fix_finish(&x);
        if (cap < need) {
            assert_int_equal(got, 0);
            assert_true(x.overflow);
        } else {
            assert_int_equal(got, n);
            assert_false(x.overflow);
            assert_memory_equal(x.msg, r.msg, n);
        }
        for (size_t k = cap; k < sizeof arena; k++)
            assert_int_equal((unsigned char)arena[k], 0x5a);      /* the canary */
    }
    /* finish twice gives the same message. */
    assert_int_equal(tf_fix_finish(&r), n);
}

static void test_writer_refusals(void **state)
{
    (void)state;
    static const char *const bad_types[] = {"", "ABCD", "A|", "A B"};
    for (size_t i = 0; i < sizeof bad_types / sizeof bad_types[0]; i++) {
        tf_fix_begin(&w, wbuf, sizeof wbuf, bad_types[i]);
        tf_fix_put_cstr(&w, TF_FIX_TAG_TEXT, "x");
        assert_true(w.overflow);
        assert_int_equal(tf_fix_finish(&w), 0);
    }
    /* An empty value writes nothing. */
    tf_fix_begin(&w, wbuf, sizeof wbuf, "0");
    uint32_t len = w.len;
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEXT, "");
    tf_fix_put_str(&w, TF_FIX_TAG_TEXT, "abc", 0);
    assert_int_equal(w.len, len);
    finish_and_parse(4);
    /* Longer than TF_FIX_MAX_MSG: refused even with room. */
    static char big[2 * TF_FIX_MAX_MSG], text[TF_FIX_MAX_MSG];
    memset(text, 'x', sizeof text);
    tf_fix_begin(&w, big, sizeof big, "0");
    tf_fix_put_str(&w, TF_FIX_TAG_TEXT, text, 8159);
    assert_int_equal(tf_fix_finish(&w), TF_FIX_MAX_MSG);
    tf_fix_begin(&w, big, sizeof big, "0");
    tf_fix_put_str(&w, TF_FIX_TAG_TEXT, text, 8160);
    assert_int_equal(tf_fix_finish(&w), 0);
    assert_true(w.overflow);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logon),                    cmocka_unit_test(test_heartbeat_and_test_request),
        cmocka_unit_test(test_resend_request),           cmocka_unit_test(test_reject),
        cmocka_unit_test(test_sequence_reset),           cmocka_unit_test(test_logout),
        cmocka_unit_test(test_new_order_single),         cmocka_unit_test(test_cancel_request),
        cmocka_unit_test(test_cancel_replace_request),   cmocka_unit_test(test_execution_report),
        cmocka_unit_test(test_order_cancel_reject),      cmocka_unit_test(test_status_requests),
        cmocka_unit_test(test_business_message_reject),  cmocka_unit_test(test_exact_bytes),
        cmocka_unit_test(test_fixed_point),              cmocka_unit_test(test_decimal),
        cmocka_unit_test(test_integers),                 cmocka_unit_test(test_time_round_trip),
        cmocka_unit_test(test_time_parse),               cmocka_unit_test(test_frame_prefixes),
        cmocka_unit_test(test_frame_back_to_back),       cmocka_unit_test(test_frame_garbage),
        cmocka_unit_test(test_frame_lengths),            cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_too_many_fields),          cmocka_unit_test(test_wide_report_parses),
        cmocka_unit_test(test_parse_details),
        cmocka_unit_test(test_writer_overflow),          cmocka_unit_test(test_writer_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
