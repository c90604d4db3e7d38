/* Configuration loading: YAML → validated tf_config.
 *
 * DESIGN: libyaml's document API gives every node its line and column, so
 * the schema is walked here, section by section, with a few typed getters
 * (integer in range, power of two, name, path, enum) that all fail the same
 * way: "<file>:<line>:<col>: <reason>". libcyaml 1.3 (Debian 12) would map
 * the structs for us but reports errors without positions, which an operator
 * editing a production file needs. Every mapping is checked for unknown and
 * duplicate keys before it is read. Cold path: runs once at start.
 */
#include "engine/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

const char *const tf_config_known_stages[] = {"synth_source", "synth_sink", NULL};

static const char *const tf__idle_names[TF_IDLE_KIND_COUNT] = {
    [TF_IDLE_BUSY_SPIN] = "busy-spin",
    [TF_IDLE_YIELD] = "yield",
    [TF_IDLE_BACKOFF] = "backoff",
};
_Static_assert(sizeof(tf__idle_names) / sizeof(tf__idle_names[0]) == TF_IDLE_KIND_COUNT,
               "a name per idle strategy");

const char *tf_idle_kind_name(tf_idle_kind kind)
{
    return (unsigned)kind < TF_IDLE_KIND_COUNT ? tf__idle_names[kind] : "?";
}

typedef struct tf__cfgctx {
    yaml_document_t *doc;
    const char *file;
    char *err;
    size_t errlen;
} tf__cfgctx;

__attribute__((format(printf, 3, 4)))
static int tf__fail(tf__cfgctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    int off = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->file,
                       n ? n->start_mark.line + 1 : 1, n ? n->start_mark.column + 1 : 1);
    if (off < 0 || (size_t)off >= c->errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + off, c->errlen - (size_t)off, fmt, ap);
    va_end(ap);
    return -1;
}

static yaml_node_t *tf__node(tf__cfgctx *c, int id) { return yaml_document_get_node(c->doc, id); }

static const char *tf__scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int tf__expect(tf__cfgctx *c, yaml_node_t *n, yaml_node_type_t type, const char *what)
{
    static const char *const names[] = {"nothing", "a value", "a list", "a mapping"};
    if (n && n->type == type)
        return 0;
    return tf__fail(c, n, "%s must be %s", what, names[type]);
}

/* Unknown and duplicate keys fail; `allowed` ends with NULL. */
static int tf__check_keys(tf__cfgctx *c, yaml_node_t *map, const char *const *allowed,
                          const char *where)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = tf__node(c, p->key);
        const char *key = tf__scalar(k);
        if (!key)
            return tf__fail(c, k, "keys in %s must be plain names", where);
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            known |= strcmp(*a, key) == 0;
        if (!known) {
            char list[256] = "";
            for (const char *const *a = allowed; *a; a++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                         a == allowed ? "" : ", ", *a);
            return tf__fail(c, k, "unknown key '%s' in %s (known: %s)", key, where, list);
        }
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            const char *prev = tf__scalar(tf__node(c, q->key));
            if (prev && strcmp(prev, key) == 0)
                return tf__fail(c, k, "duplicate key '%s' in %s", key, where);
        }
    }
    return 0;
}

static yaml_node_t *tf__get(tf__cfgctx *c, yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *k = tf__scalar(tf__node(c, p->key));
        if (k && strcmp(k, key) == 0)
            return tf__node(c, p->value);
    }
    return NULL;
}

/* Integer in [min, max]; absent keeps *out (the default). base 0 = decimal. */
static int tf__int(tf__cfgctx *c, yaml_node_t *map, const char *key, int64_t min, int64_t max,
                   int64_t *out)
{
    yaml_node_t *n = tf__get(c, map, key);
    if (!n)
        return 0;
    const char *s = tf__scalar(n);
    if (!s)
        return tf__fail(c, n, "expected an integer for '%s'", key);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || errno)
        return tf__fail(c, n, "expected an integer for '%s', got '%s'", key, s);
    if (v < min || v > max)
        return tf__fail(c, n, "%s %lld is out of range (%lld..%lld)", key, v, (long long)min,
                        (long long)max);
    *out = v;
    return 0;
}

