/* Thread-local error message buffer for cold paths (see err.h). */
#include "shm/err.h"

#include <stdio.h>
#include <string.h>

static __thread char tf__err_msg[1024];
static __thread char tf__err_where[256];

int tf_err_set(const char *func, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tf__err_msg, sizeof tf__err_msg, fmt, ap);
    va_end(ap);
    snprintf(tf__err_where, sizeof tf__err_where, "%s (%s:%d)", func, file, line);
    return -1;
}

int tf_err_prefix(const char *fmt, ...)
{
    char head[512], old[sizeof tf__err_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, tf__err_msg, sizeof old);
    size_t n = strlen(head);
    if (n > sizeof tf__err_msg - 3)
        n = sizeof tf__err_msg - 3;
    memcpy(tf__err_msg, head, n);
    memcpy(tf__err_msg + n, ": ", 2);
    size_t room = sizeof tf__err_msg - n - 3;
    size_t m = strnlen(old, room);
    memcpy(tf__err_msg + n + 2, old, m);
    tf__err_msg[n + 2 + m] = 0;
    return -1;
}

const char *tf_err_msg(void) { return tf__err_msg; }
const char *tf_err_where(void) { return tf__err_where; }

void tf_err_clear(void)
{
    tf__err_msg[0] = 0;
    tf__err_where[0] = 0;
}
