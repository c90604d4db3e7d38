/* The tick's timeline at the venue stage: for each order command sent, the
 * hops from the market data behind it to its send submitted, one clock
 * (CLOCK_MONOTONIC). Always: histograms exio_wait_ns, exio_encode_ns,
 * exio_submit_ns and tick_to_send_ns. With exchange.trace_file set: every
 * command's whole timeline kept in memory allocated at start (at most
 * TF_EXIO_TRACE_KEPT; more are counted, not kept) and written to the file
 * when the stage stops, for `make bench-t2t`. Hot path: no allocation, no
 * I/O; a clock read per stamp. */
#ifndef TF_ENGINE_VENUE_EXIO_TRACE_H
#define TF_ENGINE_VENUE_EXIO_TRACE_H

#include <stdint.h>

#include "shm/orders.h"
#include "shm/stats.h"

#define TF_EXIO_TRACE_KEPT (1u << 18)
#define TF_EXIO_TRACE_BATCH 64u          /* commands one duty cycle takes at most */

typedef struct tf_exio_trace_rec {
    uint64_t order_id;
    uint32_t kind;                       /* tf_venue_cmd_kind */
    uint32_t _pad;
    uint64_t t_md, t_request, t_passed, t_handed, t_taken, t_encoded, t_submitted;
} tf_exio_trace_rec;

typedef struct tf_exio_trace {
    tf_hist *h_wait, *h_encode, *h_submit, *h_t2s;
    tf_exio_trace_rec pending[TF_EXIO_TRACE_BATCH]; /* encoded this cycle, not yet submitted */
    uint32_t pending_n;
    tf_exio_trace_rec *kept;             /* NULL: no trace file */
    uint32_t kept_n;
    uint64_t unkept;
    char path[256];
} tf_exio_trace;

/* Cold. stats may be NULL (no histograms); file NULL or "": no timeline kept.
 * 0, or -1 with TF_ERR. */
int tf_exio_trace_init(tf_exio_trace *t, tf_stats *stats, uint32_t owner, const char *file);
/* A command taken at `taken` and encoded by `encoded`. */
void tf_exio_trace_encoded(tf_exio_trace *t, const tf_venue_cmd *c, uint64_t taken, uint64_t encoded);
/* The cycle's sends were submitted (after io_uring_submit returned). */
void tf_exio_trace_submitted(tf_exio_trace *t, uint64_t now);
/* Cold: write the kept timeline to the file (one line per command:
 * "kind order_id t_md t_request t_passed t_handed t_taken t_encoded
 * t_submitted", ns, 0 where a stamp is unknown) and free it. */
void tf_exio_trace_close(tf_exio_trace *t);

#endif
