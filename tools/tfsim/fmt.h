/* tfsim: JSON writing helpers. Prices and quantities are int64 in 1e-8
 * units and print with 8 decimals, as Binance sends them. No allocation.
 * Digits come from the project's one decimal writer, tf_u64_text
 * (shm/fixed.h); this file adds the bounds (fmt_buf.overflow). */
#ifndef TF_TFSIM_FMT_H
#define TF_TFSIM_FMT_H

#include <stdint.h>
#include <string.h>

#include "shm/fixed.h"

typedef struct fmt_buf {
    char *p, *end;
    int overflow;
} fmt_buf;

static inline void fmt_str(fmt_buf *b, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(b->end - b->p) < n) {
        b->overflow = 1;
        return;
    }
    memcpy(b->p, s, n);
    b->p += n;
}

static inline void fmt_u64(fmt_buf *b, uint64_t v)
{
    if (b->end - b->p >= 20) { /* room for any uint64 */
        b->p += tf_u64_text(b->p, v);
        return;
    }
    char tmp[20];
    size_t n = tf_u64_text(tmp, v);
    if ((size_t)(b->end - b->p) < n) {
        b->overflow = 1;
        return;
    }
    memcpy(b->p, tmp, n);
    b->p += n;
}

static inline void fmt_i64(fmt_buf *b, int64_t v)
{
    if (v < 0) {
        fmt_str(b, "-");
        fmt_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        fmt_u64(b, (uint64_t)v);
    }
}

/* "123.45000000" (quoted) from 1e-8 units. */
static inline void fmt_dec8(fmt_buf *b, int64_t v)
{
    if (b->end - b->p < 32) {
        b->overflow = 1;
        return;
    }
    *b->p++ = '"';
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        *b->p++ = '-';
        u = (uint64_t)0 - u;
    }
    fmt_u64(b, u / 100000000u);
    *b->p++ = '.';
    /* the 8 fractional digits, zero-padded: 1ffffffff without its 1 */
    char tmp[20];
    tf_u64_text(tmp, 100000000u + u % 100000000u);
    memcpy(b->p, tmp + 1, 8);
    b->p += 8;
    *b->p++ = '"';
}

#endif
