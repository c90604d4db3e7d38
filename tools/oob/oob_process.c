#include "tools/oob/oob_process.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <inttypes.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/durable.h"
#include "shm/err.h"

/* ---- position ------------------------------------------------------------ */

int oob_position_load(const char *path, oob_position *pos)
{
    memset(pos, 0, sizeof *pos);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 1 : TF_ERR("%s: %s", path, strerror(errno));
    char line[128];
    int have = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        char key[32];
        uint64_t v;
        unsigned idx;
        if (sscanf(line, "%31[a-z_0-9]=%" SCNu64, key, &v) != 2) {
            line[strcspn(line, "\n")] = 0;
            rc = TF_ERR("%s: garbled line '%.40s'", path, line);
            break;
        }
        if (strcmp(key, "journal_id") == 0)
            pos->journal_id = v, have |= 1;
        else if (strcmp(key, "next_seq") == 0)
            pos->next_seq = v, have |= 2;
        else if (sscanf(line, "extra_%u=", &idx) == 1 && idx < OOB_POS_EXTRA)
            pos->extra[idx] = v;
        else if (strncmp(key, "extra_", 6) != 0) {
            rc = TF_ERR("%s: unknown key '%s'", path, key);
            break;
        }
    }
    fclose(f);
    if (rc == 0 && have != 3)
        rc = TF_ERR("%s: journal_id or next_seq missing", path);
    if (rc != 0)
        memset(pos, 0, sizeof *pos);
    return rc;
}

int oob_position_save(const char *path, const oob_position *pos)
{
    char text[1024];
    int n = snprintf(text, sizeof text, "journal_id=%" PRIu64 "\nnext_seq=%" PRIu64 "\n",
                     pos->journal_id, pos->next_seq);
    for (unsigned i = 0; i < OOB_POS_EXTRA; i++)
        if (pos->extra[i])
            n += snprintf(text + n, sizeof text - (size_t)n, "extra_%u=%" PRIu64 "\n", i, pos->extra[i]);
    return tf_file_replace(path, text, (size_t)n);
}

/* ---- status segment -------------------------------------------------------- */

tf_state_slot *oob_segment_open(tf_segment *seg, const tf_config *cfg, const char *segment, uint16_t kind,
                                const char *key)
{
    char path[TF_CFG_PATH_MAX];
    if (tf_segment_path(path, sizeof path, cfg->shm_dir, cfg->instance, segment) != 0) {
        TF_ERR("segment path too long");
        return NULL;
    }
    tf_seg_layout layout = {.kind = TF_SEG_KIND_STATE, .region_count = 1};
    layout.regions[0].name = TF_REGION_STATE;
    layout.regions[0].length = tf_state_region_size(4);
    /* A crashed process's segment is only status: replace it. */
    if (tf_segment_create(seg, path, cfg->instance, segment, &layout, cfg->shm_mode, TF_STALE_ACTION_REPLACE) != 0) {
        TF_ERR_CTX("status segment");
        return NULL;
    }
    tf_state_table *t = tf_segment_region(seg, TF_REGION_STATE, NULL);
    tf_state_table_init(t, 4);
    tf_state_slot *slot = tf_state_claim(t, kind, key);
    if (!slot || tf_segment_publish(seg) != 0) {
        tf_segment_close(seg);
        TF_ERR("cannot publish %s", path);
        return NULL;
    }
    return slot;
}

int oob_status_open(oob_status *s, const tf_config *cfg, const char *segment, const char *key)
{
    memset(s, 0, sizeof *s);
    s->slot = oob_segment_open(&s->seg, cfg, segment, TF_STATE_EXPORTER, key);
    if (!s->slot)
        return -1;
    oob_status_publish(s);
    return 0;
}

void oob_status_publish(oob_status *s)
{
    if (!s->slot)
        return;
    uint64_t now = tf_now_ns();
    tf_state_write(s->slot, &s->st, sizeof s->st, now);
    tf_segment_heartbeat(&s->seg, now);
}

void oob_status_close(oob_status *s)
{
    if (s->slot)
        oob_status_publish(s);
    tf_segment_close(&s->seg);
    s->slot = NULL;
}

