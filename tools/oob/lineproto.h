/* InfluxDB 1.x line protocol, written by hand into a caller's buffer: no
 * allocation, no printf, exact decimals for fixed-point prices.
 *
 *   measurement[,tag=value...] field=value[,field=value...] timestamp\n
 *
 * Escaping (InfluxDB 1.x line-protocol reference): measurement names escape
 * comma and space; tag keys, tag values and field keys escape comma, equals
 * sign and space; string field values are double-quoted and escape double
 * quote and backslash. Integers carry an `i` suffix. A newline can appear in
 * none of them: such a name is refused (returns false), never written.
 *
 * PROMISE: every lp_* call either appends its whole element and returns
 * true, or returns false and leaves b->len where it was before that call
 * (lp_point_begin/lp_point_abort let a caller drop a half-built line). */
#ifndef TF_TOOLS_OOB_LINEPROTO_H
#define TF_TOOLS_OOB_LINEPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shm/fixed.h"
#include "tools/oob/oob_process.h"

typedef struct lp_buf {
    char *p;
    size_t len, cap;
    size_t line_start;  /* where the point being built began */
    bool first_field;
} lp_buf;

static inline bool lp__room(const lp_buf *b, size_t n) { return b->cap - b->len >= n; }

/* Append s escaping every byte found in `special` with a backslash. */
static inline bool lp__escaped(lp_buf *b, const char *s, const char *special)
{
    size_t start = b->len;
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r' || !lp__room(b, 2)) {
            b->len = start;
            return false;
        }
        if (strchr(special, *s))
            b->p[b->len++] = '\\';
        b->p[b->len++] = *s;
    }
    return true;
}

static inline void lp_point_begin(lp_buf *b)
{
    b->line_start = b->len;
    b->first_field = true;
}
static inline void lp_point_abort(lp_buf *b) { b->len = b->line_start; }

static inline bool lp_measurement(lp_buf *b, const char *name)
{
    lp_point_begin(b);
    return *name && lp__escaped(b, name, ", ");
}

static inline bool lp_tag(lp_buf *b, const char *key, const char *value)
{
    size_t start = b->len;
    if (!*key || !*value || !lp__room(b, 2))
        return false;
    b->p[b->len++] = ',';
    if (!lp__escaped(b, key, ",= ") || !lp__room(b, 1))
        goto undo;
    b->p[b->len++] = '=';
    if (!lp__escaped(b, value, ",= "))
        goto undo;
    return true;
undo:
    b->len = start;
    return false;
}

static inline bool lp__field_key(lp_buf *b, const char *key)
{
    if (!*key || !lp__room(b, 1))
        return false;
    b->p[b->len++] = b->first_field ? ' ' : ',';
    if (!lp__escaped(b, key, ",= ") || !lp__room(b, 1))
        return false;
    b->p[b->len++] = '=';
    return true;
}

/* A fixed-point value as an exact decimal (InfluxDB stores a float64, parsed
 * from this text with correct rounding). */
static inline bool lp_field_fixed(lp_buf *b, const char *key, int64_t v, unsigned precision)
{
    size_t start = b->len;
    if (!lp__field_key(b, key) || !lp__room(b, 48))
        goto undo;
    size_t n = tf_fixed_format(b->p + b->len, 48, v, precision);
    if (!n)
        goto undo;
    b->len += n;
    b->first_field = false;
    return true;
undo:
    b->len = start;
    return false;
}

static inline bool lp_field_int(lp_buf *b, const char *key, int64_t v)
{
    size_t start = b->len;
    if (!lp__field_key(b, key) || !lp__room(b, 24))
        goto undo;
    uint64_t mag = (uint64_t)v;
    if (v < 0) {
        b->p[b->len++] = '-';
        mag = 0 - mag;
    }
    b->len += tf_u64_text(b->p + b->len, mag);
    b->p[b->len++] = 'i';
    b->first_field = false;
    return true;
undo:
    b->len = start;
    return false;
}

static inline bool lp_field_bool(lp_buf *b, const char *key, bool v)
{
    size_t start = b->len;
    if (!lp__field_key(b, key) || !lp__room(b, 5))
        goto undo;
    memcpy(b->p + b->len, v ? "true" : "false", v ? 4 : 5);
    b->len += v ? 4 : 5;
    b->first_field = false;
    return true;
undo:
    b->len = start;
    return false;
}

static inline bool lp_field_str(lp_buf *b, const char *key, const char *v)
{
    size_t start = b->len;
    if (!lp__field_key(b, key) || !lp__room(b, 1))
        goto undo;
    b->p[b->len++] = '"';
    if (!lp__escaped(b, v, "\"\\") || !lp__room(b, 1))
        goto undo;
    b->p[b->len++] = '"';
    b->first_field = false;
    return true;
undo:
    b->len = start;
    return false;
}

/* End the point with its timestamp (in the write's precision) and '\n'. */
static inline bool lp_point_end(lp_buf *b, int64_t ts)
{
    if (b->first_field || !lp__room(b, 24))
        return false; /* a point needs at least one field */
    b->p[b->len++] = ' ';
    uint64_t mag = (uint64_t)ts;
    if (ts < 0) {
        b->p[b->len++] = '-';
        mag = 0 - mag;
    }
    b->len += tf_u64_text(b->p + b->len, mag);
    b->p[b->len++] = '\n';
    return true;
}

#endif
