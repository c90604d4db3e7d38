/* exio_reconcile.c's interface: status requests and their answers. For
 * exio_orders.c and exio.c (the files above it). Stage thread only. */
#ifndef TF_ENGINE_EXIO_RECONCILE_H
#define TF_ENGINE_EXIO_RECONCILE_H

#include "engine/venue/exio_internal.h"

void tf__exio_send_status_request(tf_exio *x, tf_exio_session *s, tf_exio_order *o);
void tf__exio_query_status(tf_exio *x, tf_exio_session *s, tf_exio_order *o);
/* Ask for o's status by the ClOrdID of request `req` (0: the original). */
void tf__exio_query_status_by(tf_exio *x, tf_exio_session *s, tf_exio_order *o, uint64_t req);
/* A status request of `o` on `s` was answered (or refused): one fewer out. */
void tf__exio_status_answered(tf_exio_session *s, tf_exio_order *o);
void tf__exio_on_status(tf_exio *x, tf_exio_session *s, tf_exio_order *o, const tf_fix_msg *m, uint64_t req);
void tf__exio_reconcile_start(tf_exio *x, tf_exio_session *s);
void tf__exio_reconcile_check(tf_exio *x, tf_exio_session *s);
void tf__exio_session_lost(tf_exio *x, tf_exio_session *s);

#endif