/* ---- latencies ------------------------------------------------------------------ */

static int oob__cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

void oob_latency_print(oob_latency *l, const char *prefix)
{
    size_t n = l->n < OOB_LAT_MAX ? (size_t)l->n : OOB_LAT_MAX;
    if (!n)
        return;
    qsort(l->us, n, sizeof l->us[0], oob__cmp_u32);
    fprintf(stderr, "%s: %" PRIu64 " requests, round trip us p50 %u p99 %u p99.9 %u max %u\n", prefix, l->n,
            l->us[n / 2], l->us[n * 99 / 100], l->us[n * 999 / 1000], l->us[n - 1]);
}

/* ---- lag ---------------------------------------------------------------------- */

uint64_t oob_lag_update(oob_lag *l, uint64_t head, uint64_t position, uint64_t now_ns)
{
    if (!l->n || now_ns - l->t_ns[(l->n - 1) % OOB_LAG_SAMPLES] >= 10000000ull) {
        l->head[l->n % OOB_LAG_SAMPLES] = head;
        l->t_ns[l->n % OOB_LAG_SAMPLES] = now_ns;
        l->n++;
    }
    if (position > head)
        return 0; /* everything exported */
    /* The oldest sample whose head had reached what we still have to send. */
    uint64_t oldest = l->n > OOB_LAG_SAMPLES ? l->n - OOB_LAG_SAMPLES : 0;
    for (uint64_t i = oldest; i < l->n; i++)
        if (l->head[i % OOB_LAG_SAMPLES] >= position)
            return now_ns - l->t_ns[i % OOB_LAG_SAMPLES];
    return 0;
}



/* ---- backoff ------------------------------------------------------------------ */

static uint64_t oob__rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

uint64_t oob_jitter(uint64_t *rng, uint64_t ns, unsigned percent)
{
    if (!*rng)
        *rng = tf_now_ns() | 1;
    uint64_t span = ns / 100 * percent * 2 + 1;
    return ns - ns / 100 * percent + oob__rand(rng) % span;
}

/* ---- process -------------------------------------------------------------------- */

volatile sig_atomic_t oob_stop;

static void oob__on_signal(int sig)
{
    (void)sig;
    oob_stop = 1;
}

void oob_install_signals(void)
{
    struct sigaction sa = {.sa_handler = oob__on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

void oob_sleep(uint64_t ns)
{
    uint64_t end = tf_now_ns() + ns;
    while (!oob_stop) {
        uint64_t now = tf_now_ns();
        if (now >= end)
            return;
        uint64_t step = end - now < 50000000ull ? end - now : 50000000ull;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)step};
        nanosleep(&ts, NULL);
    }
}