static int tf__u32(tf__cfgctx *c, yaml_node_t *map, const char *key, int64_t min, int64_t max,
                   uint32_t *out)
{
    int64_t v = *out;
    if (tf__int(c, map, key, min, max, &v) != 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int tf__pow2(tf__cfgctx *c, yaml_node_t *map, const char *key, int64_t min, int64_t max,
                    uint32_t *out)
{
    if (tf__u32(c, map, key, min, max, out) != 0)
        return -1;
    if (*out & (*out - 1))
        return tf__fail(c, tf__get(c, map, key), "%s %u is not a power of two", key, *out);
    return 0;
}

static int tf__bool(tf__cfgctx *c, yaml_node_t *map, const char *key, bool *out)
{
    yaml_node_t *n = tf__get(c, map, key);
    if (!n)
        return 0;
    const char *s = tf__scalar(n);
    if (s && strcmp(s, "true") == 0)
        *out = true;
    else if (s && strcmp(s, "false") == 0)
        *out = false;
    else
        return tf__fail(c, n, "%s must be true or false, got '%s'", key, s ? s : "?");
    return 0;
}

/* Names become file and thread names: [A-Za-z0-9_-], 1..31 characters. */
static int tf__name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= TF_CFG_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

static int tf__name_node(tf__cfgctx *c, yaml_node_t *n, const char *what, char *out)
{
    const char *s = tf__scalar(n);
    if (!s)
        return tf__fail(c, n, "%s must be a name", what);
    if (!tf__name_ok(s))
        return tf__fail(c, n, "%s '%s' must be 1..%d characters of A-Z a-z 0-9 _ -", what, s,
                        TF_CFG_NAME_MAX - 1);
    snprintf(out, TF_CFG_NAME_MAX, "%s", s);
    return 0;
}

static int tf__path(tf__cfgctx *c, yaml_node_t *map, const char *key, char *out)
{
    yaml_node_t *n = tf__get(c, map, key);
    if (!n)
        return 0;
    const char *s = tf__scalar(n);
    if (!s)
        return tf__fail(c, n, "%s must be a path", key);
    if (strlen(s) >= TF_CFG_PATH_MAX)
        return tf__fail(c, n, "%s is longer than %d characters", key, TF_CFG_PATH_MAX - 1);
    snprintf(out, TF_CFG_PATH_MAX, "%s", s);
    return 0;
}

static int tf__section(tf__cfgctx *c, yaml_node_t *root, const char *key, const char *const *keys,
                       yaml_node_t **out)
{
    *out = tf__get(c, root, key);
    if (!*out)
        return 0;
    if (tf__expect(c, *out, YAML_MAPPING_NODE, key) != 0)
        return -1;
    return tf__check_keys(c, *out, keys, key);
}

static int tf__shm(tf__cfgctx *c, yaml_node_t *root, tf_config *cfg)
{
    static const char *const keys[] = {"dir", "mode", "on_stale", NULL};
    yaml_node_t *m;
    if (tf__section(c, root, "shm", keys, &m) != 0 || !m)
        return m ? -1 : 0;
    if (tf__path(c, m, "dir", cfg->shm_dir) != 0)
        return -1;
    if (!cfg->shm_dir[0])
        return tf__fail(c, tf__get(c, m, "dir"), "shm.dir must not be empty");
    yaml_node_t *n = tf__get(c, m, "mode");
    if (n) {
        const char *s = tf__scalar(n);
        char *end;
        unsigned long v = s ? strtoul(s, &end, 8) : 0;
        if (!s || !*s || *end || v > 0777)
            return tf__fail(c, n, "shm.mode must be an octal file mode like 0640, got '%s'",
                            s ? s : "?");
        if ((v & 0600) != 0600)
            return tf__fail(c, n, "shm.mode %04lo must let the owner read and write (0600)", v);
        cfg->shm_mode = (uint32_t)v;
    }
    n = tf__get(c, m, "on_stale");
    if (n) {
        const char *s = tf__scalar(n);
        if (s && strcmp(s, "refuse") == 0)
            cfg->on_stale = TF_STALE_REFUSE;
        else if (s && strcmp(s, "replace") == 0)
            cfg->on_stale = TF_STALE_REPLACE;
        else
            return tf__fail(c, n, "shm.on_stale must be refuse or replace, got '%s'", s ? s : "?");
    }
    return 0;
}

static int tf__sizes(tf__cfgctx *c, yaml_node_t *root, tf_config *cfg)
{
    static const char *const ring_keys[] = {"capacity", "request_capacity", NULL};
    static const char *const journal_keys[] = {"md", NULL};
    static const char *const md_keys[] = {"capacity", "file", NULL};
    static const char *const synth_keys[] = {"rate_per_s", "burst", NULL};
    yaml_node_t *m;
    if (tf__section(c, root, "rings", ring_keys, &m) != 0)
        return -1;
    if (m && (tf__pow2(c, m, "capacity", 2, 1 << 24, &cfg->ring_capacity) != 0 ||
              tf__pow2(c, m, "request_capacity", 2, 1 << 20, &cfg->request_ring_capacity) != 0))
        return -1;
    if (tf__section(c, root, "journal", journal_keys, &m) != 0)
        return -1;
    if (m) {
        yaml_node_t *md = tf__get(c, m, "md");
        if (md && (tf__expect(c, md, YAML_MAPPING_NODE, "journal.md") != 0 ||
                   tf__check_keys(c, md, md_keys, "journal.md") != 0 ||
                   tf__pow2(c, md, "capacity", 16, 1 << 26, &cfg->md_journal_capacity) != 0 ||
                   tf__path(c, md, "file", cfg->md_journal_file) != 0))
            return -1;
    }
    if (tf__section(c, root, "synthetic", synth_keys, &m) != 0)
        return -1;
    if (m) {
        int64_t rate = (int64_t)cfg->synthetic.rate_per_s;
        if (tf__int(c, m, "rate_per_s", 0, 1000000000, &rate) != 0 ||
            tf__u32(c, m, "burst", 1, 256, &cfg->synthetic.burst) != 0)
            return -1;
        cfg->synthetic.rate_per_s = (uint64_t)rate;
    }
    int64_t hb = 100;
    if (tf__int(c, root, "heartbeat_period_ms", 1, 10000, &hb) != 0)
        return -1;
    cfg->heartbeat_period_ns = (uint64_t)hb * 1000000ull;
    return 0;
}

static int tf__idle(tf__cfgctx *c, yaml_node_t *n, tf_cfg_idle *idle)
{
    static const char *const keys[] = {"strategy", "spins", "yields", "park_min_ns", "park_max_ns", NULL};
    yaml_node_t *name = n;
    if (n->type == YAML_MAPPING_NODE) {
        if (tf__check_keys(c, n, keys, "idle") != 0)
            return -1;
        name = tf__get(c, n, "strategy");
        if (!name)
            return tf__fail(c, n, "idle needs a 'strategy'");
    }
    const char *s = tf__scalar(name);
    int kind = -1;
    for (int k = 0; s && k < TF_IDLE_KIND_COUNT; k++)
        if (strcmp(s, tf__idle_names[k]) == 0)
            kind = k;
    if (kind < 0)
        return tf__fail(c, name, "unknown idle strategy '%s' (busy-spin, yield, backoff)", s ? s : "?");
    idle->kind = (tf_idle_kind)kind;
    if (n->type == YAML_MAPPING_NODE) {
        int64_t pmin = (int64_t)idle->park_min_ns, pmax = (int64_t)idle->park_max_ns;
        if (tf__u32(c, n, "spins", 0, 1000000000, &idle->spins) != 0 ||
            tf__u32(c, n, "yields", 0, 1000000000, &idle->yields) != 0 ||
            tf__int(c, n, "park_min_ns", 1, 1000000000, &pmin) != 0 ||
            tf__int(c, n, "park_max_ns", 1, 1000000000, &pmax) != 0)
            return -1;
        if (pmin > pmax)
            return tf__fail(c, n, "idle park_min_ns %lld is above park_max_ns %lld",
                            (long long)pmin, (long long)pmax);
        idle->park_min_ns = (uint64_t)pmin;
        idle->park_max_ns = (uint64_t)pmax;
    }
    return 0;
}

/* Where each stage was placed, to report a stage on two threads. */
typedef struct tf__placement {
    const char *thread;
    size_t line;
} tf__placement;

static int tf__thread(tf__cfgctx *c, yaml_node_t *n, int ncpus, tf_config *cfg, uint32_t index,
                      tf__placement *placed)
{
    static const char *const keys[] = {"name", "cpu", "rt_priority", "idle", "stages", NULL};
    char where[32];
    snprintf(where, sizeof where, "threads[%u]", index);
    if (tf__expect(c, n, YAML_MAPPING_NODE, where) != 0 || tf__check_keys(c, n, keys, where) != 0)
        return -1;
    tf_cfg_thread *t = &cfg->threads[index];
    yaml_node_t *name = tf__get(c, n, "name");
    if (!name)
        return tf__fail(c, n, "%s needs a 'name'", where);
    if (tf__name_node(c, name, "thread name", t->name) != 0)
        return -1;
    for (uint32_t i = 0; i < index; i++)
        if (strcmp(cfg->threads[i].name, t->name) == 0)
            return tf__fail(c, name, "thread name '%s' is used twice", t->name);
    int64_t cpu = -1, prio = 0;
    if (tf__int(c, n, "cpu", -1, 1 << 20, &cpu) != 0 ||
        tf__int(c, n, "rt_priority", 0, 99, &prio) != 0)
        return -1;
    if (cpu >= ncpus)
        return tf__fail(c, tf__get(c, n, "cpu"), "cpu %lld does not exist on this host (CPUs 0..%d)",
                        (long long)cpu, ncpus - 1);
    t->cpu = (int32_t)cpu;
    t->rt_priority = (int32_t)prio;
    t->idle = (tf_cfg_idle){.kind = TF_IDLE_BACKOFF, .spins = 100, .yields = 10,
                            .park_min_ns = 1000, .park_max_ns = 1000000};
    yaml_node_t *idle = tf__get(c, n, "idle");
    if (idle && tf__idle(c, idle, &t->idle) != 0)
        return -1;
    yaml_node_t *stages = tf__get(c, n, "stages");
    if (!stages)
        return tf__fail(c, n, "thread '%s' needs 'stages'", t->name);
    if (tf__expect(c, stages, YAML_SEQUENCE_NODE, "stages") != 0)
        return -1;
    for (yaml_node_item_t *it = stages->data.sequence.items.start;
         it < stages->data.sequence.items.top; it++) {
        yaml_node_t *sn = tf__node(c, *it);
        if (t->stage_count >= TF_CFG_MAX_STAGES)
            return tf__fail(c, sn, "more than %d stages on thread '%s'", TF_CFG_MAX_STAGES, t->name);
        const char *s = tf__scalar(sn);
        int known = -1;
        for (int k = 0; s && tf_config_known_stages[k]; k++)
            if (strcmp(s, tf_config_known_stages[k]) == 0)
                known = k;
        if (known < 0) {
            char list[256] = "";
            for (int k = 0; tf_config_known_stages[k]; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                         tf_config_known_stages[k]);
            return tf__fail(c, sn, "unknown stage '%s' (known: %s)", s ? s : "?", list);
        }
        if (placed[known].thread)
            return tf__fail(c, sn, "stage '%s' runs on two threads ('%s' line %zu and '%s' line %zu)",
                            s, placed[known].thread, placed[known].line, t->name,
                            sn->start_mark.line + 1);
        placed[known] = (tf__placement){.thread = t->name, .line = sn->start_mark.line + 1};
        snprintf(t->stages[t->stage_count++], TF_CFG_NAME_MAX, "%s", s);
    }
    if (t->stage_count == 0)
        return tf__fail(c, stages, "thread '%s' has no stages", t->name);
    return 0;
}

static int tf__document(tf__cfgctx *c, int ncpus, tf_config *cfg)
{
    static const char *const keys[] = {"instance", "shm", "rings", "journal", "heartbeat_period_ms",
                                       "lock_memory", "synthetic", "threads", NULL};
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!root)
        return tf__fail(c, NULL, "the file is empty");
    if (tf__expect(c, root, YAML_MAPPING_NODE, "the top level") != 0 ||
        tf__check_keys(c, root, keys, "the top level") != 0)
        return -1;
    yaml_node_t *inst = tf__get(c, root, "instance");
    if (!inst)
        return tf__fail(c, root, "missing required key 'instance'");
    if (tf__name_node(c, inst, "instance", cfg->instance) != 0 || tf__shm(c, root, cfg) != 0 ||
        tf__sizes(c, root, cfg) != 0 || tf__bool(c, root, "lock_memory", &cfg->lock_memory) != 0)
        return -1;
    yaml_node_t *threads = tf__get(c, root, "threads");
    if (!threads)
        return tf__fail(c, root, "missing required key 'threads'");
    if (tf__expect(c, threads, YAML_SEQUENCE_NODE, "threads") != 0)
        return -1;
    tf__placement placed[sizeof tf_config_known_stages / sizeof *tf_config_known_stages];
    memset(placed, 0, sizeof placed);
    for (yaml_node_item_t *it = threads->data.sequence.items.start;
         it < threads->data.sequence.items.top; it++) {
        if (cfg->thread_count >= TF_CFG_MAX_THREADS)
            return tf__fail(c, tf__node(c, *it), "more than %d threads", TF_CFG_MAX_THREADS);
        if (tf__thread(c, tf__node(c, *it), ncpus, cfg, cfg->thread_count, placed) != 0)
            return -1;
        cfg->thread_count++;
    }
    if (cfg->thread_count == 0)
        return tf__fail(c, threads, "at least one thread is needed");
    return 0;
}

static void tf__defaults(tf_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->shm_dir, sizeof cfg->shm_dir, "/dev/shm");
    cfg->shm_mode = 0640;
    cfg->on_stale = TF_STALE_REFUSE;
    cfg->ring_capacity = 4096;
    cfg->request_ring_capacity = 1024;
    cfg->md_journal_capacity = 1u << 20;
    cfg->heartbeat_period_ns = 100000000ull;
    cfg->synthetic.rate_per_s = 100000;
    cfg->synthetic.burst = 64;
}

