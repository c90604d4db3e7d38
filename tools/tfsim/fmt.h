/* tfsim: JSON writing helpers. Prices and quantities are int64 in 1e-8
 * units and print with 8 decimals, as Binance sends them. No allocation. */
#ifndef TF_TFSIM_FMT_H
#define TF_TFSIM_FMT_H

#include <stdint.h>
#include <string.h>

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
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (b->end - b->p < n) {
        b->overflow = 1;
        return;
    }
    while (n)
        *b->p++ = tmp[--n];
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
    if (v < 0) {
        *b->p++ = '-';
        v = -v;
    }
    fmt_u64(b, (uint64_t)v / 100000000u);
    *b->p++ = '.';
    uint64_t f = (uint64_t)v % 100000000u;
    for (int i = 7; i >= 0; i--) {
        b->p[i] = (char)('0' + f % 10);
        f /= 10;
    }
    b->p += 8;
    *b->p++ = '"';
}

#endif
