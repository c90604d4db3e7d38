/* Does the host fit the engine's layout (see host_fit.h)? */
#include "engine/runtime/host_fit.h"

#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timex.h>
#include <unistd.h>

#define MAX_CPUS 1024
#define DEEP_STATE_US 10 /* a C-state waking slower than this costs the hot thread */

typedef struct cpuset_ {
    bool on[MAX_CPUS];
    int count;
} cpuset_;

static int read_text(const char *root, const char *path, char *buf, size_t cap)
{
    char full[512];
    snprintf(full, sizeof full, "%s%s", strcmp(root, "/") ? root : "", path);
    FILE *f = fopen(full, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    fclose(f);
    buf[n] = 0;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = 0;
    return 0;
}

static int write_text(const char *root, const char *path, const char *text)
{
    char full[512];
    snprintf(full, sizeof full, "%s%s", strcmp(root, "/") ? root : "", path);
    FILE *f = fopen(full, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* "1-3,5" into s (added to what is there). */
static void parse_list(const char *t, cpuset_ *s)
{
    while (t && *t) {
        char *end;
        long a = strtol(t, &end, 10), b = a;
        if (end == t)
            break;
        if (*end == '-')
            b = strtol(end + 1, &end, 10);
        for (long c = a; c <= b && c < MAX_CPUS; c++)
            if (c >= 0 && !s->on[c]) {
                s->on[c] = true;
                s->count++;
            }
        t = *end == ',' ? end + 1 : NULL;
    }
}

static void list_text(const cpuset_ *s, char *out, size_t cap)
{
    out[0] = 0;
    for (int c = 0; c < MAX_CPUS; c++) {
        if (!s->on[c] || (c && s->on[c - 1]))
            continue;
        int e = c;
        while (e + 1 < MAX_CPUS && s->on[e + 1])
            e++;
        size_t n = strlen(out);
        snprintf(out + n, cap - n, e > c ? "%s%d-%d" : "%s%d", n ? "," : "", c, e);
    }
}

static void hot_cores(const tf_config *cfg, cpuset_ *s)
{
    memset(s, 0, sizeof *s);
    for (uint32_t i = 0; i < cfg->thread_count; i++)
        if (cfg->threads[i].cpu >= 0 && cfg->threads[i].cpu < MAX_CPUS && !s->on[cfg->threads[i].cpu]) {
            s->on[cfg->threads[i].cpu] = true;
            s->count++;
        }
}

static tf_host_item *item(tf_host_report *r, const char *name, int verdict, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static tf_host_item *item(tf_host_report *r, const char *name, int verdict, const char *fmt, ...)
{
    tf_host_item *it = &r->items[r->n++];
    it->name = name;
    it->verdict = verdict;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->text, sizeof it->text, fmt, ap);
    va_end(ap);
    r->changes += verdict == TF_HOST_CHANGE;
    return it;
}

/* The value of "key=" on the kernel command line (a cpu list), into s. */
static bool cmdline_list(const char *cmdline, const char *key, cpuset_ *s)
{
    memset(s, 0, sizeof *s);
    size_t k = strlen(key);
    for (const char *p = cmdline; (p = strstr(p, key)) != NULL; p += k)
        if ((p == cmdline || p[-1] == ' ') && p[k] == '=') {
            const char *v = p + k + 1;
            while (*v && (*v < '0' || *v > '9') && *v != ' ') /* isolcpus=managed_irq,domain,1-3 */
                v = strchr(v, ',') ? strchr(v, ',') + 1 : v + strlen(v);
            char buf[256];
            size_t n = strcspn(v, " ");
            snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), v);
            parse_list(buf, s);
            return true;
        }
    return false;
}

/* Hot cores missing from `have`, as a list; "" when none. */
static void missing(const cpuset_ *hot, const cpuset_ *have, char *out, size_t cap)
{
    cpuset_ m;
    memset(&m, 0, sizeof m);
    for (int c = 0; c < MAX_CPUS; c++)
        if (hot->on[c] && !have->on[c]) {
            m.on[c] = true;
            m.count++;
        }
    list_text(&m, out, cap);
}

static void check_isolation(const char *root, const cpuset_ *hot, const char *hot_text, tf_host_report *r)
{
    char cmdline[4096] = "", have_text[256], miss[256], buf[256];
    read_text(root, "/proc/cmdline", cmdline, sizeof cmdline);
    static const struct { const char *name, *sysfs, *why; } k[] = {
        {"isolcpus", "/sys/devices/system/cpu/isolated",
         "the scheduler then places no other task on them (only what is pinned there runs)"},
        {"nohz_full", "/sys/devices/system/cpu/nohz_full",
         "the timer tick stops on a core running one task: no interrupt every 1-4 ms"},
        {"rcu_nocbs", NULL, "RCU callbacks run on the other cores, not in the hot thread's time"},
    };
    for (int i = 0; i < 3; i++) {
        cpuset_ have;
        memset(&have, 0, sizeof have);
        if (k[i].sysfs && read_text(root, k[i].sysfs, buf, sizeof buf) == 0)
            parse_list(buf, &have);
        else
            cmdline_list(cmdline, k[i].name, &have);
        if (!hot->count) {
            item(r, k[i].name, TF_HOST_NA, "no engine thread is pinned (threads[].cpu): nothing to isolate");
            continue;
        }
        list_text(&have, have_text, sizeof have_text);
        missing(hot, &have, miss, sizeof miss);
        if (!miss[0])
            item(r, k[i].name, TF_HOST_OK, "cores %s are in %s (%s)", hot_text, k[i].name, have_text);
        else
            item(r, k[i].name, TF_HOST_CHANGE,
                 "cores %s are not in %s (now: %s). Add %s=%s to the kernel command line (GRUB_CMDLINE_LINUX in "
                 "/etc/default/grub, update-grub, reboot): %s", miss, k[i].name, have_text[0] ? have_text : "none",
                 k[i].name, hot_text, k[i].why);
    }
}

static void check_governor(const char *root, const cpuset_ *hot, tf_host_report *r, FILE *apply, int *failed)
{
    char bad[512] = "", buf[64], path[128];
    int seen = 0;
    for (int c = 0; c < MAX_CPUS; c++) {
        if (!hot->on[c])
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", c);
        if (read_text(root, path, buf, sizeof buf) != 0)
            continue;
        seen++;
        if (strcmp(buf, "performance") == 0)
            continue;
        snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "%scpu%d %s", bad[0] ? ", " : "", c, buf);
        if (apply) {
            int rc = write_text(root, path, "performance");
            fprintf(apply, "%s %s <- performance%s%s\n", rc ? "FAILED" : "wrote", path, rc ? ": " : "",
                    rc ? strerror(errno) : "");
            *failed += rc != 0;
        }
    }
    if (!hot->count || !seen)
        item(r, "governor", TF_HOST_NA, hot->count ? "no cpufreq on the engine's cores: the firmware or hypervisor "
                                                     "sets the frequency" : "no engine thread is pinned");
    else if (bad[0])
        item(r, "governor", TF_HOST_CHANGE,
             "%s. Set performance (tuning/host/apply; for good: cpufrequtils or a tuned profile): no frequency "
             "ramp when a burst arrives after a quiet spell", bad);
    else
        item(r, "governor", TF_HOST_OK, "performance on every engine core");
}

