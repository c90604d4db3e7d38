/* The Prometheus text exposition format (see prom_text.h). */
#include "tools/prom/prom_text.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void prom_init(prom_buf *b)
{
    memset(b, 0, sizeof *b);
}

void prom_const_label(prom_buf *b, const char *name, const char *value)
{
    b->const_name = name;
    b->const_value = value;
}

void prom_free(prom_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static bool reserve(prom_buf *b, size_t more)
{
    if (b->failed)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 16384;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

static void put(prom_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void puts_(prom_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void putf(prom_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(prom_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* HELP text escapes backslash and newline; label values also the quote. */
static void escaped(prom_buf *b, const char *s, bool quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            puts_(b, "\\\\");
        else if (*s == '\n')
            puts_(b, "\\n");
        else if (quote && *s == '"')
            puts_(b, "\\\"");
        else
            put(b, s, 1);
    }
}

bool prom_valid_name(const char *s)
{
    if (!s || !*s)
        return false;
    for (const char *c = s; *c; c++) {
        bool alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' || *c == ':';
        bool digit = *c >= '0' && *c <= '9';
        if (!alpha && !(digit && c != s))
            return false;
    }
    return true;
}

void prom_family(prom_buf *b, const char *name, const char *type, const char *help)
{
    snprintf(b->fam_name, sizeof b->fam_name, "%s", name);
    putf(b, "# HELP %s ", name);
    escaped(b, help, false);
    putf(b, "\n# TYPE %s %s\n", name, type);
    b->families++;
}

static void head(prom_buf *b, const char *suffix, const prom_label *labels, int n)
{
    puts_(b, b->fam_name);
    puts_(b, suffix);
    bool open = false;
    if (b->const_name) {
        puts_(b, "{");
        puts_(b, b->const_name);
        puts_(b, "=\"");
        escaped(b, b->const_value ? b->const_value : "", true);
        puts_(b, "\"");
        open = true;
    }
    for (int i = 0; i < n; i++) {
        if (!labels[i].name || (b->const_name && strcmp(labels[i].name, b->const_name) == 0))
            continue;
        puts_(b, open ? "," : "{");
        open = true;
        puts_(b, labels[i].name);
        puts_(b, "=\"");
        escaped(b, labels[i].value ? labels[i].value : "", true);
        puts_(b, "\"");
    }
    if (open)
        puts_(b, "}");
    b->samples++;
}

void prom_sample(prom_buf *b, const char *suffix, const prom_label *labels, int n, double value)
{
    head(b, suffix, labels, n);
    if (isnan(value))
        puts_(b, " NaN\n");
    else if (isinf(value))
        puts_(b, value > 0 ? " +Inf\n" : " -Inf\n");
    else if (value == (double)(int64_t)value && fabs(value) < 9.0e15)
        putf(b, " %" PRId64 "\n", (int64_t)value);
    else {
        /* the shortest text that reads back as the same double */
        char t[40];
        snprintf(t, sizeof t, "%.15g", value);
        if (strtod(t, NULL) != value)
            snprintf(t, sizeof t, "%.17g", value);
        putf(b, " %s\n", t);
    }
}

void prom_sample_u64(prom_buf *b, const char *suffix, const prom_label *labels, int n, uint64_t value)
{
    head(b, suffix, labels, n);
    putf(b, " %" PRIu64 "\n", value);
}