int tf_config_parse(const char *text, size_t len, const char *name, int ncpus, tf_config *out,
                    char *err, size_t errlen)
{
    static tf_config cfg; /* large; cold path, one caller at a time */
    tf__defaults(&cfg);
    snprintf(cfg.source_file, sizeof cfg.source_file, "%s", name);
    yaml_parser_t parser;
    yaml_document_t doc;
    tf__cfgctx c = {.doc = &doc, .file = name, .err = err, .errlen = errlen};
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: out of memory for the YAML parser", name);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc;
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%zu:%zu: YAML syntax error: %s%s%s", name,
                 parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                 parser.problem ? parser.problem : "unknown",
                 parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    rc = tf__document(&c, ncpus, &cfg);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc == 0)
        *out = cfg;
    return rc;
}

int tf_config_load(const char *path, int ncpus, tf_config *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s:1:1: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len + 4096 > cap) {
            char *nb = realloc(buf, cap ? cap * 2 : 8192);
            if (!nb || cap > (64u << 20)) {
                free(nb ? nb : buf);
                fclose(f);
                snprintf(err, errlen, "%s:1:1: too large or out of memory", path);
                return -1;
            }
            buf = nb;
            cap = cap ? cap * 2 : 8192;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (ioerr) {
        free(buf);
        snprintf(err, errlen, "%s:1:1: read error", path);
        return -1;
    }
    int rc = tf_config_parse(buf, len, path, ncpus, out, err, errlen);
    free(buf);
    return rc;
}
