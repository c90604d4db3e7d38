/* libFuzzer target: any bytes as a FIX receive buffer. The input is framed
 * message by message (GARBLED bytes skipped, MORE ends the loop), each
 * framed message is parsed from its own exact-size copy, and the whole
 * input is parsed as one message too. Checked beyond "no crash, no
 * sanitizer report":
 *   - framing: OK lengths and GARBLED skips stay within the buffer and
 *     TF_FIX_MAX_MSG, and a skip is never 0 (the loop always advances);
 *   - parsing: every recorded field lies inside the message, is non-empty,
 *     ends at a SOH, and 8/9/35 come first and 10 last;
 *   - getters agree with each other (u64 vs i64, char vs str);
 *   - re-encoding the body fields as strings with a writer gives a message
 *     that frames and parses to the same fields, seq, poss_dup and type,
 *     with the same body bytes;
 *   - re-encoding each field's typed value (time, u64, i64, fixed, and
 *     decimals at precisions 0, 2, 8, 18) gives back the same value (times
 *     at microsecond precision). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fix/fix_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)      \
    do {              \
        if (!(c))     \
            abort();  \
    } while (0)

static char wbuf[2 * TF_FIX_MAX_MSG + 64];
static char tbuf[8 * TF_FIX_MAX_MSG];
static tf_fix_msg a, b, c;

static void check_fields(const tf_fix_msg *m)
{
    CHECK(m->nfields >= 4 && m->nfields <= TF_FIX_MAX_FIELDS);
    CHECK(m->fields[0].tag == 8 && m->fields[1].tag == 9 && m->fields[2].tag == 35);
    CHECK(m->fields[m->nfields - 1].tag == 10 && m->fields[m->nfields - 1].len == 3);
    size_t t = strlen(m->msg_type);
    CHECK(t >= 1 && t <= 3 && m->fields[2].len == t && memcmp(tf_fix_value(m, 2), m->msg_type, t) == 0);
    CHECK(tf_fix_is(m, m->msg_type));
    for (uint32_t i = 0; i < m->nfields; i++) {
        const tf_fix_field *f = &m->fields[i];
        CHECK(f->tag != 0 && f->len > 0 && (size_t)f->off + f->len < m->len);
        CHECK(m->buf[f->off - 1] == '=' && m->buf[f->off + f->len] == TF_FIX_SOH);
        CHECK(i == 0 || f->off > m->fields[i - 1].off + m->fields[i - 1].len);
    }
}

/* get_decimal at a few precisions agrees with get_fixed at 8, and what it
 * reads put_decimal writes back. */
static void decimal_round_trip(const tf_fix_msg *m, uint32_t tag)
{
    static const unsigned precs[] = {0, 2, 8, 18};
    int64_t f8 = 0;
    int r8 = tf_fix_get_fixed(m, tag, &f8);
    for (size_t k = 0; k < sizeof precs / sizeof precs[0]; k++) {
        int64_t v = 0, back = 0;
        int r = tf_fix_get_decimal(m, tag, precs[k], &v);
        if (precs[k] == 8)
            CHECK(r == r8 && (r != 0 || v == f8));
        if (r != 0)
            continue;
        char small[128];
        tf_fix_writer w;
        tf_fix_begin(&w, small, sizeof small, "0");
        tf_fix_put_decimal(&w, TF_FIX_TAG_PRICE, v, precs[k]);   /* not `tag`: it may be 9 or 10 */
        size_t n = tf_fix_finish(&w);
        CHECK(n > 0 && tf_fix_parse(w.msg, n, &c) == TF_FIX_OK);
        CHECK(tf_fix_get_decimal(&c, TF_FIX_TAG_PRICE, precs[k], &back) == 0 && back == v);
    }
}

