/* FIX 4.4 tag=value codec (see fix_codec.h).
 *
 * Design. The codec sits on the order path, so it does the least work that
 * still validates a message completely. Framing looks only at the fixed
 * "8=FIX.4.4|9=N|" start and at where "10=" must be, so a receive loop finds
 * message boundaries without scanning bodies, and resynchronizes on the next
 * "8=FIX" after garbage. Parsing is one forward pass: the header and the
 * trailer are checked at fixed positions (BodyLength says exactly where the
 * CheckSum is, so a bad length is caught before any field is trusted), the
 * sum is taken over the bytes once, then each field is split at its SOH and
 * recorded as an offset/length; nothing is copied except the 1–3 character
 * MsgType. RawData (96) after RawDataLength (95) is taken by length, so it may
 * hold SOH. Encoding appends "tag=value|" after a reserved prefix, always
 * keeping 7 bytes for the trailer, so tf_fix_finish cannot run out of room;
 * the header goes right-aligned in the prefix once the body length is known,
 * which avoids moving the body. Numbers are formatted backwards with a
 * two-digit table; times reuse the date text of the last second formatted
 * by this thread. No allocation, no locale, no stdio.
 *
 * Choices the header leaves open: a writer refuses (as overflow) an invalid
 * MsgType and a message longer than TF_FIX_MAX_MSG, which our own framer
 * would refuse; put_str of an empty value writes nothing (FIX forbids empty
 * values; absent is what empty means). After GARBLED the skip stops at the
 * next "8=FIX", or at a partial "8=FI" ending the buffer, so a message whose
 * first bytes arrived right after garbage is not lost. */
#include "lib/fix/fix_codec.h"

#include <string.h>

#include "shm/fixed.h"

#define SOH TF_FIX_SOH
#define TRAILER 7u                        /* "10=ddd|" */

static const char HDR[] = "8=FIX.4.4\0019=";  /* 12 bytes: BeginString field, then "9=" */
#define HDR_LEN 12u
#define BEGIN_LEN 10u                     /* "8=FIX.4.4|" */
#define MAX_BODY_DIGITS 6u

#define RC_NAMES(X)                              \
    X(TF_FIX_OK, "ok")                           \
    X(TF_FIX_E_BEGIN_STRING, "begin_string")     \
    X(TF_FIX_E_BODY_LENGTH, "body_length")       \
    X(TF_FIX_E_CHECKSUM, "checksum")             \
    X(TF_FIX_E_MSG_TYPE, "msg_type")             \
    X(TF_FIX_E_SYNTAX, "syntax")                 \
    X(TF_FIX_E_TOO_MANY_FIELDS, "too_many_fields")
#define RC_ENTRY(e, s) [e] = s,
#define RC_ONE(e, s) +1
/* Designated initializers: a duplicate is -Woverride-init (an error here),
 * and the count must match, so every code has exactly one name. */
const char *const tf_fix_rc_names[TF_FIX_E_RC_COUNT] = {RC_NAMES(RC_ENTRY)};
_Static_assert(0 RC_NAMES(RC_ONE) == TF_FIX_E_RC_COUNT, "one name per tf_fix_rc");

static const char DIGITS2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static inline unsigned dig(char c) { return (unsigned)(unsigned char)c - '0'; }
static inline bool is_digit(char c) { return dig(c) < 10u; }
static inline bool is_alnum(char c)
{
    return is_digit(c) || ((unsigned)(unsigned char)c | 0x20u) - 'a' < 26u;
}

/* Digits of v written backwards so they end at `end`; returns the start.
 * Not tf_u64_text: the hot encode path writes right-aligned, two digits a step. */
static char *fmt_u64(char *end, uint64_t v)
{
    char *p = end;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, DIGITS2 + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, DIGITS2 + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    return p;
}

/* Exactly `n` digits of v (v < 10^n), zero-padded, backwards to `end`.
 * Not tf_u64_text: fixed width (timestamps, fractions, the checksum). */
