/* The Prometheus exposition writer and the names the exporter serves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "shm/catalog.h"
#include "tools/prom/prom_engine.h"
#include "tools/prom/prom_text.h"

static void test_families_and_samples(void **state)
{
    (void)state;
    prom_buf b;
    prom_init(&b);
    prom_family(&b, "empty_total", "counter", "never sampled");
    prom_family(&b, "x_total", "counter", "two samples");
    prom_label l[] = {{"a", "1"}, {NULL, "skipped"}, {"b", "two"}};
    prom_sample_u64(&b, "", l, 3, 5);
    prom_sample_u64(&b, "", NULL, 0, 18446744073709551615ull);
    assert_string_equal(b.p, "# HELP empty_total never sampled\n# TYPE empty_total counter\n"
                             "# HELP x_total two samples\n# TYPE x_total counter\n"
                             "x_total{a=\"1\",b=\"two\"} 5\nx_total 18446744073709551615\n");
    assert_int_equal(b.families, 2);
    assert_int_equal(b.samples, 2);
    prom_free(&b);
}

static void test_label_values_and_help_are_escaped(void **state)
{
    (void)state;
    prom_buf b;
    prom_init(&b);
    prom_family(&b, "g", "gauge", "back\\slash and\nnewline");
    prom_label l[] = {{"v", "a\"b\\c\nd"}};
    prom_sample(&b, "", l, 1, 1.5);
    assert_string_equal(b.p, "# HELP g back\\\\slash and\\nnewline\n# TYPE g gauge\ng{v=\"a\\\"b\\\\c\\nd\"} 1.5\n");
    prom_free(&b);
}

/* Every sample carries the engine's instance_name first; a sample that
 * names it too does not repeat it. */
static void test_const_label_on_every_sample(void **state)
{
    (void)state;
    prom_buf b;
    prom_init(&b);
    prom_const_label(&b, "instance_name", "prod");
    prom_family(&b, "g", "gauge", "h");
    prom_sample_u64(&b, "", NULL, 0, 1);
    prom_label l[] = {{"stage", "feed"}, {"instance_name", "prod"}};
    prom_sample_u64(&b, "_count", l, 2, 2);
    assert_string_equal(b.p, "# HELP g h\n# TYPE g gauge\ng{instance_name=\"prod\"} 1\n"
                             "g_count{instance_name=\"prod\",stage=\"feed\"} 2\n");
    prom_free(&b);
}

static void test_values_print_exactly(void **state)
{
    (void)state;
    prom_buf b;
    prom_init(&b);
    prom_family(&b, "g", "gauge", "h");
    prom_sample(&b, "", NULL, 0, -2.81886991);
    prom_sample(&b, "", NULL, 0, 0.1);
    prom_sample(&b, "", NULL, 0, 1e-9);
    prom_sample(&b, "", NULL, 0, NAN);
    prom_sample(&b, "", NULL, 0, INFINITY);
    prom_sample(&b, "", NULL, 0, -42);
    const char *want = "g -2.81886991\ng 0.1\ng 1e-09\ng NaN\ng +Inf\ng -42\n";
    assert_non_null(strstr(b.p, want));
    prom_free(&b);
}

static void test_names(void **state)
{
    (void)state;
    assert_true(prom_valid_name("trading_pnl"));
    assert_true(prom_valid_name("a:b_1"));
    assert_false(prom_valid_name("1abc"));
    assert_false(prom_valid_name("a-b"));
    assert_false(prom_valid_name(""));
    char n[128];
    double scale;
    prom_counter_name("md_messages", TF_COUNTER, n, sizeof n, &scale);
    assert_string_equal(n, "tradefan_md_messages_total");
    assert_true(scale == 1.0);
    prom_counter_name("kill_to_cancels_ns", TF_GAUGE, n, sizeof n, &scale);
    assert_string_equal(n, "tradefan_kill_to_cancels_seconds");
    assert_true(scale == 1e-9);
    prom_counter_name("fix_heartbeat_age_ms", TF_GAUGE, n, sizeof n, &scale);
    assert_string_equal(n, "tradefan_fix_heartbeat_age_seconds");
    assert_true(scale == 1e-3);
    /* Every catalogue entry maps to a valid name that promtool's lint accepts
     * (no abbreviated unit left, _total only on counters). */
    for (int i = 0; i < TF_CTR_COUNT; i++) {
        prom_counter_name(tf_counter_catalog[i].name, (int)tf_counter_catalog[i].kind, n, sizeof n, &scale);
        assert_true(prom_valid_name(n));
        assert_null(strstr(n, "_ns_"));
        assert_null(strstr(n, "_ms_"));
        size_t len = strlen(n);
        bool total = len > 6 && strcmp(n + len - 6, "_total") == 0;
        assert_int_equal(total, tf_counter_catalog[i].kind == TF_COUNTER);
    }
}

static void test_latency_bounds_ascend(void **state)
{
    (void)state;
    for (int i = 1; i < PROM_LATENCY_BOUNDS; i++)
        assert_true(prom_latency_bounds_ns[i] > prom_latency_bounds_ns[i - 1]);
    assert_int_equal(prom_latency_bounds_ns[0], 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_families_and_samples),
        cmocka_unit_test(test_label_values_and_help_are_escaped),
        cmocka_unit_test(test_values_print_exactly),
        cmocka_unit_test(test_const_label_on_every_sample),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_latency_bounds_ascend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