/* Every getter on every tag; they must agree with each other. */
static void read_all(const tf_fix_msg *m)
{
    for (uint32_t i = 0; i < m->nfields; i++) {
        uint32_t tag = m->fields[i].tag;
        int first = tf_fix_find(m, tag, 0);
        CHECK(first >= 0 && (uint32_t)first <= i && m->fields[first].tag == tag);
        CHECK(tf_fix_find(m, tag, (int)i) == (int)i);
        const char *s;
        size_t n;
        CHECK(tf_fix_get_str(m, tag, &s, &n) == 0 && s == tf_fix_value(m, first) && n == m->fields[first].len);
        uint64_t u = 0, ns = 0;
        int64_t v = 0, fx = 0;
        char c = 0;
        int ru = tf_fix_get_u64(m, tag, &u), ri = tf_fix_get_i64(m, tag, &v);
        if (ru == 0 && u <= INT64_MAX)
            CHECK(ri == 0 && (uint64_t)v == u);
        if (ri == 0 && s[0] != '-')       /* "-0" is an i64, not a u64 */
            CHECK(ru == 0 && u == (uint64_t)v);
        if (tf_fix_get_char(m, tag, &c) == 0)
            CHECK(n == 1 && c == s[0]);
        else
            CHECK(n != 1);
        if (tf_fix_get_fixed(m, tag, &fx) == 0 && ri == 0 && v > -92233720368 && v < 92233720368)
            CHECK(fx == v * 100000000);
        (void)tf_fix_get_time(m, tag, &ns);
        if ((uint32_t)first == i)
            decimal_round_trip(m, tag);
    }
}

/* Body fields as strings into a writer: the same message comes back. */
static void reencode_strings(const tf_fix_msg *m)
{
    tf_fix_writer w;
    tf_fix_begin(&w, wbuf, sizeof wbuf, m->msg_type);
    for (uint32_t i = 3; i + 1 < m->nfields; i++)
        tf_fix_put_str(&w, m->fields[i].tag, tf_fix_value(m, (int)i), m->fields[i].len);
    size_t n = tf_fix_finish(&w), ml = 0;
    CHECK(n > 0 && n <= m->len);
    CHECK(tf_fix_frame(w.msg, n, &ml) == TF_FIX_FRAME_OK && ml == n);
    CHECK(tf_fix_parse(w.msg, n, &b) == TF_FIX_OK);
    CHECK(b.nfields == m->nfields && b.seq == m->seq && b.poss_dup == m->poss_dup);
    CHECK(memcmp(b.msg_type, m->msg_type, sizeof b.msg_type) == 0);
    for (uint32_t i = 2; i + 1 < m->nfields; i++)
        CHECK(b.fields[i].tag == m->fields[i].tag && b.fields[i].len == m->fields[i].len &&
              memcmp(tf_fix_value(&b, (int)i), tf_fix_value(m, (int)i), m->fields[i].len) == 0);
    size_t body = m->fields[m->nfields - 1].off - 3 - (m->fields[1].off + m->fields[1].len + 1);
    CHECK(memcmp(w.msg + n - 7 - body, m->buf + m->fields[m->nfields - 1].off - 3 - body, body) == 0);
}

enum { K_STR, K_TIME, K_U64, K_I64, K_FIXED };

