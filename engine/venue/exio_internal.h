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
 * all they can produce (exio_out.h). The bound, from what the session can
 * hand the application, not from what venues usually send:
 *  - the smallest message the session dispatches has BeginString,
 *    BodyLength, MsgType, SenderCompID and TargetCompID (1 character at
 *    least), MsgSeqNum and a whole-second SendingTime (17 characters; the
 *    session rejects a message without one) and the CheckSum:
 *      8=FIX.4.4|9=41|35=8|49=A|56=B|34=1|52=YYYYMMDD-HH:MM:SS|10=ddd|
 *      10 + 5 + 5 + 5 + 5 + 5 + 21 + 7 = 63 bytes (TF__EXIO_MIN_MSG);
 *  - a receive completion carries at most TF_NET_BUF_SIZE (16384) bytes;
 *    the session's stash can add one partial message it completes, so a
 *    completion finishes at most 16384 / 63 + 1 = 261 messages;
 *  - a message produces at most three reports (an ack, recovered fills
 *    and its own fill or cancel: exio_orders.c, exio_reconcile.c);
 *  - exio.c reaps at most 8 completions a cycle (TF__EXIO_REAPED).
 * 8 * 261 * 3 = 6264 reports over plain TCP. The old bound assumed messages of 100 bytes (4096), which a
 * venue sending short reports could exceed and wrap the outbox over
 * reports not yet flushed to the OMS.
 * Over TLS a completion can also finish one record held from before (up
 * to 16 KiB more plaintext): 8 * 521 * 3 = 12504, which the 16384-slot
 * outbox holds (checked below; 80-byte reports: 1.25 MiB). */
#define TF__EXIO_MIN_MSG (sizeof "8=FIX.4.4|9=41|35=8|49=A|56=B|34=1|52=20240101-00:00:00|10=000|" - 1)
#define TF__EXIO_REAPED 8u
#define TF__EXIO_REPORTS_PER_MSG 3u
#define TF__EXIO_ROOM \
    ((uint32_t)(TF__EXIO_REAPED * (TF_NET_BUF_SIZE / TF__EXIO_MIN_MSG + 1) * TF__EXIO_REPORTS_PER_MSG))
_Static_assert(TF__EXIO_MIN_MSG == 63, "the smallest dispatched message, as worked out above");
_Static_assert(TF__EXIO_ROOM == 6264u && TF__EXIO_ROOM <= TF_EXIO_OUTBOX, "the outbox holds a cycle's reports");
#define TF__EXIO_ROOM_TLS (TF__EXIO_REAPED * (2u * 16384u / TF__EXIO_MIN_MSG + 1u) * TF__EXIO_REPORTS_PER_MSG)
_Static_assert(TF__EXIO_ROOM_TLS <= TF_EXIO_OUTBOX, "over TLS too: a completion may finish a held record of 16 KiB");

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