static char *fmt_pad(char *end, uint64_t v, unsigned n)
{
    char *p = end;
    for (; n >= 2; n -= 2) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, DIGITS2 + 2 * r, 2);
    }
    if (n)
        *--p = (char)('0' + v % 10);
    return p;
}

/* Eight bytes per step: even and odd bytes summed in four 16-bit lanes,
 * folded before a lane could carry into the next (128 steps * 510 < 2^16).
 * The byte-wise loop is not vectorized at -O2 and was half of a parse. */
unsigned tf_fix_checksum(const char *p, size_t n)
{
    const uint64_t lo = 0x00ff00ff00ff00ffULL;
    uint32_t s = 0;                       /* wraps at 2^32, a multiple of 256 */
    size_t i = 0;
    while (n - i >= 8) {
        size_t stop = n - i >= 8 * 128 ? i + 8 * 128 : i + ((n - i) & ~(size_t)7);
        uint64_t acc = 0;
        for (; i < stop; i += 8) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            acc += (x & lo) + ((x >> 8) & lo);
        }
        s += (uint32_t)((acc & 0xffff) + ((acc >> 16) & 0xffff) + ((acc >> 32) & 0xffff) + (acc >> 48));
    }
    for (; i < n; i++)
        s += (unsigned char)p[i];
    return s & 255u;
}

/* ---- framing ----------------------------------------------------------- */

/* The first position after 0 where "8=FIX" starts, or where a prefix of it
 * ends the buffer; len if none. */
static size_t resync(const char *buf, size_t len)
{
    for (size_t i = 1; i < len;) {
        const char *p = memchr(buf + i, '8', len - i);
        if (!p)
            break;
        i = (size_t)(p - buf);
        size_t n = len - i < 5 ? len - i : 5;
        if (memcmp(p, "8=FIX", n) == 0)
            return i;
        i++;
    }
    return len;
}

tf_fix_frame_rc tf_fix_frame(const char *buf, size_t len, size_t *msg_len)
{
    *msg_len = 0;
    if (len == 0)
        return TF_FIX_FRAME_MORE;
    if (memcmp(buf, HDR, len < HDR_LEN ? len : HDR_LEN) != 0)
        goto garbled;
    if (len <= HDR_LEN)
        return TF_FIX_FRAME_MORE;
    size_t i = HDR_LEN;
    uint32_t body = 0;
    for (; i < len && i - HDR_LEN < MAX_BODY_DIGITS && is_digit(buf[i]); i++)
        body = body * 10 + dig(buf[i]);
    if (i == len)
        return TF_FIX_FRAME_MORE;
    if (buf[i] != SOH || i == HDR_LEN)
        goto garbled;
    size_t total = i + 1 + body + TRAILER;
    if (total > TF_FIX_MAX_MSG)
        goto garbled;
    if (len < total)
        return TF_FIX_FRAME_MORE;
    if (memcmp(buf + total - TRAILER, "10=", 3) != 0)
        goto garbled;
    *msg_len = total;
    return TF_FIX_FRAME_OK;
garbled:
    *msg_len = resync(buf, len);
    return TF_FIX_FRAME_GARBLED;
}

/* ---- parsing ----------------------------------------------------------- */

static inline void add_field(tf_fix_msg *m, uint32_t tag, size_t off, size_t len)
{
    tf_fix_field *f = &m->fields[m->nfields++];
    f->tag = tag;
    f->off = (uint16_t)off;
    f->len = (uint16_t)len;
}

