/* TradeFan Engine — client library for strategies in other processes
 * (libtfclient.so; the Python module tools/python/tradefan.py wraps it).
 *
 * A client maps the engine's segments: it claims a request lane of its own
 * (an SPSC ring; a lane whose owner died is reclaimed, so a crashed client
 * never blocks the others) — or, on an engine without the order path, uses
 * the shared MPSC request ring — and reads the answers — every request gets at least one
 * order event with its client request id — from the order journal; orders,
 * positions and the risk gate's status come from the state segment, each
 * read whole through its seqlock. Prices and quantities cross this API as
 * decimal strings ("43210.5") converted exactly at the instrument's
 * precision, or as integers in its units.
 *
 * Client request ids start at the wall clock in ns and increase, so a
 * retried request keeps its id (the risk gate refuses a repeat as a
 * duplicate) and a restarted client never reuses one. One strategy id per
 * process. Not thread-safe: one tfc per thread. */
#ifndef TRADEFAN_CLIENT_H
#define TRADEFAN_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "shm/orders.h"
#include "shm/parents.h"

typedef struct tfc tfc;

/* NULL on failure with the reason in err: no engine, engine not running,
 * wrong layout version. An engine without the order path opens too (pings
 * work; order calls fail saying so): tfc_has_order_path() tells. */
tfc *tfc_open(const char *instance, const char *shm_dir, uint32_t strategy, char *err, size_t errlen);
int tfc_has_order_path(tfc *c);
void tfc_close(tfc *c);

/* Instrument id by symbol, -1 if unknown. */
int tfc_instrument(tfc *c, const char *symbol);
/* Decimal ↔ units for an instrument (0 ok, -1 if not exact at its precision). */
int tfc_price_units(tfc *c, int instrument, const char *text, int64_t *out);
int tfc_qty_units(tfc *c, int instrument, const char *text, int64_t *out);
/* The instrument's lot and tick (qty and price units); -1 if unknown. */
int tfc_lot_tick(tfc *c, int instrument, int64_t *lot, int64_t *tick);
/* Units → decimal text (returns buf). */
const char *tfc_price_text(tfc *c, int instrument, int64_t v, char *buf, size_t cap);
const char *tfc_qty_text(tfc *c, int instrument, int64_t v, char *buf, size_t cap);

/* Requests: each returns its client request id, or 0 with the reason in
 * tfc_error() (bad input, ring full for a second). side "buy"/"sell",
 * type "limit"/"market", tif "gtc"/"ioc"/"fok"; price NULL or "" for market. */
uint64_t tfc_new_order(tfc *c, const char *symbol, const char *side, const char *type,
                       const char *tif, const char *price, const char *qty);
uint64_t tfc_cancel(tfc *c, uint64_t order_id);
uint64_t tfc_replace(tfc *c, uint64_t order_id, const char *price, const char *qty);
uint64_t tfc_cancel_all(tfc *c);
/* Operator requests (strategy 0): a limit by name (tf_limit_names), the
 * target a symbol or strategy id as text ("" for global), the value a
 * decimal in the limit's unit; the kill switch; the trading state. */
uint64_t tfc_set_limit(tfc *c, const char *limit, const char *target, const char *value);
uint64_t tfc_kill(tfc *c, int on, int flatten);
uint64_t tfc_set_state(tfc *c, const char *state);
uint64_t tfc_ping(tfc *c);
/* Operator (strategy 0) only. Settle an open order whose fate the venue
 * cannot tell: outcome "canceled", or "filled" with the quantity that
 * traded beyond what is known and its price (qty, price: NULL for
 * canceled). Journaled with this process's real uid. */
uint64_t tfc_resolve(tfc *c, uint64_t order_id, const char *outcome, const char *qty, const char *price);
/* Operator only: reset venue session `session`'s sequence numbers to 1
 * (-1: every session); it logs on again with ResetSeqNumFlag=Y. */
uint64_t tfc_session_reset(tfc *c, int session);
/* Parent orders (execution algorithms, shm/parents.h): the parameters go
 * in a TF_REQ_ALGO_PARAMS, then the parent; the answer to the returned id
 * (tfc_wait) is parent_accepted, the parent's id in order_id, or a
 * rejection. seed is set by the engine. */
uint64_t tfc_algo_new(tfc *c, const tf_algo_params *p);
/* Pause, resume, cancel or amend (tf_algo_action) one of this strategy's
 * parents (an operator: anyone's); AMEND's values 0 = unchanged. */
uint64_t tfc_algo_control(tfc *c, uint64_t parent_id, int action, int64_t qty, int64_t limit_price,
                          uint64_t end_ns);
/* The parents the algo stage runs now (up to max); -1 without an algo stage. */
int tfc_parents(tfc *c, tf_parent_status *out, int max);

/* The next order event after the ones already read (from where tfc_open
 * found the journal's end): 1 got one, 0 none yet, -1 the journal lapped us
 * (events missed; reading goes on). */
int tfc_next_event(tfc *c, tf_order_event *out);
/* Wait up to timeout_ms for the first event answering request `req_id`
 * (other events are skipped, not lost: tfc_next_event still has them).
 * 1 got it, 0 timed out. */
int tfc_wait(tfc *c, uint64_t req_id, int timeout_ms, tf_order_event *out);
/* After a request the gate passed (a new order, a cancel, a replace): wait
 * up to timeout_ms for the venue's first answer about the order (New,
 * Rejected, a fill, Canceled, Expired, Replaced, CancelRejected).
 * 1 got it, 0 timed out. */
int tfc_wait_venue(tfc *c, uint64_t order_id, int timeout_ms, tf_order_event *out);

/* Orders in the table (open first; finished ones while their slot is not
 * reused): up to max copied, the count returned. open_only filters. */
int tfc_orders(tfc *c, tf_order *out, int max, int open_only);
/* One order by id: 1 found, 0 not. */
int tfc_order(tfc *c, uint64_t order_id, tf_order *out);
/* Positions (per instrument for all strategies when strategy < 0, else the
 * strategy's), up to max. */
int tfc_positions(tfc *c, int strategy, tf_position *out, int max);
int tfc_risk(tfc *c, tf_risk_status *out);
/* The risk gate's limits as they are now: 0 ok, -1 none published. */
int tfc_limits(tfc *c, tf_risk_limits *out);
/* Best bid and ask from the feed's top of book (units): 0 ok, -1 none. */
int tfc_quote(tfc *c, int instrument, int64_t *bid, int64_t *ask);
/* Is the engine still alive? 1 yes. */
int tfc_alive(tfc *c);

const char *tfc_error(tfc *c);
const char *tfc_reason_name(unsigned reason);
const char *tfc_state_name(unsigned state);
const char *tfc_event_name(unsigned kind);
const char *tfc_symbol(tfc *c, int instrument);

#endif