/* The first field of each tag re-encoded from its typed value. */
static void reencode_typed(const tf_fix_msg *m)
{
    static uint8_t kind[TF_FIX_MAX_FIELDS];
    static uint64_t val[TF_FIX_MAX_FIELDS];
    tf_fix_writer w;
    tf_fix_begin(&w, tbuf, sizeof tbuf, m->msg_type);
    uint32_t nput = 0;
    for (uint32_t i = 3; i + 1 < m->nfields; i++) {
        uint32_t tag = m->fields[i].tag;
        if (tf_fix_find(m, tag, 0) != (int)i)
            continue;
        uint64_t u;
        int64_t v;
        if (tf_fix_get_time(m, tag, &u) == 0) {
            kind[i] = K_TIME, val[i] = u / 1000 * 1000;
            tf_fix_put_time(&w, tag, u);
        } else if (tf_fix_get_u64(m, tag, &u) == 0) {
            kind[i] = K_U64, val[i] = u;
            tf_fix_put_u64(&w, tag, u);
        } else if (tf_fix_get_i64(m, tag, &v) == 0) {
            kind[i] = K_I64, val[i] = (uint64_t)v;
            tf_fix_put_i64(&w, tag, v);
        } else if (tf_fix_get_fixed(m, tag, &v) == 0) {
            kind[i] = K_FIXED, val[i] = (uint64_t)v;
            tf_fix_put_fixed(&w, tag, v);
        } else {
            kind[i] = K_STR;
            tf_fix_put_str(&w, tag, tf_fix_value(m, (int)i), m->fields[i].len);
        }
        nput++;
    }
    size_t n = tf_fix_finish(&w);
    if (n == 0) {            /* only when times made it longer than a message may be */
        CHECK(w.overflow && w.len + 7 > TF_FIX_MAX_MSG - 32);
        return;
    }
    CHECK(tf_fix_parse(w.msg, n, &b) == TF_FIX_OK && b.nfields == 4 + nput);
    uint32_t j = 3;
    for (uint32_t i = 3; i + 1 < m->nfields; i++) {
        uint32_t tag = m->fields[i].tag;
        if (tf_fix_find(m, tag, 0) != (int)i)
            continue;
        CHECK(b.fields[j].tag == tag && tf_fix_find(&b, tag, 0) == (int)j);
        uint64_t u = 0;
        int64_t v = 0;
        switch (kind[i]) {
        case K_TIME:
            CHECK(tf_fix_get_time(&b, tag, &u) == 0 && u == val[i]);
            break;
        case K_U64:
            CHECK(tf_fix_get_u64(&b, tag, &u) == 0 && u == val[i]);
            break;
        case K_I64:
            CHECK(tf_fix_get_i64(&b, tag, &v) == 0 && (uint64_t)v == val[i]);
            break;
        case K_FIXED:
            CHECK(tf_fix_get_fixed(&b, tag, &v) == 0 && (uint64_t)v == val[i]);
            CHECK(b.fields[j].len <= m->fields[i].len);   /* shortest form */
            break;
        default:
            CHECK(b.fields[j].len == m->fields[i].len &&
                  memcmp(tf_fix_value(&b, (int)j), tf_fix_value(m, (int)i), m->fields[i].len) == 0);
        }
        j++;
    }
}

static void one_message(const char *p, size_t n)
{
    char *copy = malloc(n ? n : 1);   /* exact size: ASan sees any over-read */
    if (!copy)
        abort();
    memcpy(copy, p, n);
    tf_fix_rc rc = tf_fix_parse(copy, n, &a);
    CHECK(rc < TF_FIX_E_RC_COUNT && tf_fix_rc_names[rc] != NULL);
    CHECK(a.buf == copy && a.nfields <= TF_FIX_MAX_FIELDS);
    if (rc == TF_FIX_OK) {
        size_t ml = 0;
        CHECK(tf_fix_frame(copy, n, &ml) == TF_FIX_FRAME_OK && ml == n);   /* parse OK => frames */
        check_fields(&a);
        read_all(&a);
        reencode_strings(&a);
        reencode_typed(&a);
        tf_fix_msg again;
        CHECK(tf_fix_parse(copy, n, &again) == TF_FIX_OK && again.nfields == a.nfields &&
              memcmp(again.fields, a.fields, a.nfields * sizeof a.fields[0]) == 0);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    size_t off = 0;
    while (off < size) {
        size_t ml = 12345;
        tf_fix_frame_rc rc = tf_fix_frame(buf + off, size - off, &ml);
        if (rc == TF_FIX_FRAME_MORE)
            break;
        CHECK(rc == TF_FIX_FRAME_OK || rc == TF_FIX_FRAME_GARBLED);
        CHECK(ml >= 1 && ml <= size - off);
        if (rc == TF_FIX_FRAME_OK) {
            CHECK(ml <= TF_FIX_MAX_MSG);
            one_message(buf + off, ml);
        }
        off += ml;
    }
    one_message(buf, size);
    free(buf);
    return 0;
}
