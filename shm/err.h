/* Cold-path error reporting.
 *
 * RULE (whole project): cold-path functions return 0 on success and -1 on
 * failure, leaving a message in a thread-local buffer that says where it
 * happened; callers that add context append to it. Hot-path functions never
 * format: they return small enum codes and note errors in the shared-memory
 * error log (errlog.h). */
#ifndef TF_SHM_ERR_H
#define TF_SHM_ERR_H

#include <stdarg.h>

/* Replace the current message. Returns -1 so `return TF_ERR(...)` reads well. */
#define TF_ERR(...) tf_err_set(__func__, __FILE__, __LINE__, __VA_ARGS__)
/* Prefix more context to the current message. Returns -1. */
#define TF_ERR_CTX(...) tf_err_prefix(__VA_ARGS__)

int tf_err_set(const char *func, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int tf_err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The message, "" when none. Valid until the next TF_ERR on this thread. */
const char *tf_err_msg(void);
/* Where the message was first set: "func (file:line)". */
const char *tf_err_where(void);
void tf_err_clear(void);

#endif
