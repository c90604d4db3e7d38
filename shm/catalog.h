/* The shared-memory catalogue: every name a reader needs to find and decode
 * what the engine publishes, in one place. The engine registers by these
 * names and every reader (libtfclient, tfstat, tfdump, the exporters,
 * tfquery) looks them up by the same ones, so a reader learns the whole
 * contract from shm/ alone:
 *
 *   segments   tradefan.<instance>.<segment> in shm.dir, and their regions
 *   records    record kinds of the journals and state slots (records.h,
 *              orders.h hold the layouts; the label tables are listed here)
 *   counters   every counter, gauge and histogram name in the stats
 *              segment, with its kind, owner stage and meaning
 *   enums      the enumerations readers turn back into words (FIX session
 *              states, order states, reject reasons, trading states ...)
 *
 * Names are append-only: a reader built against an older catalogue still
 * finds every name it knows. */
#ifndef TF_SHM_CATALOG_H
#define TF_SHM_CATALOG_H

#include <stdint.h>

/* ---- segments and their regions ------------------------------------------ */
#define TF_SEG_STATS    "stats"    /* kind stats: directory, values, histograms, errors */
#define TF_SEG_STATE    "state"    /* kind state: state [, orders, limits] */
#define TF_SEG_RINGS    "rings"    /* kind rings: one region per stage-to-stage ring */
#define TF_SEG_REQUESTS "requests" /* kind rings: requests [, lanes]; group-writable */
#define TF_SEG_MD       "md"       /* kind journal: journal (market data) */
#define TF_SEG_ORDERS   "orders"   /* kind journal: journal (order events) */
/* The exporters' and tfquery's status segments are named by their config
 * (export.*.status_segment), kind state, one region TF_REGION_STATE. */

#define TF_REGION_STATE      "state"      /* tf_state_table: seqlock slots (state.h) */
#define TF_REGION_ORDERS     "orders"     /* tf_order_slot[orders.capacity] (orders.h) */
#define TF_REGION_LIMITS     "limits"     /* one tf_limits_slot (orders.h) */
#define TF_REGION_REQUESTS   "requests"   /* MPSC ring of struct tf_request */
#define TF_REGION_LANES      "lanes"      /* tf_lanes: one SPSC lane per client (lanes.h) */
#define TF_REGION_JOURNAL    "journal"    /* tf_journal slots (journal.h) */
#define TF_REGION_DIRECTORY  "directory"  /* tf_stats_dir (stats.h) */
#define TF_REGION_VALUES     "values"     /* counter values, one writer per 128-byte line */
#define TF_REGION_HISTOGRAMS "histograms" /* tf_hist[] (histogram.h) */
#define TF_REGION_ERRORS     "errors"     /* tf_errlog (errlog.h) */

/* Regions of the rings segment: SPSC rings between stages (ring.h). */
#define TF_RING_SYNTH         "synth"         /* tf_synth_tick: synthetic source -> sink */
#define TF_RING_STRATEGY_RISK "strategy_risk" /* struct tf_request: strategy -> risk */
#define TF_RING_RISK_OMS      "risk_oms"      /* tf_order_cmd: risk -> OMS */
#define TF_RING_OMS_VENUE     "oms_venue"     /* tf_venue_cmd: OMS -> venue stage */
#define TF_RING_VENUE_OMS     "venue_oms"     /* tf_exec_report: venue stage -> OMS */
#define TF_RING_OMS_RISK      "oms_risk"      /* tf_risk_feedback: OMS -> risk */

/* ---- enumerations readers decode ------------------------------------------
 * Where the enum and its label table live:
 *   record types           tf_rec_type, tf_rec_type_names        shm/records.h
 *   state slot kinds       tf_state_kind                         shm/records.h
 *   feed events            tf_md_feed_event_kind                 shm/records.h
 *   order states           tf_ord_state, tf_ord_state_names      shm/orders.h
 *   order event kinds      tf_event_kind, tf_event_kind_names    shm/orders.h
 *   reject reasons         tf_reject_reason, tf_reject_reason_names shm/orders.h
 *   risk limits            tf_limit_id, tf_limit_names           shm/orders.h
 *   trading states         tf_trading_state, tf_trading_state_names shm/orders.h
 *   kill triggers          tf_kill_trigger, tf_kill_trigger_names shm/orders.h
 *   segment kinds/status   tf_seg_kind, tf_seg_status            shm/segment.h
 *   FIX session states     tf_fix_state, tf_fix_state_names      below (the
 *                          value of the fix_session_state gauge) */
typedef enum tf_fix_state {
    TF_FIX_DISCONNECTED = 0,
    TF_FIX_LOGON_SENT,           /* initiator: our Logon is out, waiting for the answer */
    TF_FIX_AWAIT_LOGON,          /* acceptor: connected, waiting for the counterparty's Logon */
    TF_FIX_ACTIVE,
    TF_FIX_LOGOUT_SENT,          /* our Logout is out, waiting for the answer */
    TF_FIX_STATE_COUNT
} tf_fix_state;
extern const char *const tf_fix_state_names[TF_FIX_STATE_COUNT];

#endif
