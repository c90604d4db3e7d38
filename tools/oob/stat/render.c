/* tfstat's renderer: column descriptions to text table lines or JSON
 * objects, and the shared formatting helpers. See render.h. */
#include "tools/oob/stat/render.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "lib/base/json_text.h"
#include "tools/oob/view.h"

const char *render_paint(const render *r, const char *esc) { return r->color ? esc : ""; }

void render_put_r(FILE *f, const char *s, int w)
{
    int cols = 0;
    for (const char *p = s; *p; p++)
        cols += ((unsigned char)*p & 0xC0) != 0x80; /* µ is two bytes, one column */
    for (; cols < w; cols++)
        fputc(' ', f);
    fputs(s, f);
}

int render_widest(int w, const char *s)
{
    int n = (int)strlen(s);
    return n > w ? n : w;
}

double render_json_num(double x) { return x == x && x < 1e300 && x > -1e300 ? x : 0; }

void render_json_str(render *r, const char *s) { tf_json_fputs(r->f, s, strlen(s)); }

void render_json_strn(render *r, const char *s, size_t n) { tf_json_fputs(r->f, s, n); }

void render_json_key(render *r, int comma, const char *key)
{
    if (comma)
        fputc(',', r->f);
    render_json_str(r, key);
    fputc(':', r->f);
}

/* Text cell: aligned in |w| columns. */
static void put_aligned(FILE *f, const char *s, int w)
{
    if (w < 0)
        fprintf(f, "%-*s", -w, s);
    else
        render_put_r(f, s, w);
}

void render_head(render *r, rtable *t)
{
    if (r->json)
        return;
    fprintf(r->f, "\n%-*s", t->name_width + 2, t->title);
    for (int c = 1; c < t->ncols; c++) {
        const rcol *k = &t->cols[c];
        if (!k->pre)
            continue;
        fputs(k->pre, r->f);
        put_aligned(r->f, k->head ? k->head : "", k->head_width ? k->head_width : k->width);
    }
    fputc('\n', r->f);
}

/* The text form; numbers go into b[64], so that the rotating scratch
 * strings the section put in cells are not overwritten before use. */
static const char *text_of(const rcol *k, const rcell *c, char *b)
{
    if (c->text)
        return c->text;
    switch (k->fmt) {
    case RF_STR: return !c->s ? "" : c->n ? view_str(c->s, c->n) : c->s;
    case RF_RAW: return c->s ? c->s : "";
    case RF_U64: snprintf(b, 64, "%" PRIu64, c->u); break;
    case RF_I64: snprintf(b, 64, "%" PRId64, c->i); break;
    case RF_RATE: snprintf(b, 64, "%.0f", c->d); break;
    case RF_PCT: snprintf(b, 64, "%.1f%%", c->d); break;
    case RF_DUR: return fmt_dur(c->u);
    case RF_AGE: return fmt_ago(c->u, 0);
    }
    return b;
}

static void json_of(render *r, const rcol *k, const rcell *c)
{
    if (c->json) {
        fputs(c->json, r->f);
        return;
    }
    switch (k->fmt) {
    case RF_STR: tf_json_fputs(r->f, c->s ? c->s : "", !c->s ? 0 : c->n ? c->n : strlen(c->s)); break;
    case RF_RAW: fputs(c->s, r->f); break;
    case RF_U64:
    case RF_DUR:
    case RF_AGE: fprintf(r->f, "%" PRIu64, c->u); break;
    case RF_I64: fprintf(r->f, "%" PRId64, c->i); break;
    case RF_RATE: fprintf(r->f, "%.1f", render_json_num(c->d)); break;
    case RF_PCT: fprintf(r->f, "%.2f", render_json_num(c->d)); break;
    }
}