/* Unsigned decimal of 1..maxd digits (leading zeros allowed, as FIX does). */
static bool parse_u64(const char *s, size_t n, unsigned maxd, uint64_t *out)
{
    if (n == 0 || n > maxd)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = dig(s[i]);
        if (d >= 10 || v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

tf_fix_rc tf_fix_parse(const char *buf, size_t len, tf_fix_msg *m)
{
    m->buf = buf;
    m->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    m->nfields = 0;
    memset(m->msg_type, 0, sizeof m->msg_type);   /* all 4 bytes: comparable with memcmp */
    m->seq = 0;
    m->poss_dup = false;

    /* 8=FIX.4.4|9=<digits>| */
    if (len < BEGIN_LEN || memcmp(buf, HDR, BEGIN_LEN) != 0)
        return TF_FIX_E_BEGIN_STRING;
    add_field(m, TF_FIX_TAG_BEGIN_STRING, 2, BEGIN_LEN - 3);
    if (len > TF_FIX_MAX_MSG || len < HDR_LEN || buf[10] != '9' || buf[11] != '=')
        return TF_FIX_E_BODY_LENGTH;
    size_t i = HDR_LEN;
    while (i < len && is_digit(buf[i]))
        i++;
    uint64_t body;
    if (i == len || buf[i] != SOH || !parse_u64(buf + HDR_LEN, i - HDR_LEN, MAX_BODY_DIGITS, &body))
        return TF_FIX_E_BODY_LENGTH;
    add_field(m, TF_FIX_TAG_BODY_LENGTH, HDR_LEN, i - HDR_LEN);

    /* BodyLength must land on "10=" right after a field's SOH... */
    size_t start = i + 1, cs = start + (size_t)body;
    if (cs + 3 > len || memcmp(buf + cs, "10=", 3) != 0 || buf[cs - 1] != SOH)
        return TF_FIX_E_BODY_LENGTH;
    /* ...and "10=ddd|" must end the message with the right sum. */
    if (cs + TRAILER != len || !is_digit(buf[cs + 3]) || !is_digit(buf[cs + 4]) ||
        !is_digit(buf[cs + 5]) || buf[cs + 6] != SOH)
        return TF_FIX_E_CHECKSUM;
    unsigned want = dig(buf[cs + 3]) * 100 + dig(buf[cs + 4]) * 10 + dig(buf[cs + 5]);
    if (tf_fix_checksum(buf, cs) != want)
        return TF_FIX_E_CHECKSUM;

    /* 35=<1-3 alphanumerics>| first in the body. */
    if (cs - start < 5 || memcmp(buf + start, "35=", 3) != 0)
        return TF_FIX_E_MSG_TYPE;
    size_t v = start + 3, t = 0;
    while (t < 3 && is_alnum(buf[v + t]))
        t++;
    if (t == 0 || buf[v + t] != SOH)
        return TF_FIX_E_MSG_TYPE;
    memcpy(m->msg_type, buf + v, t);
    m->msg_type[t] = 0;
    add_field(m, TF_FIX_TAG_MSG_TYPE, v, t);

    /* The other body fields: tag=value|, buf[cs - 1] is a SOH. */
    bool seen_seq = false, seen_dup = false;
    uint32_t prev = TF_FIX_TAG_MSG_TYPE;
    uint64_t raw_len = 0;                 /* the last 95's value, 0 if bad */
    for (size_t p = v + t + 1; p < cs;) {
        if (buf[p] == '0' || !is_digit(buf[p]))
            return TF_FIX_E_SYNTAX;
        uint32_t tag = 0;
        size_t q = p;
        for (; is_digit(buf[q]); q++) {   /* stops at buf[cs - 1] at the latest */
            if (q - p == 9)
                return TF_FIX_E_SYNTAX;
            tag = tag * 10 + dig(buf[q]);
        }
        if (buf[q] != '=')
            return TF_FIX_E_SYNTAX;
        v = q + 1;
        size_t e;
        if (tag == TF_FIX_TAG_RAW_DATA && prev == TF_FIX_TAG_RAW_DATA_LENGTH && raw_len) {
            if (raw_len >= cs - v || buf[v + raw_len] != SOH)
                return TF_FIX_E_SYNTAX;
            e = v + (size_t)raw_len;
        } else {
            /* v <= cs - 1 (the '=' came before buf[cs - 1]), and buf[cs - 1]
             * is a SOH: a sentinel, so the scan needs no bound. */
            for (e = v; buf[e] != SOH; e++)
                ;
        }
        if (e == v)
            return TF_FIX_E_SYNTAX;
        if (m->nfields + 1 >= TF_FIX_MAX_FIELDS)   /* keep one for the CheckSum */
            return TF_FIX_E_TOO_MANY_FIELDS;
        add_field(m, tag, v, e - v);
        if (tag == TF_FIX_TAG_MSG_SEQ_NUM && !seen_seq) {
            uint64_t s;
            seen_seq = true;
            if (parse_u64(buf + v, e - v, 10, &s) && s <= UINT32_MAX)
                m->seq = (uint32_t)s;
        } else if (tag == TF_FIX_TAG_POSS_DUP && !seen_dup) {
            seen_dup = true;
            m->poss_dup = e - v == 1 && buf[v] == 'Y';
        } else if (tag == TF_FIX_TAG_RAW_DATA_LENGTH && !parse_u64(buf + v, e - v, 5, &raw_len)) {
            raw_len = 0;
        }
        prev = tag;
        p = e + 1;
    }
    add_field(m, TF_FIX_TAG_CHECKSUM, cs + 3, 3);
    return TF_FIX_OK;
}

/* ---- getters ----------------------------------------------------------- */

int tf_fix_find(const tf_fix_msg *m, uint32_t tag, int from)
{
    for (uint32_t i = from > 0 ? (uint32_t)from : 0; i < m->nfields; i++)
        if (m->fields[i].tag == tag)
            return (int)i;
    return -1;
}

int tf_fix_get_str(const tf_fix_msg *m, uint32_t tag, const char **v, size_t *len)
{
    int i = tf_fix_find(m, tag, 0);
    if (i < 0)
        return -1;
    *v = tf_fix_value(m, i);
    *len = m->fields[i].len;
    return 0;
}

int tf_fix_get_u64(const tf_fix_msg *m, uint32_t tag, uint64_t *v)
{
    const char *s;
    size_t n;
    uint64_t x;
    if (tf_fix_get_str(m, tag, &s, &n) != 0 || !parse_u64(s, n, 20, &x))
        return -1;
    *v = x;
    return 0;
}

int tf_fix_get_i64(const tf_fix_msg *m, uint32_t tag, int64_t *v)
{
    const char *s;
    size_t n;
    uint64_t x;
    if (tf_fix_get_str(m, tag, &s, &n) != 0)
        return -1;
    bool neg = s[0] == '-';
    if (!parse_u64(s + neg, n - neg, 20, &x) || x > (uint64_t)INT64_MAX + neg)
        return -1;
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 0;
}

int tf_fix_get_char(const tf_fix_msg *m, uint32_t tag, char *v)
{
    const char *s;
    size_t n;
    if (tf_fix_get_str(m, tag, &s, &n) != 0 || n != 1)
        return -1;
    *v = s[0];
    return 0;
}

int tf_fix_get_decimal(const tf_fix_msg *m, uint32_t tag, unsigned precision, int64_t *v)
{
    const char *s;
    size_t n;
    int64_t x;
    if (tf_fix_get_str(m, tag, &s, &n) != 0 || tf_fixed_parse(s, n, precision, &x) != TF_FIXED_OK)
        return -1;
    *v = x;
    return 0;
}

int tf_fix_get_fixed(const tf_fix_msg *m, uint32_t tag, int64_t *v) { return tf_fix_get_decimal(m, tag, 8, v); }

/* Days since 1970-01-01 of a proleptic Gregorian date, y >= 1970
 * (H. Hinnant's days_from_civil, unsigned since the era is never negative). */
static uint64_t days_from_civil(unsigned y, unsigned mo, unsigned d)
{
    y -= mo <= 2;
    unsigned era = y / 400, yoe = y - era * 400;
    unsigned doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (uint64_t)era * 146097 + doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned mo)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dim[mo - 1] + (mo == 2 && leap);
}

/* n digits at s, all checked. */
static bool num(const char *s, unsigned n, unsigned *out)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + dig(s[i]);
    }
    *out = v;
    return true;
}

