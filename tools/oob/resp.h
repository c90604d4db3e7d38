/* RESP commands written by hand into a resp_buf (redis_cmds.h): begin,
 * arguments, end (the argument count is patched in). The caller keeps
 * RC_CMD_MAX bytes free per command; at most 99 arguments. Shared by the
 * market-data and the order-journal command writers. */
#ifndef TF_TOOLS_OOB_RESP_H
#define TF_TOOLS_OOB_RESP_H

#include <stdint.h>
#include <string.h>

#include "shm/fixed.h"
#include "tools/oob/redis_cmds.h"

static inline size_t i64_text(char *out, int64_t v)
{
    if (v >= 0)
        return tf_u64_text(out, (uint64_t)v);
    out[0] = '-';
    return 1 + tf_u64_text(out + 1, 0 - (uint64_t)v);
}

/* One command under construction: argument count patched in at the end. */
typedef struct cmd {
    resp_buf *b;
    size_t start;
    unsigned argc;
} cmd;

static inline void cmd_begin(cmd *c, resp_buf *b)
{
    c->b = b;
    c->start = b->len;
    c->argc = 0;
    memcpy(b->p + b->len, "*00\r\n", 5); /* at most 99 arguments, patched below */
    b->len += 5;
}

static inline void arg(cmd *c, const char *s, size_t n)
{
    resp_buf *b = c->b;
    b->p[b->len++] = '$';
    b->len += tf_u64_text(b->p + b->len, n);
    b->p[b->len++] = '\r';
    b->p[b->len++] = '\n';
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len++] = '\r';
    b->p[b->len++] = '\n';
    c->argc++;
}

static inline void arg_s(cmd *c, const char *s) { arg(c, s, strlen(s)); }

static inline void arg_i(cmd *c, int64_t v)
{
    char t[24];
    arg(c, t, i64_text(t, v));
}

static inline void arg_fixed(cmd *c, int64_t v, unsigned precision)
{
    char t[48];
    size_t n = tf_fixed_format(t, sizeof t, v, precision);
    arg(c, t, n);
}

static inline void cmd_end(cmd *c)
{
    char *p = c->b->p + c->start;
    p[1] = (char)('0' + c->argc / 10);
    p[2] = (char)('0' + c->argc % 10);
    if (c->argc < 10) {
        /* "*0N" is not RESP: shift the command left one byte. */
        memmove(p + 1, p + 2, c->b->len - c->start - 2);
        c->b->len--;
    }
    c->b->commands++;
}

#endif