/* Text: the labelled cells [from, to), without the name column or the newline. */
static void text_cells(render *r, const rtable *t, const rcell *cells, int from, int to)
{
    char b[64];
    const char *on = ""; /* the colour written at the last RC_PAINT */
    for (int c = from; c < to; c++) {
        const rcol *k = &t->cols[c];
        if (!k->pre || cells[c].hide)
            continue;
        fputs(k->pre, r->f);
        if (k->flags & RC_PAINT) {
            const char *esc = cells[c].paint ? cells[c].paint : t->color;
            on = esc ? render_paint(r, esc) : "";
            fputs(on, r->f);
        }
        put_aligned(r->f, text_of(k, &cells[c], b), k->width);
        if ((k->flags & RC_UNPAINT) && on[0])
            fputs(RESET, r->f);
    }
}

void render_line(render *r, const rtable *t, const rcell *cells, int from, int to)
{
    text_cells(r, t, cells, from, to);
    fputc('\n', r->f);
}

static void json_row(render *r, const rtable *t, const rcell *cells)
{
    if (!t->members && t->rows)
        fputc(',', r->f);
    if (t->keyed) {
        json_of(r, &t->cols[0], &cells[0]);
        fputc(':', r->f);
    }
    if (!t->scalar && !t->members)
        fputc('{', r->f);
    int n = t->members && t->rows;
    for (int k = 0; k < t->ncols; k++) {
        int c = t->json_order ? t->json_order[k] : k;
        if (c < 0)
            break;
        if (!t->cols[c].key)
            continue;
        if (t->scalar) {
            json_of(r, &t->cols[c], &cells[c]);
            return;
        }
        render_json_key(r, n++, t->cols[c].key);
        json_of(r, &t->cols[c], &cells[c]);
    }
    if (!t->members)
        fputc('}', r->f);
}

void render_row(render *r, rtable *t, const rcell *cells)
{
    if (r->json) {
        json_row(r, t, cells);
    } else {
        char b[64];
        if (!t->line)
            fprintf(r->f, "  %-*s", t->name_width, text_of(&t->cols[0], &cells[0], b));
        render_line(r, t, cells, t->line ? 0 : 1, t->ncols);
    }
    t->rows++;
}

const char *fmt_dur(uint64_t ns)
{
    char *b = view_scratch();
    if (ns < 1000)
        snprintf(b, VIEW_STR_MAX, "%" PRIu64 "ns", ns);
    else if (ns < 1000000)
        snprintf(b, VIEW_STR_MAX, "%.1fµs", (double)ns / 1e3);
    else if (ns < 1000000000)
        snprintf(b, VIEW_STR_MAX, "%.1fms", (double)ns / 1e6);
    else
        snprintf(b, VIEW_STR_MAX, "%.2fs", (double)ns / 1e9);
    return b;
}

const char *fmt_uptime(uint64_t ns)
{
    char *b = view_scratch();
    uint64_t s = ns / 1000000000ull;
    if (s < 60)
        snprintf(b, VIEW_STR_MAX, "%.1fs", (double)ns / 1e9);
    else if (s < 86400)
        snprintf(b, VIEW_STR_MAX, "%" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s", s / 3600, s / 60 % 60,
                 s % 60);
    else
        snprintf(b, VIEW_STR_MAX, "%" PRIu64 "d%02" PRIu64 "h%02" PRIu64 "m", s / 86400, s / 3600 % 24,
                 s / 60 % 60);
    return b;
}

const char *fmt_ago(uint64_t now, uint64_t then)
{
    char *b = view_scratch();
    double s = now > then ? (double)(now - then) / 1e9 : 0;
    snprintf(b, VIEW_STR_MAX, s < 10 ? "%.1f s ago" : "%.0f s ago", s);
    return b;
}

const char *fmt_wall(uint64_t realtime_ns)
{
    char *b = view_scratch();
    time_t t = (time_t)(realtime_ns / 1000000000ull);
    struct tm tm;
    if (!realtime_ns || !localtime_r(&t, &tm) || !strftime(b, VIEW_STR_MAX, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(b, VIEW_STR_MAX, "?");
    return b;
}
