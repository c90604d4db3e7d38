/* The query API's replies and arguments, shared by its endpoint files:
 * growing the answer, JSON errors, and the checked reading of the query
 * string (every argument known, none twice, numbers in range). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json_text.h"
#include "tools/query/api.h"

#define Q_MS 1000000ull

bool q_reserve(q_response *r, size_t n)
{
    if (r->cap - r->len > n)
        return true;
    size_t cap = r->cap ? r->cap : 4096;
    while (cap - r->len <= n)
        cap *= 2;
    char *p = realloc(r->body, cap);
    if (!p)
        return false;
    r->body = p;
    r->cap = cap;
    return true;
}

void q_put(q_response *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !q_reserve(r, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf(r->body + r->len, r->cap - r->len, fmt, ap);
    va_end(ap);
    r->len += (size_t)n;
}

void q_put_raw(q_response *r, const char *s, size_t n)
{
    if (!q_reserve(r, n + 1))
        return;
    memcpy(r->body + r->len, s, n);
    r->len += n;
    r->body[r->len] = 0;
}

/* A JSON string: the message may quote what the user sent. */
static void put_json_str(q_response *r, const char *s)
{
    char buf[TF_JSON_ESCAPED_MAX(512)];
    size_t n = strnlen(s, 512);
    q_put_raw(r, buf, tf_json_escape(buf, sizeof buf, s, n));
}

void q_fail(q_response *r, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->len = 0;
    r->status = status;
    q_put(r, "{\"error\":");
    put_json_str(r, msg);
    q_put(r, "}");
}

/* ---- arguments -------------------------------------------------------------- */

const char *q_arg(const q_args *a, const char *name)
{
    for (int i = 0; i < a->count; i++)
        if (strcmp(a->name[i], name) == 0)
            return a->value[i];
    return NULL;
}

void q_args_add(q_args *a, const char *frag, size_t len)
{
    /* Too long is its own answer (and checked first): an argument cut short
     * or skipped would answer a different question than was asked. */
    const char *eq = memchr(frag, '=', len);
    size_t nlen = eq ? (size_t)(eq - frag) : len, vlen = eq ? len - nlen - 1 : 0;
    if (len > Q_MAX_ARG_LEN || nlen >= sizeof a->name[0] || vlen >= sizeof a->value[0]) {
        a->too_long = true;
        return;
    }
    if (a->count == Q_MAX_ARGS || !eq || eq == frag || memchr(frag, 0, len)) {
        a->malformed = true;
        return;
    }
    memcpy(a->name[a->count], frag, nlen);
    a->name[a->count][nlen] = 0;
    memcpy(a->value[a->count], eq + 1, vlen);
    a->value[a->count][vlen] = 0;
    a->count++;
}

void q_args_parse(q_args *a, const char *qs, size_t len)
{
    memset(a, 0, sizeof *a);
    while (len) {
        const char *amp = memchr(qs, '&', len);
        size_t n = amp ? (size_t)(amp - qs) : len;
        q_args_add(a, qs, n);
        if (!amp)
            break;
        len -= n + 1;
        qs = amp + 1;
    }
}

/* Every argument known, none twice. */
bool q_args_ok(q_response *r, const q_args *a, const char *const *known)
{
    if (a->too_long) {
        q_fail(r, 400, "parameter too long (a name at most %zu bytes, a value at most %zu, name=value at most %d)",
             sizeof a->name[0] - 1, sizeof a->value[0] - 1, Q_MAX_ARG_LEN);
        return false;
    }
    if (a->malformed) {
        q_fail(r, 400, "malformed query string");
        return false;
    }
    for (int i = 0; i < a->count; i++) {
        const char *const *k = known;
        while (*k && strcmp(*k, a->name[i]) != 0)
            k++;
        if (!*k) {
            q_fail(r, 400, "unknown parameter '%s'", a->name[i]);
            return false;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(a->name[j], a->name[i]) == 0) {
                q_fail(r, 400, "parameter '%s' given twice", a->name[i]);
                return false;
            }
    }
    return true;
}

/* A non-negative integer below 2^53 (what JSON clients can hold exactly). */
bool q_uint_arg(q_response *r, const q_args *a, const char *name, uint64_t *v, bool *given)
{
    const char *s = q_arg(a, name);
    *given = s != NULL;
    if (!s)
        return true;
    char *end;
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *end || *s == '-' || *s == '+' || x >= (1ull << 53)) {
        q_fail(r, 400, "%s must be a non-negative integer, got '%.40s'", name, s);
        return false;
    }
    *v = x;
    return true;
}

/* The latest time in ms the store's ns clock can hold: end is asked as
 * end * Q_MS + (Q_MS - 1) ns, which must not wrap (2554-07-21). */
#define Q_MAX_TIME_MS ((UINT64_MAX - (Q_MS - 1)) / Q_MS)

/* start or end: a time in ms whose ns fits in 64 bits. */
bool q_time_arg(q_response *r, const q_args *a, const char *name, uint64_t *v, bool *given)
{
    if (!q_uint_arg(r, a, name, v, given))
        return false;
    if (*given && *v > Q_MAX_TIME_MS) {
        q_fail(r, 400, "%s must be 0..%llu (ms since the epoch), got %" PRIu64, name,
             (unsigned long long)Q_MAX_TIME_MS, *v);
        return false;
    }
    return true;
}

bool q_limit_arg(q_response *r, const q_args *a, uint32_t max, const char *setting, uint64_t *limit)
{
    bool given;
    if (!q_uint_arg(r, a, "limit", limit, &given))
        return false;
    if (*limit == 0 || *limit > max) {
        q_fail(r, 400, "limit must be 1..%u%s%s%s, got %" PRIu64, max, setting ? " (" : "", setting ? setting : "",
               setting ? ")" : "", *limit);
        return false;
    }
    return true;
}

bool q_range_args(q_response *r, const q_args *a, uint32_t max, uint64_t *start, bool *has_start, uint64_t *end,
                  uint64_t *limit)
{
    bool has_end;
    if (!q_time_arg(r, a, "start", start, has_start) || !q_time_arg(r, a, "end", end, &has_end) ||
        !q_limit_arg(r, a, max, NULL, limit))
        return false;
    if (!has_end)
        *end = tf_realtime_ns() / Q_MS;
    if (*has_start && *start > *end) {
        q_fail(r, 400, "start (%" PRIu64 ") is after end (%" PRIu64 ")", *start, *end);
        return false;
    }
    return true;
}

/* A name from the request that goes into a key or a query: [A-Za-z0-9._-]. */
bool q_plain_name(const char *s, size_t max)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (n >= max || !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
                          (s[n] >= '0' && s[n] <= '9') || s[n] == '.' || s[n] == '_' || s[n] == '-'))
            return false;
    return n > 0;
}