static void check_cstates(const char *root, const cpuset_ *hot, tf_host_report *r, FILE *apply, int *failed)
{
    char bad[512] = "", name[64], lat[32], dis[16], path[160];
    int seen = 0;
    for (int c = 0; c < MAX_CPUS; c++) {
        if (!hot->on[c])
            continue;
        for (int s = 0; s < 16; s++) {
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/latency", c, s);
            if (read_text(root, path, lat, sizeof lat) != 0)
                break;
            seen++;
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/name", c, s);
            if (read_text(root, path, name, sizeof name) != 0)
                snprintf(name, sizeof name, "state%d", s);
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/cpuidle/state%d/disable", c, s);
            if (read_text(root, path, dis, sizeof dis) != 0)
                snprintf(dis, sizeof dis, "0");
            if (atoi(lat) <= DEEP_STATE_US || atoi(dis) == 1)
                continue;
            snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "%scpu%d %s (%s us)", bad[0] ? ", " : "", c,
                     name, lat);
            if (apply) {
                int rc = write_text(root, path, "1");
                fprintf(apply, "%s %s <- 1%s%s\n", rc ? "FAILED" : "wrote", path, rc ? ": " : "",
                        rc ? strerror(errno) : "");
                *failed += rc != 0;
            }
        }
    }
    if (!hot->count || !seen)
        item(r, "c-states", TF_HOST_NA, hot->count ? "no cpuidle states exposed on the engine's cores"
                                                   : "no engine thread is pinned");
    else if (bad[0])
        item(r, "c-states", TF_HOST_CHANGE,
             "deep idle states enabled: %s. Disable them on the engine's cores (tuning/host/apply) or "
             "boot with intel_idle.max_cstate=1 processor.max_cstate=1: a core asleep there wakes that much later "
             "(a busy-spinning thread never sleeps; a backoff one does)", bad);
    else
        item(r, "c-states", TF_HOST_OK, "no idle state slower than %d us on the engine's cores", DEEP_STATE_US);
}

