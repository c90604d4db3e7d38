/* The FIX 4.4 session layer as a state machine with no I/O of its own: the
 * transport hands it the bytes it received and the clock, and sends what it
 * queues. The engine's exchange I/O stage (initiator, io_uring) and tfsim's
 * acceptor run the same code.
 *
 * What it does: Logon (username/password, ResetSeqNumFlag, a hook for
 * venue-specific fields such as Binance's signed logon), heartbeats and
 * TestRequest, sequence numbers kept in a mapped file across restarts,
 * ResendRequest and SequenceReset-GapFill in both directions, PossDup,
 * session Reject of a malformed message, Logout. A message with a bad
 * CheckSum or BodyLength is counted and ignored without consuming its
 * sequence number (the gap that follows asks for it again); one with a bad
 * field is rejected (35=3) and consumed; a sequence number too low without
 * PossDup ends the session with a Logout that says why; messages beyond a
 * gap are dropped and asked for again (ResendRequest to infinity), so the
 * application sees every message once and in order — except a
 * ResendRequest, answered at once wherever it falls (both sides may be
 * missing messages after a broken connection).
 *
 * Sequence resets (FIX session protocol): a Logon with ResetSeqNumFlag=Y
 * and MsgSeqNum 1 — at logon or during the session — resets both
 * directions; whoever did not ask answers with its own reset Logon. A
 * counterparty Logon below the expected number without the flag ends the
 * attempt with TF_FIX_CLOSE_LOGON_SEQ_LOW (the caller must not simply
 * retry). A ResendRequest never brings back an application message whose
 * moment has passed (resend_*_max_age_ns): it is gap-filled.
 *
 * Sending: tf_fix_session_begin writes the standard header into the
 * session's scratch buffer and returns a writer for the application's
 * fields; tf_fix_session_send finishes it, appends it to the send queue and
 * keeps its fields for resends. The send queue is two buffers: the
 * transport sends from one (tf_fix_session_out_peek / _out_done; the bytes
 * stay put until done, so one send can be in flight) while new messages go
 * into the other. A full queue refuses an application message (-1, nothing
 * consumed): back-pressure, not loss.
 *
 * Threading: one thread owns a session. No allocation after init; the hot
 * path (on_bytes, begin/send, poll) formats nothing but FIX. */
#ifndef TF_ENGINE_FIX_SESSION_H
#define TF_ENGINE_FIX_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/fix/fix_codec.h"
#include "shm/catalog.h"
#include "lib/fix/fix_store.h"

#define TF_FIX_OUTQ_BYTES (1u << 20)       /* each of the two send buffers */
#define TF_FIX_STASH_BYTES (2 * TF_FIX_MAX_MSG)
#define TF_FIX_SCRATCH_BYTES (TF_FIX_MAX_MSG + TF_FIX_PREFIX + 16)

/* tf_fix_state and its labels are published (the fix_session_state gauge):
 * they live in the catalogue, shm/catalog.h. */

/* Why the session asks its transport to close (after sending what is queued). */
typedef enum tf_fix_close {
    TF_FIX_CLOSE_NONE = 0,
    TF_FIX_CLOSE_LOGOUT_DONE,    /* we logged out and the counterparty answered */
    TF_FIX_CLOSE_PEER_LOGOUT,    /* the counterparty logged out; we answered */
    TF_FIX_CLOSE_HEARTBEAT,      /* nothing received for HeartBtInt after a TestRequest */
    TF_FIX_CLOSE_LOGON_TIMEOUT,
    TF_FIX_CLOSE_LOGOUT_TIMEOUT,
    TF_FIX_CLOSE_LOGON_REFUSED,  /* the counterparty refused ours, or we refused theirs */
    TF_FIX_CLOSE_FIRST_NOT_LOGON,
    TF_FIX_CLOSE_SEQ_TOO_LOW,
    TF_FIX_CLOSE_COMP_ID,
    TF_FIX_CLOSE_BEGIN_STRING,
    TF_FIX_CLOSE_QUEUE_FULL,     /* the transport is not draining the send queue */
    TF_FIX_CLOSE_LOGON_SEQ_LOW,  /* the counterparty's Logon is below the number we expect, with no
                                  * ResetSeqNumFlag, or its Logout says ours is too low: it reset its
                                  * numbers and we did not (retrying
                                  * only burns its numbers; an operator or the schedule must reset) */
    TF_FIX_CLOSE_COUNT
} tf_fix_close;
extern const char *const tf_fix_close_names[TF_FIX_CLOSE_COUNT];

