/* A validating JSON scanner for the market-data decoder (md_decode.c only).
 *
 * One pass over an object records where the value of each key we care
 * about lies (a span per one-letter key, a few named ones), in any order;
 * other keys' values are validated and skipped. Nothing is copied or
 * unescaped: spans point into the caller's buffer. Never reads outside
 * [p, end); containers are walked with an explicit stack (TF__MAX_DEPTH),
 * so hostile nesting cannot recurse. Header-only and inline because these
 * helpers are the decoder's hot path. */
#ifndef TF_ENGINE_JSON_SCAN_H
#define TF_ENGINE_JSON_SCAN_H

#include <stdint.h>
#include <string.h>

#define TF__MAX_DEPTH 32 /* nesting of skipped values */

enum { J_NONE = 0, J_STR, J_NUM, J_OBJ, J_ARR, J_TRUE, J_FALSE, J_NULL };

typedef struct tf__span {
    const char *p;   /* J_STR: the raw characters between the quotes */
    uint32_t len;
    uint8_t type;
    uint8_t escaped; /* J_STR holds a backslash */
} tf__span;

/* Named keys beyond single letters. */
enum { K_STREAM, K_DATA, K_LAST_UPDATE_ID, K_BIDS, K_ASKS, K_RESULT, K_ID, K_CODE, K_MSG, K_COUNT };

typedef struct tf__fields {
    uint64_t have1[2];        /* bit per single-letter key (ASCII) */
    uint32_t have_named;
    tf__span one[128];
    tf__span named[K_COUNT];
} tf__fields;

typedef struct tf__cur {
    const char *p, *end;
} tf__cur;

static inline void tf__ws(tf__cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t'))
        c->p++;
}

/* After an object key: whitespace, ':', whitespace. */
static inline int tf__colon(tf__cur *c)
{
    tf__ws(c);
    if (c->p >= c->end || *c->p != ':')
        return -1;
    c->p++;
    tf__ws(c);
    return 0;
}

static inline int tf__hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* At the opening quote: the string's span; -1 if malformed. */
static inline __attribute__((always_inline)) int tf__string(tf__cur *c, tf__span *s)
{
    const char *p = c->p + 1, *end = c->end;
    s->escaped = 0;
    for (;;) {
        /* The common case: a run of plain characters. */
        while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
            p++;
        if (p >= end || (unsigned char)*p < 0x20)
            return -1;
        if (*p == '"')
            break;
        s->escaped = 1;
        if (p + 1 >= end)
            return -1;
        char e = p[1];
        if (e == 'u') {
            if (p + 6 > end || !tf__hex(p[2]) || !tf__hex(p[3]) || !tf__hex(p[4]) || !tf__hex(p[5]))
                return -1;
            p += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                   e == 't') {
            p += 2;
        } else {
            return -1;
        }
    }
    s->p = c->p + 1;
    s->len = (uint32_t)(p - (c->p + 1));
    s->type = J_STR;
    c->p = p + 1;
    return 0;
}

/* A JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
static inline __attribute__((always_inline)) int tf__number(tf__cur *c, tf__span *s)
{
    const char *p = c->p, *end = c->end;
    if (p < end && *p == '-')
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return -1;
    if (*p == '0')
        p++;
    else
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return -1;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return -1;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    s->p = c->p;
    s->len = (uint32_t)(p - c->p);
    s->type = J_NUM;
    c->p = p;
    return 0;
}

static inline int tf__literal(tf__cur *c, const char *word, size_t n)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return -1;
    c->p += n;
    return 0;
}

static inline __attribute__((always_inline)) int tf__scalar(tf__cur *c, tf__span *s)
{
    if (c->p >= c->end)
        return -1;
    switch (*c->p) {
    case '"': return tf__string(c, s);
    case 't': s->type = J_TRUE; s->p = c->p; s->len = 4; return tf__literal(c, "true", 4);
    case 'f': s->type = J_FALSE; s->p = c->p; s->len = 5; return tf__literal(c, "false", 5);
    case 'n': s->type = J_NULL; s->p = c->p; s->len = 4; return tf__literal(c, "null", 4);
    default: return tf__number(c, s);
    }
}

/* Any value, validated. Containers are walked iteratively with an explicit
 * stack (at most TF__MAX_DEPTH deep), so hostile nesting cannot recurse. */