static void check_thp(const char *root, tf_host_report *r, FILE *apply, int *failed)
{
    char buf[128];
    const char *path = "/sys/kernel/mm/transparent_hugepage/enabled";
    if (read_text(root, path, buf, sizeof buf) != 0) {
        item(r, "thp", TF_HOST_NA, "no transparent huge pages on this kernel");
        return;
    }
    if (!strstr(buf, "[always]")) {
        item(r, "thp", TF_HOST_OK, "transparent huge pages: %s", buf);
        return;
    }
    item(r, "thp", TF_HOST_CHANGE,
         "transparent huge pages: always (%s). Set madvise (tuning/host/apply; for good: "
         "transparent_hugepage=madvise on the kernel command line): khugepaged's compaction can stall a thread "
         "for milliseconds", buf);
    if (apply) {
        int rc = write_text(root, path, "madvise");
        fprintf(apply, "%s %s <- madvise%s%s\n", rc ? "FAILED" : "wrote", path, rc ? ": " : "", rc ? strerror(errno) : "");
        *failed += rc != 0;
    }
}

static void check_irqs(const char *root, const cpuset_ *hot, const char *hot_text, tf_host_report *r, FILE *apply,
                       int *failed)
{
    if (!hot->count) {
        item(r, "irq-affinity", TF_HOST_NA, "no engine thread is pinned");
        return;
    }
    char dir[512], bad[400] = "", path[128], buf[256];
    snprintf(dir, sizeof dir, "%s/proc/irq", strcmp(root, "/") ? root : "");
    DIR *d = opendir(dir);
    if (!d) {
        item(r, "irq-affinity", TF_HOST_NA, "cannot read %s", dir);
        return;
    }
    /* What the interrupts may use instead: every online core but the hot ones. */
    cpuset_ online, rest;
    memset(&online, 0, sizeof online);
    memset(&rest, 0, sizeof rest);
    if (read_text(root, "/sys/devices/system/cpu/online", buf, sizeof buf) == 0)
        parse_list(buf, &online);
    for (int c = 0; c < MAX_CPUS; c++)
        if (online.on[c] && !hot->on[c]) {
            rest.on[c] = true;
            rest.count++;
        }
    char rest_text[256];
    list_text(&rest, rest_text, sizeof rest_text);
    int n_bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/irq/%.32s/smp_affinity_list", e->d_name);
        if (read_text(root, path, buf, sizeof buf) != 0)
            continue;
        cpuset_ aff;
        memset(&aff, 0, sizeof aff);
        parse_list(buf, &aff);
        bool overlap = false;
        for (int c = 0; c < MAX_CPUS && !overlap; c++)
            overlap = aff.on[c] && hot->on[c];
        if (!overlap)
            continue;
        n_bad++;
        if (strlen(bad) < sizeof bad - 40)
            snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "%sirq %.12s (%.24s)", bad[0] ? ", " : "",
                     e->d_name, buf);
        if (apply && rest.count) {
            int rc = write_text(root, path, rest_text);
            fprintf(apply, "%s %s <- %s%s%s\n", rc ? "could not write" : "wrote", path, rest_text, rc ? ": " : "",
                    rc ? strerror(errno) : "");
            *failed += rc != 0 && errno != EIO; /* per-cpu interrupts (timers, IPIs) refuse: they stay */
        }
    }
    closedir(d);
    if (!n_bad)
        item(r, "irq-affinity", TF_HOST_OK, "no device interrupt may land on cores %s", hot_text);
    else if (!rest.count)
        item(r, "irq-affinity", TF_HOST_CHANGE, "%d interrupts may land on cores %s, and no other core is online to "
                                                 "take them: the layout needs a housekeeping core", n_bad, hot_text);
    else
        item(r, "irq-affinity", TF_HOST_CHANGE,
             "%d interrupts may land on cores %s: %s. Move them to %s (tuning/host/apply; for good: irqaffinity=%s "
             "on the kernel command line, and stop irqbalance or ban those cores): an interrupt there preempts the "
             "hot thread", n_bad, hot_text, bad, rest_text, rest_text);
}