typedef struct tf_fix_session_counters {
    uint64_t msgs_in, msgs_out, app_in, app_out;
    uint64_t garbled;            /* bad CheckSum/BodyLength or not FIX: ignored */
    uint64_t rejects_in, rejects_out, business_rejects_in, business_rejects_out;
    uint64_t resend_requests_in, resend_requests_out, resent, gap_fills_in, gap_fills_out;
    uint64_t possdup_ignored, test_requests_out, heartbeats_out, logons, heartbeat_timeouts;
    uint64_t stale_not_resent;   /* asked for again after their moment passed: gap-filled instead */
    uint64_t seq_resets;         /* both sides' numbers back to 1 (either side's ResetSeqNumFlag) */
} tf_fix_session_counters;

typedef struct tf_fix_session tf_fix_session;

typedef struct tf_fix_session_ops {
    /* An application message, in sequence (PossDup ones flagged in m).
     * Session Rejects (35=3) are passed on too, so the application can
     * find the refused message by RefSeqNum (tf_fix_session_sent). Return 0,
     * or a BusinessRejectReason (380) to answer with a BusinessMessageReject
     * (e.g. 3: unsupported message type). */
    int (*on_app)(void *ctx, tf_fix_session *s, const tf_fix_msg *m);
    /* Acceptor: the counterparty's Logon (CompIDs already checked). Return
     * 0 to accept, -1 to refuse with a Logout. NULL: accept when the
     * configured username/password (if any) match. */
    int (*on_logon)(void *ctx, tf_fix_session *s, const tf_fix_msg *m);
    /* Initiator: add venue fields to our Logon (after the standard ones). */
    void (*logon_fields)(void *ctx, tf_fix_session *s, tf_fix_writer *w);
    /* The state changed (logon, logout, disconnect). */
    void (*on_state)(void *ctx, tf_fix_session *s, tf_fix_state old_state);
} tf_fix_session_ops;

typedef struct tf_fix_session_config {
    char sender[TF_FIX_COMP_ID_MAX], target[TF_FIX_COMP_ID_MAX];
    char username[64], password[64];
    char store_dir[256];         /* "" keeps sequence numbers in memory */
    bool initiator;
    bool reset_on_logon;         /* our Logon carries ResetSeqNumFlag=Y */
    bool resend_app;             /* answer ResendRequest with the messages (PossDup=Y), else gap-fill them */
    bool send_while_down;        /* acceptor: application messages made while the counterparty is away
                                  * take their sequence numbers and wait in the store for its
                                  * ResendRequest after the next Logon (a venue's execution reports) */
    uint32_t heartbeat_s;
    uint32_t logon_timeout_ms, logout_timeout_ms;
    /* Resend safety: an application message asked for again more than this
     * long after it was first sent is gap-filled, not resent (0: no limit).
     * Orders and replaces act on a market that has moved (a venue that lost
     * its order state would place them again); cancels and status requests
     * are harmless for longer. Reconciliation finds the fate of what was
     * not resent. */
    uint64_t resend_order_max_age_ns;  /* D, G, XCN and any other application message */
    uint64_t resend_cancel_max_age_ns; /* F (cancel) and H (status request) */
} tf_fix_session_config;

