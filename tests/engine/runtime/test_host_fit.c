/* Does the host fit the layout (engine/runtime/host_fit.c), on fake
 * /proc and /sys trees: each item's verdict from what the files say; apply
 * writes what can change at run time and the check then agrees; isolation
 * read from sysfs or from the kernel command line (isolcpus's flags too);
 * nothing pinned: the per-core items are n/a. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "engine/runtime/host_fit.h"
#include "tests/test_util.h"

static tf_config cfg;

static void put(const char *rel, const char *text)
{
    char path[512], dir[600];
    snprintf(path, sizeof path, "%s%s", test_dir, rel);
    snprintf(dir, sizeof dir, "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(dir), 0);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void get(const char *rel, char *buf, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", test_dir, rel);
    assert_true(test_read_file(path, buf, cap) >= 0);
}

static void layout(const char *threads)
{
    char yaml[1024], err[256];
    snprintf(yaml, sizeof yaml, "instance: h\nthreads:\n%s", threads);
    assert_int_equal(tf_config_parse(yaml, strlen(yaml), "t.yaml", 4, &cfg, err, sizeof err), 0);
}

/* A 4-core host: cores 2 and 3 the engine's, nothing tuned. */
static void untuned_host(void)
{
    char cmd[480];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/proc' '%s/sys' '%s/run'", test_dir, test_dir, test_dir);
    assert_int_equal(system(cmd), 0);
    put("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet\n");
    put("/sys/devices/system/cpu/online", "0-3\n");
    put("/sys/devices/system/cpu/isolated", "\n");
    for (int c = 0; c < 4; c++) {
        char p[160];
        snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", c);
        put(p, "powersave\n");
        const char *names[] = {"POLL", "C1", "C6"}, *lat[] = {"0", "2", "133"};
        for (int s = 0; s < 3; s++) {
            snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/name", c, s);
            put(p, names[s]);
            snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/latency", c, s);
            put(p, lat[s]);
            snprintf(p, sizeof p, "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/disable", c, s);
            put(p, "0\n");
        }
    }
    put("/sys/kernel/mm/transparent_hugepage/enabled", "[always] madvise never\n");
    put("/proc/irq/24/smp_affinity_list", "0-3\n");
    put("/proc/irq/25/smp_affinity_list", "1\n");
    put("/proc/irq/26/smp_affinity_list", "3\n");
    put("/run/systemd/timesync/synchronized", "");
}

static const tf_host_item *find(const tf_host_report *r, const char *name)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->items[i].name, name))
            return &r->items[i];
    fail_msg("no item %s", name);
    return NULL;
}