int tf_fix_get_time(const tf_fix_msg *m, uint32_t tag, uint64_t *ns)
{
    const char *s;
    size_t n;
    if (tf_fix_get_str(m, tag, &s, &n) != 0 || (n != 17 && n != 21 && n != 24 && n != 27))
        return -1;
    unsigned y, mo, d, hh, mi, ss, frac = 0;
    if (!num(s, 4, &y) || !num(s + 4, 2, &mo) || !num(s + 6, 2, &d) || s[8] != '-' ||
        !num(s + 9, 2, &hh) || s[11] != ':' || !num(s + 12, 2, &mi) || s[14] != ':' ||
        !num(s + 15, 2, &ss))
        return -1;
    /* Seconds 60 is a leap second (FIX allows it): it reads as :00 of the
     * next minute, which is what UTC ns since the epoch can say. */
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || hh > 23 || mi > 59 ||
        ss > 60)
        return -1;
    if (n > 17) {
        unsigned fd = (unsigned)n - 18;
        if (s[17] != '.' || !num(s + 18, fd, &frac))
            return -1;
        frac *= fd == 3 ? 1000000u : fd == 6 ? 1000u : 1u;
    }
    uint64_t sec = days_from_civil(y, mo, d) * 86400 + hh * 3600u + mi * 60u + ss;
    if (sec > UINT64_MAX / 1000000000u || sec * 1000000000u > UINT64_MAX - frac)
        return -1;
    *ns = sec * 1000000000u + frac;
    return 0;
}