struct tf_fix_session {
    tf_fix_session_config cfg;
    tf_fix_session_ops ops;
    void *ctx;
    tf_fix_store store;
    tf_fix_state state;
    tf_fix_close close;
    char close_text[96];         /* cold detail, e.g. the counterparty's Logout text */
    uint64_t mono, wall;         /* the clock, set once per cycle */
    uint64_t last_in, last_out, test_req_sent, deadline;
    uint64_t test_req_id;
    uint64_t peer_heartbeat_ns;  /* the counterparty's HeartBtInt (acceptor: theirs; initiator: ours) */
    uint64_t resend_until;       /* a ResendRequest is out for messages up to this one (0: none) */
    uint64_t resend_sent, resend_from; /* when it went out, and the number expected then */
    uint64_t rtt_ns;             /* last TestRequest → Heartbeat */
    bool reset_pending;          /* tf_fix_session_reset_seq: the next Logon carries ResetSeqNumFlag=Y */
    bool reset_sent;             /* our Logon with ResetSeqNumFlag=Y awaits the counterparty's */
    char reject_text[96];        /* cold: the Text (58) of the last session Reject received */
    /* send queue: two buffers, one being sent, one being filled */
    char *outq[2];
    uint32_t out_len[2];
    uint32_t out_sent;           /* bytes of outq[sending] already sent */
    uint8_t sending;
    /* receive: the tail of a message split across receives */
    char *stash;
    uint32_t stash_len;
    /* the message being built */
    char *scratch;
    tf_fix_writer w;
    uint32_t app_fields_at;
    char msg_type[4];
    tf_fix_msg in;               /* the message being handled */
    tf_fix_session_counters c;
};

/* Cold: copy the config, open the store. 0, or -1 with TF_ERR. */
int tf_fix_session_init(tf_fix_session *s, const tf_fix_session_config *cfg, const tf_fix_session_ops *ops,
                        void *ctx);
void tf_fix_session_free(tf_fix_session *s);

/* The clock for this cycle: monotonic for timers, wall for SendingTime. */
static inline void tf_fix_session_clock(tf_fix_session *s, uint64_t mono_ns, uint64_t wall_ns)
{
    s->mono = mono_ns;
    s->wall = wall_ns;
}

/* Transport events. connected: the initiator sends its Logon, the acceptor
 * waits for one; the queues start empty. disconnected: the state goes to
 * DISCONNECTED, the sequence numbers stay. */
void tf_fix_session_connected(tf_fix_session *s);
void tf_fix_session_disconnected(tf_fix_session *s);
void tf_fix_session_on_bytes(tf_fix_session *s, const char *p, size_t n);
/* Timers: heartbeat, TestRequest, logon/logout timeouts. Call every cycle. */
void tf_fix_session_poll(tf_fix_session *s);

/* Application messages (ACTIVE only, or any time with send_while_down;
 * NULL otherwise). */
tf_fix_writer *tf_fix_session_begin(tf_fix_session *s, const char *msg_type);
/* Queue it: its MsgSeqNum, or 0 when it did not fit (nothing consumed). */
uint64_t tf_fix_session_send(tf_fix_session *s);
/* Start a Logout (ACTIVE only); the transport closes when it is answered. */
void tf_fix_session_logout(tf_fix_session *s, const char *text);

/* The fields of the application message we sent as `seq` (for a Reject's
 * RefSeqNum): 0 with fields and len set, -1 when no longer kept. */
int tf_fix_session_sent(const tf_fix_session *s, uint64_t seq, const char **fields, size_t *len, char msg_type[4]);

/* Transport side of the send queue: the next bytes to send (0: nothing),
 * stable until _out_done reports them sent (in part or whole). */
size_t tf_fix_session_out_peek(tf_fix_session *s, const char **p);
void tf_fix_session_out_done(tf_fix_session *s, size_t n);
static inline bool tf_fix_session_out_pending(const tf_fix_session *s)
{
    return s->out_len[0] != 0 || s->out_len[1] != 0;
}

/* Reset the sequence numbers of both directions to 1 and forget the sent
 * messages (a session boundary, or an operator's deliberate reset). The
 * next Logon says so with ResetSeqNumFlag=Y: ours (initiator), or our
 * answer to theirs (acceptor), whatever theirs carried. Cold; call while
 * disconnected. */
void tf_fix_session_reset_seq(tf_fix_session *s);

/* Test and fault hooks: skip `n` outgoing sequence numbers (a gap the
 * counterparty must fill by resend). */
void tf_fix_session_skip_seq(tf_fix_session *s, uint64_t n);

#endif
