/* Between the exchange I/O stage's files (exio.c: sessions and the duty
 * cycle; exio_orders.c: commands, reports and reconciliation; exio_logon.c:
 * venue-specific Logon fields). Not a public interface. */
#ifndef TF_ENGINE_EXIO_INTERNAL_H
#define TF_ENGINE_EXIO_INTERNAL_H

#include "engine/exio.h"

/* Completions and commands are taken only while the outbox has room for
 * all they can produce: 8 completions of up to 16 KiB, each message at
 * least ~100 bytes and at most three reports (an ack, a recovered fill and
 * its own fill): 8 * 16384 / 100 * 3 < 4000. */
#define TF__EXIO_ROOM 4096u

/* An error into the stage's error log (tests run without a stage). */
static inline void tf__exio_error(tf_exio *x, tf_err_code code, uint64_t arg, const char *detail)
{
    if (x->stage)
        tf_stage_error(x->stage, code, arg, detail, x->mono);
}

/* exio.c */
void tf__exio_report(tf_exio *x, const tf_exec_report *r);
bool tf__exio_ready(const tf_exio_session *s);
bool tf__exio_take_token(tf_exio *x, tf_exio_session *s);
int tf__exio_counters(tf_exio *x, tf_stats *stats, uint64_t **const *field, const char *const *names, size_t n,
                      const char *labels, size_t gauges);

/* exio_orders.c */
int tf__exio_orders_init(tf_exio *x);
void tf__exio_orders_free(tf_exio *x);
int tf__exio_take_commands(tf_exio *x);
int tf__exio_on_message(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m);
void tf__exio_reconcile_start(tf_exio *x, tf_exio_session *s);
void tf__exio_reconcile_check(tf_exio *x, tf_exio_session *s);
void tf__exio_session_lost(tf_exio *x, tf_exio_session *s);

/* exio_logon.c */
int tf__exio_logon_init(tf_exio *x);
void tf__exio_logon_free(tf_exio *x);
void tf__exio_logon_fields(tf_exio *x, tf_exio_session *s, tf_fix_writer *w);

#endif