bool tf_fix_is(const tf_fix_msg *m, const char *msg_type) { return strcmp(m->msg_type, msg_type) == 0; }

/* ---- encoding ---------------------------------------------------------- */

void tf_fix_begin(tf_fix_writer *w, char *buf, size_t cap, const char *msg_type)
{
    w->buf = buf;
    w->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    w->len = TF_FIX_PREFIX;
    w->overflow = false;
    w->msg = NULL;
    size_t t = 0;
    while (t < 4 && msg_type[t] && is_alnum(msg_type[t]))
        t++;
    if (t == 0 || t > 3 || msg_type[t] || w->cap < TF_FIX_PREFIX + 3 + t + 1 + TRAILER) {
        w->overflow = true;
        w->len = w->cap < TF_FIX_PREFIX ? w->cap : TF_FIX_PREFIX;
        return;
    }
    char *p = buf + TF_FIX_PREFIX;
    memcpy(p, "35=", 3);
    memcpy(p + 3, msg_type, t);
    p[3 + t] = SOH;
    w->len += (uint32_t)(3 + t + 1);
}

/* Room for n more bytes plus the trailer, or overflow (nothing written). */
static inline char *reserve(tf_fix_writer *w, size_t n)
{
    if (w->overflow)
        return NULL;
    if ((size_t)(w->cap - w->len) < n + TRAILER) {
        w->overflow = true;
        return NULL;
    }
    char *p = w->buf + w->len;
    w->len += (uint32_t)n;
    return p;
}

/* "tag=" + v[0..n) + SOH. */
void tf_fix_put_str(tf_fix_writer *w, uint32_t tag, const char *v, size_t n)
{
    if (n == 0)
        return;
    char tb[16];
    char *end = tb + sizeof tb;
    char *t = end - 1;
    *t = '=';
    t = fmt_u64(t, tag);
    size_t tl = (size_t)(end - t);
    char *p = reserve(w, tl + n + 1);
    if (!p)
        return;
    memcpy(p, t, tl);
    memcpy(p + tl, v, n);
    p[tl + n] = SOH;
}

void tf_fix_put_cstr(tf_fix_writer *w, uint32_t tag, const char *v) { tf_fix_put_str(w, tag, v, strlen(v)); }

void tf_fix_put_u64(tf_fix_writer *w, uint32_t tag, uint64_t v)
{
    char b[24];
    char *p = fmt_u64(b + sizeof b, v);
    tf_fix_put_str(w, tag, p, (size_t)(b + sizeof b - p));
}

