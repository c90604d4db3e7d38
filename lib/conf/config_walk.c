/* The config's generic walker: a YAML mapping read row by row against a key
 * table (non-name, unknown and duplicate keys refused), lists of mappings,
 * scalars checked by row type, decimals, and the "<file>:<line>:<col>:
 * <reason>" failure every check ends in. The lowest file of lib/conf: it
 * calls nothing else there. Cold path. */
#include "lib/conf/config_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/err.h"
#include "shm/fixed.h"

/* "<file>:<line>:<col>: <reason>" at node n (1:1 without one); always -1. */
int tf__cfg_fail(tf__cfg_ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    yaml_mark_t m = n ? n->start_mark : (yaml_mark_t){0};
    int off = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->file, m.line + 1, m.column + 1);
    if (off >= 0 && (size_t)off < c->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err + off, c->errlen - (size_t)off, fmt, ap);
        va_end(ap);
    }
    return -1;
}

yaml_node_t *tf__cfg_node(tf__cfg_ctx *c, int id) { return yaml_document_get_node(c->doc, id); }

const char *tf__cfg_str(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* How a message shows a node the user wrote: 'value' (cut short), or its shape. */
const char *tf__cfg_got(tf__cfg_ctx *c, const yaml_node_t *n)
{
    const char *s = tf__cfg_str(n);
    if (!s)
        return n && n->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping";
    if (!*s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return "nothing";
    snprintf(c->got, sizeof c->got, strlen(s) > 40 ? "'%.40s...'" : "'%s'", s);
    return c->got;
}

/* "a, b, c" from a NULL-terminated run of names `stride` bytes apart. */
const char *tf__cfg_join(char *buf, size_t len, const char *const *p, size_t stride)
{
    buf[0] = 0;
    for (size_t used = 0; *p && used < len; p = (const char *const *)((const char *)p + stride))
        used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "", *p);
    return buf;
}

yaml_node_t *tf__cfg_find(tf__cfg_ctx *c, const yaml_node_t *m, const char *key)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = tf__cfg_str(tf__cfg_node(c, p->key));
        if (k && strcmp(k, key) == 0)
            return tf__cfg_node(c, p->value);
    }
    return NULL;
}

