/* exio_logon.c's interface: the venue-specific fields of the Logon. For
 * exio.c only. Stage thread only (init and free: cold). */
#ifndef TF_ENGINE_EXIO_LOGON_H
#define TF_ENGINE_EXIO_LOGON_H

#include "engine/venue/exio_internal.h"

int tf__exio_logon_init(tf_exio *x);
void tf__exio_logon_free(tf_exio *x);
void tf__exio_logon_fields(tf_exio *x, tf_exio_session *s, tf_fix_writer *w);

#endif