void tf_fix_put_i64(tf_fix_writer *w, uint32_t tag, int64_t v)
{
    char b[24];
    char *p = fmt_u64(b + sizeof b, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--p = '-';
    tf_fix_put_str(w, tag, p, (size_t)(b + sizeof b - p));
}

void tf_fix_put_char(tf_fix_writer *w, uint32_t tag, char v) { tf_fix_put_str(w, tag, &v, 1); }

/* Shortest decimal of v * 10^-precision: no trailing fractional zeros, no
 * point for whole numbers. */
void tf_fix_put_decimal(tf_fix_writer *w, uint32_t tag, int64_t v, unsigned precision)
{
    char b[48];
    char *end = b + sizeof b, *p = end;
    if (precision > TF_FIXED_MAX_PRECISION) {
        w->overflow = true;
        return;
    }
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    uint64_t scale = (uint64_t)tf_pow10[precision];
    uint64_t ip = u / scale, fp = u % scale;
    if (fp) {
        unsigned nd = precision;
        while (fp % 10 == 0) {
            fp /= 10;
            nd--;
        }
        p = fmt_pad(p, fp, nd);
        *--p = '.';
    }
    p = fmt_u64(p, ip);
    if (v < 0)
        *--p = '-';
    tf_fix_put_str(w, tag, p, (size_t)(end - p));
}

void tf_fix_put_fixed(tf_fix_writer *w, uint32_t tag, int64_t v) { tf_fix_put_decimal(w, tag, v, 8); }

/* The date and time of the last second this thread formatted. */
static __thread uint64_t tc_sec = UINT64_MAX;
static __thread char tc_text[17];         /* "YYYYMMDD-HH:MM:SS" */

static void format_second(uint64_t sec, char *out)
{
    uint64_t z = sec / 86400 + 719468;    /* H. Hinnant's civil_from_days */
    unsigned sod = (unsigned)(sec % 86400);
    uint64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1;
    unsigned mo = mp < 10 ? mp + 3 : mp - 9;
    uint64_t y = era * 400 + yoe + (mo <= 2);
    fmt_pad(out + 4, y, 4);               /* y <= 2554 for a uint64 of ns */
    fmt_pad(out + 8, mo * 100 + d, 4);
    out[8] = '-';
    fmt_pad(out + 11, sod / 3600, 2);
    out[11] = ':';
    fmt_pad(out + 14, sod / 60 % 60, 2);
    out[14] = ':';
    fmt_pad(out + 17, sod % 60, 2);
}

void tf_fix_put_time(tf_fix_writer *w, uint32_t tag, uint64_t ns)
{
    uint64_t sec = ns / 1000000000u;
    if (sec != tc_sec) {
        format_second(sec, tc_text);
        tc_sec = sec;
    }
    char b[24];
    memcpy(b, tc_text, 17);
    b[17] = '.';
    fmt_pad(b + 24, ns % 1000000000u / 1000u, 6);
    tf_fix_put_str(w, tag, b, sizeof b);
}

size_t tf_fix_finish(tf_fix_writer *w)
{
    if (w->overflow)
        return 0;
    uint32_t body = w->len - TF_FIX_PREFIX;
    char h[32];
    char *end = h + sizeof h, *p = end;
    *--p = SOH;
    p = fmt_u64(p, body);
    p -= HDR_LEN;
    memcpy(p, HDR, HDR_LEN);
    size_t hl = (size_t)(end - p);        /* at most 12 + 10 + 1 <= TF_FIX_PREFIX */
    size_t total = hl + body + TRAILER;
    if (total > TF_FIX_MAX_MSG) {         /* a peer's framer (ours) would refuse it */
        w->overflow = true;
        return 0;
    }
    char *start = w->buf + TF_FIX_PREFIX - hl;
    memcpy(start, p, hl);
    unsigned cs = tf_fix_checksum(start, hl + body);
    char *t = w->buf + w->len;            /* reserve() kept TRAILER bytes */
    memcpy(t, "10=", 3);
    fmt_pad(t + 6, cs, 3);
    t[6] = SOH;
    w->msg = start;
    return total;
}
