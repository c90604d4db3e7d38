/* Between the exchange I/O stage's files (exio.c: sessions and the duty
 * cycle; exio_table.c: the orders and ClOrdIDs; exio_orders.c: commands and
 * reports; exio_reconcile.c: status requests; exio_logon.c: venue-specific
 * Logon fields). Not a public interface. */
#ifndef TF_ENGINE_EXIO_INTERNAL_H
#define TF_ENGINE_EXIO_INTERNAL_H

#include "engine/venue/exio.h"

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

#define TF__NO_SESSION 0xffu             /* an order no session carries yet (seeded at restart) */

static inline bool tf__exio_xcn_mode(const tf_exio *x) { return x->cfg->exchange.replace == TF_REPLACE_CANCEL_NEW; }
static inline char tf__exio_side_char(uint8_t side) { return side == TF_SELL ? '2' : '1'; }
static inline char tf__exio_tif_char(uint8_t tif) { return tif == TF_IOC ? '3' : tif == TF_FOK ? '4' : '1'; }
static inline void tf__exio_put_instrument(tf_exio *x, tf_fix_writer *w, uint32_t instrument)
{
    const tf_instrument *in = &x->instruments->items[instrument];
    tf_fix_put_str(w, TF_FIX_TAG_SYMBOL, in->symbol, in->symbol_len);
}

/* An order's terms as the venue knows them. */
static inline void tf__exio_order_terms(tf_exio_order *o, uint32_t instrument, uint8_t side, uint8_t type, uint8_t tif,
                                        int64_t price, int64_t qty)
{
    o->instrument = instrument;
    o->side = side;
    o->type = type;
    o->tif = tif;
    o->price = price;
    o->qty = qty;
}

/* exio_table.c: the orders, their ClOrdIDs, the reports to the OMS */
int tf__exio_orders_init(tf_exio *x);
void tf__exio_orders_free(tf_exio *x);
tf_exio_order *tf__exio_order_get(tf_exio *x, uint64_t id);
tf_exio_order *tf__exio_order_add(tf_exio *x, uint64_t id);
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

/* exio_orders.c: commands out, answers in */
int tf__exio_take_commands(tf_exio *x);
int tf__exio_on_message(tf_exio *x, tf_exio_session *s, const tf_fix_msg *m);

/* exio_reconcile.c: status requests and their answers */
void tf__exio_send_status_request(tf_exio *x, tf_exio_session *s, tf_exio_order *o);
void tf__exio_query_status(tf_exio *x, tf_exio_session *s, tf_exio_order *o);
void tf__exio_on_status(tf_exio *x, tf_exio_session *s, tf_exio_order *o, const tf_fix_msg *m, uint64_t req);
void tf__exio_reconcile_start(tf_exio *x, tf_exio_session *s);
void tf__exio_reconcile_check(tf_exio *x, tf_exio_session *s);
void tf__exio_session_lost(tf_exio *x, tf_exio_session *s);

/* exio_logon.c */
int tf__exio_logon_init(tf_exio *x);
void tf__exio_logon_free(tf_exio *x);
void tf__exio_logon_fields(tf_exio *x, tf_exio_session *s, tf_fix_writer *w);

#endif