static void check_memlock(const tf_config *cfg, tf_host_report *r)
{
    struct rlimit rl;
    getrlimit(RLIMIT_MEMLOCK, &rl);
    if (!cfg->lock_memory) {
        item(r, "memlock", TF_HOST_OK, "lock_memory is off: memory is prefaulted, not locked (production: "
                                       "lock_memory: true, with LimitMEMLOCK=infinity or CAP_IPC_LOCK)");
        return;
    }
    if (rl.rlim_cur == RLIM_INFINITY || geteuid() == 0)
        item(r, "memlock", TF_HOST_OK, "lock_memory: mlockall may lock everything (%s)",
             geteuid() == 0 ? "root" : "RLIMIT_MEMLOCK unlimited");
    else
        item(r, "memlock", TF_HOST_CHANGE,
             "lock_memory is on and RLIMIT_MEMLOCK is %llu KiB: mlockall will fail. Set LimitMEMLOCK=infinity "
             "(tuning/systemd's unit does) or start it as root with `user:` (it keeps CAP_IPC_LOCK)",
             (unsigned long long)(rl.rlim_cur / 1024));
}

static void check_clock(const char *root, tf_host_report *r)
{
    char buf[64];
    if (strcmp(root, "/") != 0) { /* a test's tree: what it says, not this machine's clock */
        if (read_text(root, "/run/systemd/timesync/synchronized", buf, sizeof buf) == 0)
            item(r, "clock", TF_HOST_OK, "synchronised (systemd-timesyncd)");
        else
            item(r, "clock", TF_HOST_NA, "not read in a test tree");
        return;
    }
    struct timex tx = {0};
    int state = adjtimex(&tx);
    if (state < 0)
        item(r, "clock", TF_HOST_NA, "adjtimex: %s", strerror(errno));
    else if (state == TIME_ERROR || (tx.status & STA_UNSYNC))
        item(r, "clock", TF_HOST_CHANGE,
             "the kernel clock is not synchronised. Run chrony (or ptp4l + phc2sys with a PTP NIC): venue "
             "timestamps, the tick's timeline and bars compare this clock with the venue's");
    else
        item(r, "clock", TF_HOST_OK, "synchronised; estimated error %ld us, maximum %ld us", tx.esterror, tx.maxerror);
}

