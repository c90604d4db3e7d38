/* The bottom of the exchange I/O stage's files: constants and inline
 * helpers every one of them may use; it declares no function of any exio
 * file. Not a public interface.
 *
 * The files call one way only, down this list (each has its own header,
 * which only the files above it include):
 *   exio.c            the stage: duty cycle, session pool, transport
 *   exio_orders.c     commands out, answers in          (exio_orders.h)
 *   exio_reconcile.c  status requests and their answers (exio_reconcile.h)
 *   exio_table.c      the orders, ClOrdIDs, reports     (exio_table.h)
 *   exio_logon.c      venue-specific Logon fields       (exio_logon.h)
 *   exio_out.c        the outbox to the OMS, session readiness and
 *                     message budget                    (exio_out.h)
 * Everything runs on the stage's thread. */
#ifndef TF_ENGINE_EXIO_INTERNAL_H
#define TF_ENGINE_EXIO_INTERNAL_H

#include "engine/venue/exio.h"
#include "shm/atomic.h"

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

#endif
