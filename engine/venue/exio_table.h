/* exio_table.c's interface: the exchange I/O stage's orders, their
 * ClOrdIDs and the reports about them to the OMS. For exio_reconcile.c,
 * exio_orders.c and exio.c (the files above it). Stage thread only. */
#ifndef TF_ENGINE_EXIO_TABLE_H
#define TF_ENGINE_EXIO_TABLE_H

#include "engine/venue/exio_internal.h"

int tf__exio_orders_init(tf_exio *x);
void tf__exio_orders_free(tf_exio *x);
tf_exio_order *tf__exio_order_get(tf_exio *x, uint64_t id);
tf_exio_order *tf__exio_order_add(tf_exio *x, uint64_t id);
/* A finished order (the last TF_EXIO_DONE), or NULL. */
tf_exio_done *tf__exio_done_find(tf_exio *x, uint64_t id);
void tf__exio_order_release(tf_exio *x, tf_exio_order *o);
void tf__exio_put_clordid(tf_fix_writer *w, uint32_t tag, uint64_t id, uint64_t req);
int tf__exio_parse_clordid(const char *v, size_t n, uint64_t *id, uint64_t *req);
tf_exio_order *tf__exio_order_of(tf_exio *x, const tf_fix_msg *m, uint32_t tag, uint64_t *req);
void tf__exio_report_kind(tf_exio *x, const tf_exio_order *o, uint8_t kind, uint16_t reason);
void tf__exio_report_fill(tf_exio *x, tf_exio_order *o, int64_t px, int64_t qty, int64_t fee, uint8_t liquidity);
void tf__exio_ack_once(tf_exio *x, tf_exio_order *o);
void tf__exio_clear_pending(tf_exio_order *o);
void tf__exio_replaced(tf_exio *x, tf_exio_order *o, int64_t px, int64_t qty, uint64_t req, bool new_venue_order);
void tf__exio_recover_fills(tf_exio *x, tf_exio_order *o, const tf_fix_msg *m, int64_t venue_cum, int64_t also_qty,
                            int64_t also_px);

#endif