int oob_load_config(const char *path, tf_config *cfg)
{
    if (!path)
        path = getenv("TF_CONFIG");
    if (!path) {
        fprintf(stderr, "no config: give -c FILE (or set TF_CONFIG)\n");
        return -1;
    }
    char err[512];
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (tf_config_load(path, ncpu > 0 ? (int)ncpu : 1, cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    return 0;
}

int oob_parse_args(int argc, char **argv, const char *prog, oob_args *a)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"until-idle", required_argument, 0, 'u'},
                                         {"status", required_argument, 0, 's'},
                                         {"journal", required_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    bool status_given = false;
    a->journal = TF_SEG_MD;
    for (int o; (o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1;) {
        if (o == 'c')
            a->config = optarg;
        else if (o == 'u')
            a->until_idle_ns = strtoull(optarg, NULL, 10) * 1000000ull;
        else if (o == 's') {
            a->status_name = optarg;
            status_given = true;
        } else if (o == 'j' && (strcmp(optarg, TF_SEG_MD) == 0 || strcmp(optarg, TF_SEG_ORDERS) == 0))
            a->journal = strcmp(optarg, TF_SEG_MD) == 0 ? TF_SEG_MD : TF_SEG_ORDERS;
        else {
            if (o == 'j')
                fprintf(stderr, "%s: --journal is md or orders, not '%s'\n", prog, optarg);
            fprintf(stderr, "usage: %s -c CONFIG [--until-idle MS] [--status NAME] [--journal md|orders]\n", prog);
            return o == 'h' ? 0 : 1;
        }
    }
    if (strcmp(a->journal, TF_SEG_ORDERS) == 0 && !status_given) {
        static char name[64];
        snprintf(name, sizeof name, "%s-orders", a->status_name);
        a->status_name = name;
    }
    return -1;
}

int oob_pin(const tf_config *cfg)
{
    if (cfg->export_.cpu < 0)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cfg->export_.cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return TF_ERR("cannot pin to CPU %d (export.cpu): %s", cfg->export_.cpu, strerror(errno));
    return 0;
}

int oob_start(int argc, char **argv, const char *prog, const char *section, oob_args *a, tf_config *cfg,
             char *pos_path, size_t pos_cap, oob_position *pos)
{
    int rc = oob_parse_args(argc, argv, prog, a);
    if (rc >= 0)
        return rc;
    if (oob_load_config(a->config, cfg) != 0)
        return 1;
    bool enabled = strcmp(section, "influx") == 0 ? cfg->export_.influx.enabled : cfg->export_.redis.enabled;
    if (!enabled) {
        fprintf(stderr, "%s: export.%s.enabled is false; nothing to do\n", prog, section);
        return 0;
    }
    oob_install_signals();
    if (oob_pin(cfg) != 0) {
        fprintf(stderr, "%s: %s\n", prog, tf_err_msg());
        return 1;
    }
    snprintf(pos_path, pos_cap, "%s/%s.pos", cfg->export_.run_dir, a->status_name);
    if (oob_mkdirs(cfg->export_.run_dir) != 0) {
        fprintf(stderr, "%s: %s\n", prog, tf_err_msg());
        return 1;
    }
    if (oob_position_load(pos_path, pos) < 0) {
        /* Garbled (a disk fault, a hand edit): kept aside for a look, and
         * everything the journal holds exported again, which the stores
         * take as the same points. Refusing to start would lose what
         * arrives meanwhile instead. */
        char aside[TF_CFG_PATH_MAX + 48];
        snprintf(aside, sizeof aside, "%s.corrupt-%lld", pos_path, (long long)time(NULL));
        fprintf(stderr, "%s: %s: moved to %s; exporting from the journal's oldest record again\n", prog,
                tf_err_msg(), aside);
        if (rename(pos_path, aside) != 0) {
            fprintf(stderr, "%s: cannot move %s aside: %s\n", prog, pos_path, strerror(errno));
            return 1;
        }
        memset(pos, 0, sizeof *pos);
    }
    return -1;
}

int oob_mkdirs(const char *path)
{
    char buf[TF_CFG_PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return TF_ERR("mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return TF_ERR("mkdir %s: %s", buf, strerror(errno));
    return 0;
}

void oob_write_number_file(const char *path, uint64_t v)
{
    char tmp[TF_CFG_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    fprintf(f, "%llu\n", (unsigned long long)v);
    if (fclose(f) == 0)
        rename(tmp, path);
}

int oob_status_read(const char *dir, const char *inst, const char *segment, uint16_t kind, void *out,
                    uint32_t size, tf_seg_owner *owner)
{
    char path[256];
    tf_segment seg;
    if (tf_segment_path(path, sizeof path, dir, inst, segment) != 0 ||
        tf_segment_attach(&seg, path, TF_SEG_KIND_STATE) != TF_SEG_OK)
        return 0;
    uint64_t len = 0;
    const tf_state_table *t = tf_segment_region(&seg, TF_REGION_STATE, &len);
    int ok = t && tf_state_table_check(t, len, path) == 0 && tf_load_32(&t->slot_count) > 0 &&
             t->slots[0].kind == kind && tf_state_read(&t->slots[0], out, size, 1000, NULL) == TF_STATE_OK;
    *owner = tf_segment_owner(&seg, tf_now_ns(), NULL);
    tf_segment_close(&seg);
    return ok;
}

bool oob_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1)
        return ntohl(a4.s_addr) >> 24 == 127;
    return inet_pton(AF_INET6, addr, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}
