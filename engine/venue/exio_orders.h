/* exio_orders.c's interface: venue commands out, the venue's answers in.
 * For exio.c only. Stage thread only. */
#ifndef TF_ENGINE_EXIO_ORDERS_H
#define TF_ENGINE_EXIO_ORDERS_H

#include "engine/venue/exio_internal.h"

/* Commands from the ring while the outbox has room and a session can carry
 * them; how many were taken. */
int tf__exio_take_commands(tf_exio *x);
/* An application message of session s (the FIX session's on_app). */
int tf__exio_on_message(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m);

#endif
