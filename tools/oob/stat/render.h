/* tfstat's renderer: a section describes its columns once (text header,
 * width, JSON key, format) and hands over rows of cells; the renderer
 * writes them either as text table lines or as JSON objects. Also the
 * small formatting helpers every section shares (durations, ages, colour).
 *
 * A column with no `head` and no `pre` is JSON only; one with no `key` is
 * text only. Cells carry the value once; `text` replaces the text form
 * when the figure reads better as a word ("never", "gauge", "-"), `json`
 * the JSON form ("null").
 *
 * Layouts: a table (a header line, then a line per row with the name in
 * front); `line`, one record as "label value" text (render_line() writes
 * part of a record as a line of its own, for a record of several lines);
 * in JSON an object per row, a "name":{...} member (`keyed`), the bare
 * value of a one-figure row (`scalar`), or the cells as members of an
 * object the section opened (`members`). */
#ifndef TF_TOOLS_OOB_STAT_RENDER_H
#define TF_TOOLS_OOB_STAT_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct render {
    FILE *f;
    int json;  /* 1: JSON, 0: text */
    int color; /* text only: ANSI colours */
} render;

#define RED    "\033[1;31m"
#define GREEN  "\033[1;32m"
#define YELLOW "\033[1;33m"
#define BOLD   "\033[1m"
#define RESET  "\033[0m"

/* How a cell's value is written: text form / JSON form. */
typedef enum rfmt {
    RF_STR,  /* s: as it is / a JSON string */
    RF_RAW,  /* s: as it is / as it is (a number already formatted) */
    RF_U64,  /* u: decimal / decimal */
    RF_I64,  /* i: decimal / decimal */
    RF_RATE, /* d: %.0f / %.1f */
    RF_PCT,  /* d: %.1f%% / %.2f */
    RF_DUR,  /* u: 12.5µs / nanoseconds */
    RF_AGE,  /* u: an age in ns: "1.2 s ago" / nanoseconds */
} rfmt;

enum {
    RC_PAINT = 1, /* text: the row's (or the cell's) colour starts before this cell's value ... */
    RC_UNPAINT = 2 /* ... and ends after this one's */
};

typedef struct rcol {
    const char *head; /* text header, NULL: no header cell */
    int width;        /* text width; negative: left-aligned; 0: as long as it is */
    const char *pre;  /* text before the cell (spaces, a label); NULL: JSON only */
    const char *key;  /* JSON key; NULL: text only */
    rfmt fmt;
    int flags;        /* RC_PAINT, RC_UNPAINT */
    int head_width;   /* the header's width when it is not `width` */
} rcol;

typedef struct rcell {
    const char *s;
    size_t n;         /* RF_STR: s is a fixed-size field of n bytes (0: a C string) */
    uint64_t u;
    int64_t i;
    double d;
    const char *text; /* the text form instead of the value, or NULL */
    const char *json; /* the JSON form instead of the value, or NULL */
    const char *paint; /* text, RC_PAINT: this colour instead of the row's */
    int hide;         /* text: leave the cell out, `pre` and all */
} rcell;

typedef struct rtable {
    const char *title;  /* text: the header's first cell ("threads") */
    const rcol *cols;   /* cols[0] is the row's name (text: indented by 2) */
    int ncols;
    int name_width;     /* text: width of cols[0] (the longest name) */
    int rows;           /* rows written so far (JSON commas) */
    const char *color;  /* text: this row's colour for RC_PAINT cells */
    int line;           /* text: one line of labelled cells, no name column */
    int keyed;          /* JSON: rows are "cells[0]":{...} members, not array items */
    int scalar;         /* JSON: a row is its first keyed cell's value, no {} */
    int members;        /* JSON: a row's cells are "key":value members of an open
                         * object, no {}; a comma before the first when rows > 0 */
    const int *json_order; /* JSON: column order when not the text's, ending with -1 */
} rtable;

/* Text: "\n" and the header line; JSON: nothing. */
void render_head(render *r, rtable *t);
/* One row: text a line, JSON one object {"key":value,...} (comma-separated
 * from the previous row's). */
void render_row(render *r, rtable *t, const rcell *cells);
/* Text: columns [from, to) of a record as one line (labels in `pre`). */
void render_line(render *r, const rtable *t, const rcell *cells, int from, int to);

/* JSON pieces. */
void render_json_str(render *r, const char *s);      /* "escaped" */
void render_json_strn(render *r, const char *s, size_t n); /* a fixed-size field */
void render_json_key(render *r, int comma, const char *key); /* ,"key": */
double render_json_num(double x);                   /* NaN and inf as 0 */

/* Text pieces. */
const char *render_paint(const render *r, const char *esc); /* esc or "" */
void render_put_r(FILE *f, const char *s, int w); /* right-aligned, UTF-8 aware */
int render_widest(int w, const char *s);

/* Formatting into view_scratch() buffers. */
const char *fmt_dur(uint64_t ns);                 /* 870ns, 12.5µs, 3.2ms, 4.10s */
const char *fmt_uptime(uint64_t ns);              /* 12.3s, 1h02m03s, 2d03h04m */
const char *fmt_ago(uint64_t now, uint64_t then); /* "1.2 s ago" */
const char *fmt_wall(uint64_t realtime_ns);       /* local "2026-11-24 21:30:00" */

#endif