size_t tf__cfg_count(const yaml_node_t *seq)
{
    return (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
}

/* Strict decimal or octal: optional '-', digits only, nothing after. A value
 * beyond 64 bits is clamped (so it fails the range check with its own text). */
static bool tf__cfg_parse_int(const char *s, int base, int64_t *v)
{
    char *end;
    *v = strtoll(s, &end, base);
    return (*s == '-' || (*s >= '0' && *s <= '9')) && end != s && !*end;
}

/* Integer fields are 8 or 4 bytes (int32, uint32 and enums alike: same bits). */
static void tf__cfg_store(void *dst, size_t size, int64_t v)
{
    uint64_t u64 = (uint64_t)v;
    uint32_t u32 = (uint32_t)v;
    if (size == sizeof u64)
        memcpy(dst, &u64, sizeof u64);
    else
        memcpy(dst, &u32, sizeof u32);
}

static int tf__cfg_name(tf__cfg_ctx *c, yaml_node_t *n, const char *what, char *dst)
{
    const char *s = tf__cfg_str(n);
    if (!s)
        return tf__cfg_fail(c, n, "%s must be a name, got %s", what, tf__cfg_got(c, n));
    size_t len = strlen(s);
    if (len == 0)
        return tf__cfg_fail(c, n, "%s must not be empty", what);
    if (len >= TF_CFG_NAME_MAX)
        return tf__cfg_fail(c, n, "%s %s is too long (%zu characters, at most %d)", what, tf__cfg_got(c, n),
                            len, TF_CFG_NAME_MAX - 1);
    if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") != len)
        return tf__cfg_fail(c, n, "%s %s may only use A-Z a-z 0-9 _ -", what, tf__cfg_got(c, n));
    memcpy(dst, s, len + 1);
    return 0;
}

/* One value `n` for row `k`; `where` names the mapping it is in. */
int tf__cfg_value(tf__cfg_ctx *c, const tf__cfg_key *k, yaml_node_t *n, char *base, const char *where)
{
    char name[80], list[128];
    snprintf(name, sizeof name, "%s%s%s", where, *where ? "." : "", k->key);
    const char *s = tf__cfg_str(n);
    void *dst = base + k->off;
    int64_t v = 0;
    switch (k->type) {
    case TF__T_MAP: return tf__cfg_map(c, n, k->sub, base + k->off, name);
    case TF__T_THREADS: return c->read->threads(c, n);
    case TF__T_INSTRUMENTS: return c->read->instruments(c, n);
    case TF__T_RISK_INSTRUMENTS: return c->read->risk_instruments(c, n);
    case TF__T_STRATEGIES: return c->read->strategies(c, n);
    case TF__T_STREAMS: return c->read->streams(c, n, dst, name);
    case TF__T_SYMBOL:
        if (!s || !*s || strlen(s) >= k->size || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                         "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(s))
            return tf__cfg_fail(c, n, "%s must be 1..%zu letters and digits, got %s", name, k->size - 1,
                                tf__cfg_got(c, n));
        memcpy(dst, s, strlen(s) + 1);
        return 0;
    case TF__T_DECIMAL:
        if (!s || !*s || strlen(s) >= k->size ||
            strspn(s, "0123456789.") != strlen(s) || s[0] == '.')
            return tf__cfg_fail(c, n, "%s must be a non-negative decimal like \"0.01\", got %s", name,
                                tf__cfg_got(c, n));
        memcpy(dst, s, strlen(s) + 1);
        return 0;
    case TF__T_STAGES: return c->read->stages(c, n, (tf_cfg_thread *)base);
    case TF__T_IDLE: return c->read->idle(c, n, dst, name);
    case TF__T_NAME: return tf__cfg_name(c, n, k->what, dst);
    case TF__T_PATH:
        if (!s)
            return tf__cfg_fail(c, n, "expected a path for '%s', got %s", k->key, tf__cfg_got(c, n));
        if (strlen(s) < (size_t)k->min)
            return tf__cfg_fail(c, n, "%s must not be empty", name);
        if (strlen(s) >= k->size)
            return tf__cfg_fail(c, n, "%s is too long (%zu characters, at most %zu)", name, strlen(s),
                                k->size - 1);
        memcpy(dst, s, strlen(s) + 1);
        return 0;
    case TF__T_BOOL:
        if (!s || (strcmp(s, "true") != 0 && strcmp(s, "false") != 0))
            return tf__cfg_fail(c, n, "expected true or false for '%s', got %s", k->key, tf__cfg_got(c, n));
        *(bool *)dst = s[0] == 't';
        return 0;
    case TF__T_ENUM:
        for (const char *const *e = k->sub; s && *e; e++)
            if (strcmp(s, *e) == 0) {
                tf__cfg_store(dst, k->size, e - (const char *const *)k->sub);
                return 0;
            }
        tf__cfg_join(list, sizeof list, k->sub, sizeof(char *));
        if (!s)
            return tf__cfg_fail(c, n, "expected one of %s for '%s', got %s", list, k->key, tf__cfg_got(c, n));
        return tf__cfg_fail(c, n, "unknown %s %s (%s)", k->what, tf__cfg_got(c, n), list);
    case TF__T_MODE:
        if (!s || s[0] != '0' || !tf__cfg_parse_int(s, 8, &v))
            return tf__cfg_fail(c, n, "expected an octal mode with a leading 0 (like 0640) for '%s', got %s",
                                k->key, tf__cfg_got(c, n));
        if (v > 0777)
            return tf__cfg_fail(c, n, "%s %s is out of range (at most 0777)", name, s);
        if ((v & 0600) != 0600)
            return tf__cfg_fail(c, n, "%s %s must let the owner read and write (0600)", name, s);
        /* Whoever may write the segments may forge market data, state and
         * order requests: group and others may read at most (0640, 0644). */
        if (v & 0022)
            return tf__cfg_fail(c, n, "%s %s lets group or others write the shared memory (use 0640 or 0600)",
                                name, s);
        tf__cfg_store(dst, k->size, v);
        return 0;
    case TF__T_INT: case TF__T_POW2: case TF__T_MS: case TF__T_CPU:
        break;
    }
    if (!s || !tf__cfg_parse_int(s, 10, &v))
        return tf__cfg_fail(c, n, "expected an integer for '%s', got %s", k->key, tf__cfg_got(c, n));
    if (k->type == TF__T_CPU) {
        if (v < -1)
            return tf__cfg_fail(c, n, "cpu %s is out of range (-1 = not pinned, or a CPU number)", s);
        if (v >= c->ncpus)
            return tf__cfg_fail(c, n, "cpu %s does not exist on this host (CPUs 0..%d)", s, c->ncpus - 1);
    } else if (v < k->min || v > k->max) {
        return tf__cfg_fail(c, n, "%s %s is out of range (%lld..%lld)", name, s, (long long)k->min,
                            (long long)k->max);
    }
    if (k->type == TF__T_POW2 && (v & (v - 1)) != 0)
        return tf__cfg_fail(c, n, "%s %s is not a power of two", name, s);
    if (k->type == TF__T_MS && k->what && strcmp(k->what, "s") == 0)
        v *= 1000; /* a row in seconds */
    tf__cfg_store(dst, k->size, k->type == TF__T_MS ? v * 1000000 : v);
    return 0;
}

/* Check every key of mapping `m` (names, known, unique), then read the rows. */
int tf__cfg_map(tf__cfg_ctx *c, yaml_node_t *m, const tf__cfg_key *keys, char *base, const char *where)
{
    const char *in = *where ? where : "the top level";
    char list[512]; /* every key of the largest map, named in an error */
    if (!m || m->type != YAML_MAPPING_NODE)
        return tf__cfg_fail(c, m, "%s must be a mapping, got %s", in, tf__cfg_got(c, m));
    yaml_node_pair_t *first = m->data.mapping.pairs.start;
    for (yaml_node_pair_t *p = first; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = tf__cfg_node(c, p->key);
        const char *key = tf__cfg_str(kn);
        if (!key)
            return tf__cfg_fail(c, kn, "keys in %s must be names, got %s", in, tf__cfg_got(c, kn));
        const tf__cfg_key *k = keys;
        while (k->key && strcmp(k->key, key) != 0)
            k++;
        if (!k->key)
            return tf__cfg_fail(c, kn, "unknown key %s in %s (known: %s)", tf__cfg_got(c, kn), in,
                                tf__cfg_join(list, sizeof list, &keys->key, sizeof *keys));
        for (yaml_node_pair_t *q = first; q < p; q++) {
            yaml_node_t *qn = tf__cfg_node(c, q->key);
            if (tf__cfg_str(qn) && strcmp(tf__cfg_str(qn), key) == 0)
                return tf__cfg_fail(c, kn, "duplicate key '%s' in %s (first on line %zu)", key, in,
                                    qn->start_mark.line + 1);
        }
    }
    for (const tf__cfg_key *k = keys; k->key; k++) {
        yaml_node_t *v = tf__cfg_find(c, m, k->key);
        if (!v && k->required)
            return tf__cfg_fail(c, m, "missing required key '%s' in %s", k->key, in);
        if (v && tf__cfg_value(c, k, v, base, where) != 0)
            return -1;
    }
    return 0;
}

/* A decimal text at `precision` into units; failures point at the key's value. */
int tf__cfg_decimal(tf__cfg_ctx *c, yaml_node_t *m, const char *key, const char *text,
                       unsigned precision, const char *where, int64_t *out)
{
    if (!*text) {
        *out = 0;
        return 0;
    }
    tf_fixed_rc rc = tf_fixed_parse(text, strlen(text), precision, out);
    if (rc == TF_FIXED_OK)
        return 0;
    yaml_node_t *v = tf__cfg_find(c, m, key);
    if (rc == TF_FIXED_PRECISION)
        return tf__cfg_fail(c, v, "%s.%s \"%s\" has more decimals than its precision (%u)", where, key,
                            text, precision);
    return tf__cfg_fail(c, v, "%s.%s \"%s\" is not a decimal that fits at precision %u", where, key,
                        text, precision);
}

/* A list of mappings into `array` (`elem_size` bytes each, at most `max`):
 * each item starts as `defaults` (NULL: zeros), is read by `keys`, then
 * checked by `item`; *count is the number of items that passed. */
int tf__cfg_list(tf__cfg_ctx *c, yaml_node_t *n, const char *name, uint32_t max, void *array,
                    size_t elem_size, const void *defaults, const tf__cfg_key *keys, tf__cfg_item_fn item,
                    uint32_t *count)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return tf__cfg_fail(c, n, "%s must be a list, got %s", name, tf__cfg_got(c, n));
    if (tf__cfg_count(n) > max)
        return tf__cfg_fail(c, tf__cfg_node(c, n->data.sequence.items.start[max]), "too many %s (at most %u)",
                            name, max);
    for (uint32_t i = 0; i < tf__cfg_count(n); i++) {
        yaml_node_t *in = tf__cfg_node(c, n->data.sequence.items.start[i]);
        char *elem = (char *)array + (size_t)i * elem_size;
        char where[48];
        snprintf(where, sizeof where, "%s[%u]", name, i);
        if (defaults)
            memcpy(elem, defaults, elem_size);
        else
            memset(elem, 0, elem_size);
        if (tf__cfg_map(c, in, keys, elem, where) != 0 || item(c, in, elem, i, where) != 0)
            return -1;
        *count = i + 1;
    }
    return 0;
}
