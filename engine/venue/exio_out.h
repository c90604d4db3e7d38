/* The lowest exio file's interface (exio_out.c): what every other exio
 * file may call — the outbox to the OMS, a session's readiness and its
 * message budget. Stage thread only. */
#ifndef TF_ENGINE_EXIO_OUT_H
#define TF_ENGINE_EXIO_OUT_H

#include "engine/venue/exio_internal.h"

/* A message that goes whatever the budget (a status request after Logon):
 * it still counts against the venue's budget, which may go below zero. */
static inline void tf__exio_spend_token(tf_exio_session *s) { s->tokens -= 1.0; }

/* A report for the OMS into the outbox. */
void tf__exio_report(tf_exio *x, const tf_exec_report *r);
/* Reports from the outbox into the OMS ring while it takes them; how many. */
uint32_t tf__exio_flush(tf_exio *x);

static inline uint32_t tf__exio_outbox_used(const tf_exio *x) { return x->out_tail - x->out_head; }
/* Room for all that one batch of completions or commands can produce. */
static inline bool tf__exio_outbox_room(const tf_exio *x)
{
    return TF_EXIO_OUTBOX - tf__exio_outbox_used(x) >= (x->tls ? TF__EXIO_ROOM_TLS : TF__EXIO_ROOM);
}

/* A session that can take an order now: logged on and reconciled. */
static inline bool tf__exio_ready(const tf_exio_session *s)
{
    return s->fix.state == TF_FIX_ACTIVE && s->reconcile_pending == 0 && s->fix.close == TF_FIX_CLOSE_NONE;
}

/* One message of the session's budget (exchange.messages_per_s): false,
 * counted, when there is none left. */
bool tf__exio_take_token(tf_exio *x, tf_exio_session *s);

#endif
