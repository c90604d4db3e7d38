/* The exchange I/O stage: the engine's orders to a FIX 4.4 venue over TCP
 * driven by io_uring, the venue's execution reports back to the OMS.
 *
 * It implements the venue interface (the ring pair tf_venue_cmd in,
 * tf_exec_report out) like the paper venue, so the OMS cannot tell them
 * apart. Inside:
 * - a pool of FIX sessions to one venue (exchange.sessions), each its own
 *   TCP connection (engine/runtime/net_uring.h) and session state machine
 *   (lib/fix/fix_session.h), reconnecting with exponential backoff and
 *   jitter after any failure;
 * - the spreading rule: a new order goes to the next logged-on session in
 *   turn (round robin); its cancels and replaces follow it to the same
 *   session while that one is up, else any logged-on session;
 * - ClOrdIDs: "<order id>" for the order, "<order id>.<n>" for each cancel
 *   or replace request, n from a counter that starts at the wall clock in
 *   microseconds at each start, so no ClOrdID is ever used twice, and the
 *   order id is read back from any report without a table;
 * - a message-rate limiter per session (the venue's limit): when a session
 *   has no budget, commands wait in the ring — back-pressure, not loss;
 * - after every Logon (a reconnect, or the engine's restart with the orders
 *   the OMS replayed): an OrderStatusRequest for each open order the
 *   session carries, and no new orders on it until every one is answered
 *   or exchange.reconcile_timeout_ms passes; an order the venue never saw
 *   is reported rejected (it never traded); one without an answer is marked
 *   of unknown fate (counted, shown by tfstat) and never sent again;
 * - fills are de-duplicated by CumQty, so a report seen twice (a resend, a
 *   status answer) never fills twice, and a fill missed while disconnected
 *   is recovered from the status answer's CumQty and AvgPx;
 * - a fill for an order finished here (kept in a ring of the last
 *   TF_EXIO_DONE, with its CumQty and the venue's OrderID) or for no order
 *   of ours is not dropped: beyond what was counted, or from another venue
 *   order under our ClOrdID (placed twice), it goes to the OMS as an
 *   out-of-band fill — the position follows the venue;
 * - status requests name the ClOrdID the venue knows the order by now (kept
 *   across a restart by the OMS's journal); a venue that does not know it
 *   is asked by the original before the order is called of unknown fate,
 *   where it stays (counted at its worst case by the risk gate) until an
 *   operator resolves it (tfctl resolve);
 * - sequence numbers: a venue Logon below ours without ResetSeqNumFlag
 *   halts the session (no reconnect loop burning the venue's numbers) with
 *   the problem in words in its state slot, until an operator resets it
 *   (tfctl session reset) or the schedule starts a new session;
 *   exchange.schedule logs the sessions out at its end and, at its start,
 *   begins both sides' numbers again at 1 (ResetSeqNumFlag=Y);
 * - resend safety: orders older than exchange.resend_order_max_age_ms are
 *   gap-filled, not resent (lib/fix); reconciliation finds their fate.
 * PROMISE: no allocation after init; reports wait in an outbox when the OMS
 * ring is full (no new commands are taken meanwhile), never dropped.
 * Called from its thread only. */
#ifndef TF_ENGINE_EXIO_H
#define TF_ENGINE_EXIO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/base/backoff.h"
#include "lib/base/schedule.h"
#include "lib/conf/config.h"
#include "lib/fix/fix_session.h"
#include "lib/base/id_map.h"
#include "engine/md/instruments.h"
#include "engine/venue/exio_trace.h"
#include "engine/runtime/net_uring.h"
#include "engine/runtime/stage.h"
#include "engine/runtime/tls_mem.h"
#include "shm/orders.h"
#include "shm/ring.h"
#include "shm/state.h"
#include "shm/stats.h"

#define TF_EXIO_MAX_SESSIONS 8u
#define TF_EXIO_OUTBOX 16384u            /* power of two; more than TF__EXIO_ROOM, TLS included */
#define TF_EXIO_DONE 4096u               /* finished orders remembered for late reports */

/* exio order flags */
enum {
    TF_EXO_ACKED = 1u << 0,              /* the venue acknowledged it (New seen) */
    TF_EXO_RECONCILING = 1u << 1,        /* a status request is out */
    TF_EXO_UNKNOWN = 1u << 2,            /* no status answer in time: fate unknown */
    TF_EXO_CANCEL_PENDING = 1u << 3,
    TF_EXO_REPLACE_PENDING = 1u << 4,
    TF_EXO_XCN_CANCELED = 1u << 5,       /* cancel-then-new: the old venue order is known canceled */
    TF_EXO_UNTRACEABLE = 1u << 6,        /* replaced by cancel-then-new before a restart: its live
                                          * ClOrdID is not known, so no status request can name it */
    TF_EXO_ASKED_ORIGINAL = 1u << 7,     /* unknown by its current ClOrdID: asked again by the original */
};

/* A finished order, for reports that come after (a fill racing a cancel,
 * a venue that placed it again). */
typedef struct tf_exio_done {
    uint64_t order_id;
    uint64_t venue_order;                /* hash of the venue's OrderID (37); 0: not seen */
    int64_t cum, cum_base;               /* filled in all; what earlier venue orders filled */
    uint32_t instrument;
    uint8_t side, _pad[3];
} tf_exio_done;

