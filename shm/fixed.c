/* Exact decimal <-> fixed-point conversion (see fixed.h). */
#include "shm/fixed.h"

const int64_t tf_pow10[TF_FIXED_MAX_PRECISION + 1] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL,
    100000000LL, 1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL,
    10000000000000LL, 100000000000000LL, 1000000000000000LL, 10000000000000000LL,
    100000000000000000LL, 1000000000000000000LL,
};

/* Checked: every step guards against overflow (values of 19 digits). */
static tf_fixed_rc tf__parse_checked(const char *s, size_t len, unsigned precision, int64_t *out)
{
    if (precision > TF_FIXED_MAX_PRECISION)
        return TF_FIXED_OVERFLOW;
    size_t i = 0;
    int neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    /* Accumulate as a negative number so INT64_MIN is reachable. */
    int64_t acc = 0;
    size_t int_digits = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, int_digits++) {
        int d = s[i] - '0';
        if (acc < (INT64_MIN + d) / 10)
            return TF_FIXED_OVERFLOW;
        acc = acc * 10 - d;
    }
    unsigned frac = 0;
    size_t frac_digits = 0;
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, frac_digits++) {
            int d = s[i] - '0';
            if (frac < precision) {
                if (acc < (INT64_MIN + d) / 10)
                    return TF_FIXED_OVERFLOW;
                acc = acc * 10 - d;
                frac++;
            } else if (d != 0) {
                return TF_FIXED_PRECISION;
            }
        }
        if (frac_digits == 0)
            return TF_FIXED_SYNTAX;
    }
    if (i != len || int_digits == 0)
        return TF_FIXED_SYNTAX;
    for (; frac < precision; frac++) {
        if (acc < INT64_MIN / 10)
            return TF_FIXED_OVERFLOW;
        acc *= 10;
    }
    if (!neg) {
        if (acc == INT64_MIN)
            return TF_FIXED_OVERFLOW;
        acc = -acc;
    }
    *out = acc;
    return TF_FIXED_OK;
}

/* The common case without a division per digit: at most 18 digits always
 * fit int64; longer inputs take the checked path. Same rules, same answers. */
tf_fixed_rc tf_fixed_parse(const char *s, size_t len, unsigned precision, int64_t *out)
{
    if (precision > TF_FIXED_MAX_PRECISION)
        return TF_FIXED_OVERFLOW;
    size_t i = 0;
    int neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    uint64_t acc = 0;
    unsigned nd = 0, frac = 0;
    size_t int_digits = 0, frac_digits = 0;
    for (; i < len && (unsigned)(s[i] - '0') < 10; i++, int_digits++) {
        acc = acc * 10 + (unsigned)(s[i] - '0');
        if (++nd > 18)
            return tf__parse_checked(s, len, precision, out);
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && (unsigned)(s[i] - '0') < 10; i++, frac_digits++) {
            unsigned d = (unsigned)(s[i] - '0');
            if (frac < precision) {
                acc = acc * 10 + d;
                frac++;
                if (++nd > 18)
                    return tf__parse_checked(s, len, precision, out);
            } else if (d != 0) {
                return TF_FIXED_PRECISION;
            }
        }
        if (frac_digits == 0)
            return TF_FIXED_SYNTAX;
    }
    if (i != len || int_digits == 0)
        return TF_FIXED_SYNTAX;
    for (; frac < precision; frac++) {
        acc *= 10;
        if (++nd > 18)
            return tf__parse_checked(s, len, precision, out);
    }
    *out = neg ? -(int64_t)acc : (int64_t)acc;
    return TF_FIXED_OK;
}

size_t tf_fixed_format(char *buf, size_t cap, int64_t v, unsigned precision)
{
    /* The precision often comes from shared memory (an instrument's slot):
     * past the maximum no value can be meant, and the digits below would
     * outgrow tmp. Refused like a short buffer, and the caller's buffer
     * holds "" so one that ignores the result prints nothing stale. */
    if (cap)
        buf[0] = 0;
    if (precision > TF_FIXED_MAX_PRECISION)
        return 0;
    char tmp[48]; /* at most 19 digits + '.' + a leading 0 + '-' */
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    unsigned digits = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
        digits++;
        if (digits == precision && precision)
            tmp[n++] = '.';
    } while (u || digits <= precision);
    if (precision && tmp[n - 1] == '.')
        tmp[n++] = '0';
    if (v < 0)
        tmp[n++] = '-';
    if (n + 1 > cap)
        return 0;
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return n;
}