static void check_nics(const char *root, tf_host_report *r)
{
    if (strcmp(root, "/") != 0) {
        item(r, "nic-coalescing", TF_HOST_NA, "not read in a test tree");
        return;
    }
    struct if_nameindex *ifs = if_nameindex();
    int fd = socket(AF_INET, SOCK_DGRAM, 0), seen = 0;
    char bad[400] = "", na[200] = "";
    for (struct if_nameindex *i = ifs; i && i->if_index && fd >= 0; i++) {
        if (strcmp(i->if_name, "lo") == 0)
            continue;
        struct ethtool_coalesce ec = {.cmd = ETHTOOL_GCOALESCE};
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", i->if_name);
        ifr.ifr_data = (void *)&ec;
        if (ioctl(fd, SIOCETHTOOL, &ifr) != 0) {
            snprintf(na + strlen(na), sizeof na - strlen(na), "%s%s", na[0] ? ", " : "", i->if_name);
            continue;
        }
        seen++;
        if (ec.rx_coalesce_usecs || ec.use_adaptive_rx_coalesce)
            snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "%s%s rx-usecs %u%s", bad[0] ? ", " : "",
                     i->if_name, ec.rx_coalesce_usecs, ec.use_adaptive_rx_coalesce ? " adaptive" : "");
    }
    if (fd >= 0)
        close(fd);
    if (ifs)
        if_freenameindex(ifs);
    if (bad[0])
        item(r, "nic-coalescing", TF_HOST_CHANGE,
             "%s. For the venue's NIC: ethtool -C IFACE adaptive-rx off rx-usecs 0 (a packet then raises its "
             "interrupt at once instead of waiting to be batched)", bad);
    else if (seen)
        item(r, "nic-coalescing", TF_HOST_OK, "no receive interrupt coalescing");
    else
        item(r, "nic-coalescing", TF_HOST_NA, "no NIC reports its coalescing%s%s", na[0] ? ": " : "", na);
}

static void run(const tf_config *cfg, const char *root, tf_host_report *out, FILE *apply, int *failed)
{
    memset(out, 0, sizeof *out);
    cpuset_ hot;
    char hot_text[256];
    hot_cores(cfg, &hot);
    list_text(&hot, hot_text, sizeof hot_text);
    check_isolation(root, &hot, hot_text, out);
    check_governor(root, &hot, out, apply, failed);
    check_cstates(root, &hot, out, apply, failed);
    check_thp(root, out, apply, failed);
    check_irqs(root, &hot, hot_text, out, apply, failed);
    check_memlock(cfg, out);
    check_clock(root, out);
    check_nics(root, out);
}

void tf_host_check(const tf_config *cfg, const char *root, tf_host_report *out)
{
    int failed = 0;
    run(cfg, root, out, NULL, &failed);
}

int tf_host_apply(const tf_config *cfg, const char *root, FILE *log)
{
    tf_host_report r;
    int failed = 0;
    run(cfg, root, &r, log, &failed);
    for (int i = 0; i < r.n; i++)
        if (r.items[i].verdict == TF_HOST_CHANGE && (!strcmp(r.items[i].name, "isolcpus") ||
                                                     !strcmp(r.items[i].name, "nohz_full") ||
                                                     !strcmp(r.items[i].name, "rcu_nocbs") ||
                                                     !strcmp(r.items[i].name, "memlock") ||
                                                     !strcmp(r.items[i].name, "clock") ||
                                                     !strcmp(r.items[i].name, "nic-coalescing")))
            fprintf(log, "not at run time: %s: %s\n", r.items[i].name, r.items[i].text);
    return failed;
}

void tf_host_print(const tf_host_report *r, FILE *f)
{
    static const char *const v[] = {"ok    ", "CHANGE", "n/a   "};
    for (int i = 0; i < r->n; i++)
        fprintf(f, "%s %-14s %s\n", v[r->items[i].verdict], r->items[i].name, r->items[i].text);
}