static void test_an_untuned_host_and_apply(void **state)
{
    (void)state;
    layout("  - {name: hot, cpu: 2, stages: [synth_source]}\n  - {name: venue, cpu: 3, stages: [synth_sink]}\n");
    untuned_host();
    tf_host_report r;
    tf_host_check(&cfg, test_dir, &r);
    assert_int_equal(r.n, 10);
    assert_int_equal(find(&r, "isolcpus")->verdict, TF_HOST_CHANGE);
    assert_non_null(strstr(find(&r, "isolcpus")->text, "Add isolcpus=2-3 to the kernel command line"));
    assert_int_equal(find(&r, "nohz_full")->verdict, TF_HOST_CHANGE);
    assert_int_equal(find(&r, "rcu_nocbs")->verdict, TF_HOST_CHANGE);
    assert_int_equal(find(&r, "governor")->verdict, TF_HOST_CHANGE);
    assert_non_null(strstr(find(&r, "governor")->text, "cpu2 powersave, cpu3 powersave"));
    assert_int_equal(find(&r, "c-states")->verdict, TF_HOST_CHANGE);
    assert_non_null(strstr(find(&r, "c-states")->text, "cpu2 C6 (133 us), cpu3 C6 (133 us)"));
    assert_int_equal(find(&r, "thp")->verdict, TF_HOST_CHANGE);
    const tf_host_item *irq = find(&r, "irq-affinity");
    assert_int_equal(irq->verdict, TF_HOST_CHANGE);
    assert_non_null(strstr(irq->text, "2 interrupts may land on cores 2-3")); /* 24 and 26; 25 stays on 1 */
    assert_non_null(strstr(irq->text, "Move them to 0-1"));
    assert_int_equal(find(&r, "memlock")->verdict, TF_HOST_OK);
    assert_int_equal(find(&r, "clock")->verdict, TF_HOST_OK);
    assert_int_equal(find(&r, "nic-coalescing")->verdict, TF_HOST_NA);
    assert_int_equal(r.changes, 7);

    char log[4096] = "";
    FILE *f = fmemopen(log, sizeof log - 1, "w");
    assert_int_equal(tf_host_apply(&cfg, test_dir, f), 0);
    fclose(f);
    assert_non_null(strstr(log, "cpu2/cpufreq/scaling_governor <- performance"));
    assert_non_null(strstr(log, "not at run time: isolcpus"));
    char buf[128];
    get("/sys/devices/system/cpu/cpu3/cpufreq/scaling_governor", buf, sizeof buf);
    assert_string_equal(buf, "performance");
    get("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf);
    assert_string_equal(buf, "powersave\n"); /* not the engine's core: left alone */
    get("/sys/devices/system/cpu/cpu2/cpuidle/state2/disable", buf, sizeof buf);
    assert_string_equal(buf, "1");
    get("/sys/devices/system/cpu/cpu2/cpuidle/state1/disable", buf, sizeof buf);
    assert_string_equal(buf, "0\n"); /* C1 wakes fast enough */
    get("/proc/irq/26/smp_affinity_list", buf, sizeof buf);
    assert_string_equal(buf, "0-1");
    get("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof buf);
    assert_string_equal(buf, "madvise");
    tf_host_check(&cfg, test_dir, &r);
    assert_int_equal(find(&r, "governor")->verdict, TF_HOST_OK);
    assert_int_equal(find(&r, "c-states")->verdict, TF_HOST_OK);
    assert_int_equal(find(&r, "irq-affinity")->verdict, TF_HOST_OK);
    assert_int_equal(find(&r, "thp")->verdict, TF_HOST_OK);
    assert_int_equal(r.changes, 3); /* what only the kernel command line changes */
}

static void test_isolation_from_sysfs_or_the_command_line(void **state)
{
    (void)state;
    layout("  - {name: hot, cpu: 2, stages: [synth_source]}\n  - {name: venue, cpu: 3, stages: [synth_sink]}\n");
    untuned_host();
    put("/proc/cmdline", "root=/dev/sda1 isolcpus=managed_irq,domain,2-3 rcu_nocbs=2-3 quiet\n");
    put("/sys/devices/system/cpu/isolated", "2-3\n");
    put("/sys/devices/system/cpu/nohz_full", "2\n");
    tf_host_report r;
    tf_host_check(&cfg, test_dir, &r);
    assert_int_equal(find(&r, "isolcpus")->verdict, TF_HOST_OK);
    assert_int_equal(find(&r, "rcu_nocbs")->verdict, TF_HOST_OK); /* from the command line */
    const tf_host_item *nz = find(&r, "nohz_full");
    assert_int_equal(nz->verdict, TF_HOST_CHANGE);
    assert_non_null(strstr(nz->text, "cores 3 are not in nohz_full (now: 2)"));
}

static void test_nothing_pinned(void **state)
{
    (void)state;
    layout("  - {name: hot, cpu: -1, stages: [synth_source, synth_sink]}\n");
    untuned_host();
    tf_host_report r;
    tf_host_check(&cfg, test_dir, &r);
    const char *na[] = {"isolcpus", "nohz_full", "rcu_nocbs", "governor", "c-states", "irq-affinity"};
    for (size_t i = 0; i < sizeof na / sizeof *na; i++)
        assert_int_equal(find(&r, na[i])->verdict, TF_HOST_NA);
    assert_int_equal(find(&r, "thp")->verdict, TF_HOST_CHANGE); /* the whole engine's */
    char out[8192] = "";
    FILE *f = fmemopen(out, sizeof out - 1, "w");
    tf_host_print(&r, f);
    fclose(f);
    assert_non_null(strstr(out, "CHANGE thp "));
    assert_non_null(strstr(out, "n/a    isolcpus "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_untuned_host_and_apply),
        cmocka_unit_test(test_isolation_from_sysfs_or_the_command_line),
        cmocka_unit_test(test_nothing_pinned),
    };
    if (test_dir_make("tf_host_fit") != 0)
        return 1;
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    void *st = NULL;
    test_dir_remove(&st);
    return rc;
}
