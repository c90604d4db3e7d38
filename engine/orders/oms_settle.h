/* oms_settle.c's interface: what the venue's normal reports do not settle.
 * For oms.c only. The oms stage's thread only. */
#ifndef TF_ENGINE_OMS_SETTLE_H
#define TF_ENGINE_OMS_SETTLE_H

#include "engine/orders/oms_internal.h"

/* A fill for an order finished here or unknown (TF_EX_OUT_OF_BAND_FILL). */
void tf__oms_out_of_band(tf_oms *o, const tf_exec_report *x, uint64_t now);
/* TF_CMD_RESOLVE and TF_CMD_SESSION_RESET from the risk gate. */
void tf__oms_resolve(tf_oms *o, const tf_order_cmd *c, uint64_t now);
void tf__oms_session_reset(tf_oms *o, const tf_order_cmd *c, uint64_t now);
/* Replay of the events this file journals. */
void tf__oms_replay_out_of_band(tf_oms *o, const tf_order_event *ev);

#endif