typedef struct tf_exio_order {
    uint64_t order_id;
    uint64_t cur_req;                    /* ClOrdID suffix of the live terms (0: the order's own) */
    uint64_t pend_req;                   /* suffix of the cancel/replace request out (0: none) */
    uint32_t instrument;
    uint8_t side, type, tif, flags;
    uint8_t session;
    uint8_t used;
    uint8_t status_out;                  /* status requests not yet answered (two for a pending XCN) */
    bool xcn_new_absent;                 /* a pending XCN's new order: the venue does not know it */
    int64_t price, qty, cum;             /* live terms; filled so far */
    int64_t display;                     /* the venue shows this much at a time (MaxFloor); 0: all */
    int64_t pend_price, pend_qty;        /* asked by the replace request out */
    __int128 cost;                       /* sum of fill price * qty, for a missed fill's price */
    /* Cancel-then-new replaces (Binance XCN) start a new venue order whose
     * CumQty and AvgPx count from zero: what the earlier ones filled. */
    int64_t cum_base;
    __int128 cost_base;
    int64_t leg_qty;                     /* the new venue order's quantity (cancel-then-new) */
    uint64_t sent_mono;                  /* the request out: when (round-trip time) */
    uint64_t venue_order;                /* hash of the venue's OrderID (37) of the live venue order; 0: not seen */
} tf_exio_order;

typedef struct tf_exio_session {
    tf_fix_session fix;
    tf_tls tls;                          /* exchange.tls: the session's bytes go through it */
    struct tf_exio *owner;
    uint32_t index;
    uint64_t next_connect_mono;          /* backoff: not before this */
    uint64_t connected_mono;             /* TCP up at: a TLS handshake must finish by logon_timeout */
    tf_backoff backoff;
    uint64_t reconcile_deadline;         /* 0: not reconciling */
    uint32_t reconcile_pending;          /* status requests not yet answered */
    double tokens;                       /* message budget */
    uint64_t tokens_mono;
    /* health, in the stats segment */
    uint64_t *g_state, *g_heartbeat_age_ms, *g_rtt_ns, *c_rejects, *c_msgs_out, *c_msgs_in,
        *c_reconnects, *c_garbled, *c_resends, *c_rate_limited;
    uint64_t health_mono;                /* when the health gauges were last published */
    bool halted;                         /* not reconnecting until an operator resets it (or the schedule) */
    bool reset_requested;                /* an operator's reset: at the next disconnect, then connect */
    uint64_t rejects_seen;               /* session Rejects already put in words */
    uint64_t *c_stale, *c_seq_resets;
    tf_state_slot *status_slot;          /* tf_venue_session_status */
    tf_venue_session_status status;      /* the last published, with the problem in words */
} tf_exio_session;

typedef struct tf_exio {
    const tf_config *cfg;
    const tf_instruments *instruments;
    tf_stage *stage;
    tf_ring *in, *out;
    tf_net net;
    struct sockaddr_in addr;
    bool tls;
    tf_tls_ctx tls_ctx;
    uint32_t session_count, rr;
    tf_exio_session sessions[TF_EXIO_MAX_SESSIONS];
    tf_exio_order *orders;
    uint32_t capacity;
    uint32_t *free_slots, free_count;    /* a stack of free table slots */
    tf_id_map ids;
    uint64_t next_req;                   /* ClOrdID suffix counter */
    uint64_t status_req_id;
    tf_venue_cmd held;                   /* a command taken but not yet sendable */
    bool holding;
    tf_exec_report outbox[TF_EXIO_OUTBOX];
    uint32_t out_head, out_tail;
    uint64_t mono, wall;                 /* this cycle's clock */
    uint64_t rng;
    bool stopping;
    void *logon_key;                     /* ed25519: the private key (EVP_PKEY) */
    uint64_t *owned[TF_EXIO_MAX_SESSIONS + 1]; /* counters kept in memory when there is no stats segment */
    uint32_t owned_count;
    tf_hist *h_rtt;                      /* order request → first answer */
    tf_exio_trace trace;                 /* the tick's timeline: hops to the send */
    tf_exio_done *done;                  /* TF_EXIO_DONE finished orders, a ring */
    uint64_t done_next;
    tf_schedule *schedule;               /* exchange.schedule (NULL: always in session) */
    bool in_session;                     /* inside the schedule's hours now */
    uint64_t schedule_next;              /* wall ns: when in_session is next due to change */
    uint64_t *c_out_of_band, *g_halted;
    uint64_t *c_orders_out, *c_reports_in, *c_dup_fills, *c_unknown_fate, *c_illegal, *c_recovered_fills,
        *c_reconciled, *c_venue_rejects, *c_late, *g_unknown;
} tf_exio;

/* Cold: resolve the venue, open every session's store, start connecting.
 * 0, or -1 with TF_ERR. */
int tf_exio_init(tf_stage *stage, tf_exio *x, const tf_config *cfg, const tf_instruments *ins, tf_stats *stats,
                 tf_state_table *state, tf_ring *in, tf_ring *out);
void tf_exio_free(tf_exio *x);
/* Restart: take over an order the OMS replayed as open (cold), with the
 * suffix of the ClOrdID the venue knows it by (tf_oms_venue_ref); it is
 * reconciled with the venue after the first Logon. */
void tf_exio_seed(tf_exio *x, const tf_order *o, uint64_t venue_ref);

/* The pieces, for tests. */
int tf_exio_poll(tf_exio *x, uint64_t now_mono);
/* One command as the stage takes it from the ring: 0, or 1 when it must
 * wait (no session ready yet, or no message budget). */
int tf_exio_command(tf_exio *x, const tf_venue_cmd *c);
bool tf_exio_next_report(tf_exio *x, tf_exec_report *r);
/* Session i is logged on and reconciled: it takes new orders. */
bool tf_exio_session_ready(const tf_exio *x, uint32_t i);

#endif