static inline int tf__value(tf__cur *c, tf__span *s)
{
    tf__ws(c);
    if (c->p >= c->end)
        return -1;
    if (*c->p != '{' && *c->p != '[')
        return tf__scalar(c, s);
    char stack[TF__MAX_DEPTH];
    int depth = 0;
    const char *start = c->p;
    s->type = *c->p == '{' ? J_OBJ : J_ARR;
    stack[depth++] = *c->p++;
    int opened = 1; /* just after an opening bracket: it may close at once */
    tf__span tmp;
    for (;;) {
        tf__ws(c);
        if (c->p >= c->end)
            return -1;
        char top = stack[depth - 1];
        if (opened && *c->p == (top == '{' ? '}' : ']')) {
            c->p++;
            depth--;
        } else {
            if (top == '{') {
                if (*c->p != '"' || tf__string(c, &tmp) != 0)
                    return -1;
                if (tf__colon(c) != 0 || c->p >= c->end)
                    return -1;
            }
            if (*c->p == '{' || *c->p == '[') {
                if (depth >= TF__MAX_DEPTH)
                    return -1;
                stack[depth++] = *c->p++;
                opened = 1;
                continue;
            }
            if (tf__scalar(c, &tmp) != 0)
                return -1;
        }
        /* After a complete value: a comma, or closing brackets. */
        for (;;) {
            if (depth == 0) {
                s->p = start;
                s->len = (uint32_t)(c->p - start);
                return 0;
            }
            tf__ws(c);
            if (c->p >= c->end)
                return -1;
            if (*c->p == ',') {
                c->p++;
                break;
            }
            if (*c->p == (stack[depth - 1] == '{' ? '}' : ']')) {
                c->p++;
                depth--;
                continue;
            }
            return -1;
        }
        opened = 0;
    }
}

static inline void tf__fields_clear(tf__fields *f)
{
    f->have1[0] = f->have1[1] = 0;
    f->have_named = 0;
}

static inline int tf__has1(const tf__fields *f, char k)
{
    return (f->have1[(unsigned char)k >> 6] >> ((unsigned char)k & 63)) & 1;
}

static inline const tf__span *tf__get1(const tf__fields *f, char k)
{
    return tf__has1(f, k) ? &f->one[(unsigned char)k] : NULL;
}

static inline const tf__span *tf__getn(const tf__fields *f, int k)
{
    return (f->have_named >> k) & 1 ? &f->named[k] : NULL;
}

static inline int tf__named_key(const char *k, uint32_t n)
{
    switch (n) {
    case 2: return memcmp(k, "id", 2) == 0 ? K_ID : -1;
    case 3: return memcmp(k, "msg", 3) == 0 ? K_MSG : -1;
    case 4:
        if (memcmp(k, "data", 4) == 0) return K_DATA;
        if (memcmp(k, "bids", 4) == 0) return K_BIDS;
        if (memcmp(k, "asks", 4) == 0) return K_ASKS;
        if (memcmp(k, "code", 4) == 0) return K_CODE;
        return -1;
    case 6:
        if (memcmp(k, "stream", 6) == 0) return K_STREAM;
        if (memcmp(k, "result", 6) == 0) return K_RESULT;
        return -1;
    case 12: return memcmp(k, "lastUpdateId", 12) == 0 ? K_LAST_UPDATE_ID : -1;
    default: return -1;
    }
}

/* Parse one object (cursor at '{'), recording known fields. Containers under
 * known keys are recorded as spans (parsed later); a repeated key keeps the
 * last value, as most JSON parsers do. */
static inline int tf__object(tf__cur *c, tf__fields *f, tf__fields *data_fields)
{
    tf__fields_clear(f);
    tf__ws(c);
    if (c->p >= c->end || *c->p != '{')
        return -1;
    c->p++;
    tf__ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 0;
    }
    for (;;) {
        tf__span key, scratch;
        tf__ws(c);
        if (c->p + 3 <= c->end && c->p[0] == '"' && c->p[2] == '"' && c->p[1] != '\\' &&
            (unsigned char)c->p[1] >= 0x20) {
            /* one-letter keys, most of Binance's: no scan */
            key.p = c->p + 1;
            key.len = 1;
            key.escaped = 0;
            key.type = J_STR;
            c->p += 3;
        } else if (c->p >= c->end || *c->p != '"' || tf__string(c, &key) != 0) {
            return -1;
        }
        if (tf__colon(c) != 0)
            return -1;
        /* Where the value goes, decided before it is parsed: the value is
         * written once, in place (copying a just-written span stalls on
         * store forwarding). */
        tf__span *dst = &scratch;
        int is_data = 0;
        if (!key.escaped) {
            if (key.len == 1 && (unsigned char)key.p[0] < 128) {
                unsigned char k = (unsigned char)key.p[0];
                dst = &f->one[k];
                f->have1[k >> 6] |= 1ull << (k & 63);
            } else {
                int nk = tf__named_key(key.p, key.len);
                if (nk >= 0) {
                    dst = &f->named[nk];
                    f->have_named |= 1u << nk;
                    is_data = nk == K_DATA;
                }
            }
        }
        if (data_fields && is_data && c->p < c->end && *c->p == '{') {
            /* The combined-stream payload: parse it in the same pass. */
            const char *vstart = c->p;
            if (tf__object(c, data_fields, NULL) != 0)
                return -1;
            dst->type = J_OBJ;
            dst->p = vstart;
            dst->len = (uint32_t)(c->p - vstart);
            dst->escaped = 0;
            data_fields->have_named |= 1u << 31; /* parsed */
        } else if (tf__value(c, dst) != 0) {
            return -1;
        }
        tf__ws(c);
        if (c->p >= c->end)
            return -1;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p == '}') {
            c->p++;
            return 0;
        }
        return -1;
    }
}

#endif
