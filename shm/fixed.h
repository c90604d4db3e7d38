/* Exact decimal <-> fixed-point conversion for prices and quantities.
 *
 * A value with precision p is an int64 counting units of 10^-p: "43210.12"
 * at p=2 is 4321012. Parsing never goes through floating point, so every
 * decimal string the venue sends becomes exactly the integer it denotes, or
 * is refused.
 *
 * PROMISE: tf_fixed_parse accepts [-]digits[.digits], at least one digit,
 * no exponent, no spaces; extra fractional digits are accepted only when
 * they are zeros ("0.10000000" at p=2 is 10; "0.105" at p=2 is refused as
 * TF_FIXED_PRECISION); values that do not fit int64 are TF_FIXED_OVERFLOW.
 * No allocation, no locale, safe on non-NUL-terminated input. */
#ifndef TF_SHM_FIXED_H
#define TF_SHM_FIXED_H

#include <stddef.h>
#include <stdint.h>

#define TF_FIXED_MAX_PRECISION 18u

typedef enum tf_fixed_rc {
    TF_FIXED_OK = 0,
    TF_FIXED_SYNTAX,           /* not [-]digits[.digits] */
    TF_FIXED_PRECISION,        /* non-zero digits beyond the precision */
    TF_FIXED_OVERFLOW,         /* does not fit int64 at this precision */
} tf_fixed_rc;

extern const int64_t tf_pow10[TF_FIXED_MAX_PRECISION + 1];

tf_fixed_rc tf_fixed_parse(const char *s, size_t len, unsigned precision, int64_t *out);

/* Write `v` at `precision` as a decimal with exactly `precision` fractional
 * digits (none and no point when 0). Returns the length written (excluding
 * the NUL), or 0 — leaving "" in `buf` when cap > 0 — if `cap` is too small
 * or `precision` is above TF_FIXED_MAX_PRECISION. Never writes past `cap`:
 * readers pass precisions read from shared memory. */
size_t tf_fixed_format(char *buf, size_t cap, int64_t v, unsigned precision);

/* A precision this library can parse, format and scale by (tf_pow10):
 * readers check every precision they take from a segment with it. */
static inline int tf_fixed_precision_ok(unsigned precision)
{
    return precision <= TF_FIXED_MAX_PRECISION;
}

/* Decimal digits of v into out (no NUL, at most 20); returns how many. */
static inline size_t tf_u64_text(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* price (pp) * qty (qp) as a value at price precision pp, rounded half away
 * from zero; exact intermediate (128-bit). */
static inline int64_t tf_fixed_notional(int64_t price, int64_t qty, unsigned qty_precision)
{
    __int128 n = (__int128)price * qty;
    __int128 d = tf_pow10[qty_precision];
    __int128 q = n >= 0 ? (n + d / 2) / d : (n - d / 2) / d;
    return (int64_t)q;
}

#endif
