/* The FIX 4.4 session state machine (see fix_session.h for what it
 * promises): the receive path — frame → parse → header checks → sequence
 * check → admin handling or the application callback — the timers, the
 * transport's connect/disconnect, Logout, and set-up. The outgoing side
 * (building, queueing, resending) is fix_session_send.c. Called from the
 * thread that owns the session. */
#include "lib/fix/fix_session_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/err.h"

const char *const tf_fix_close_names[TF_FIX_CLOSE_COUNT] = {
    "none", "logout_done", "peer_logout", "heartbeat_timeout", "logon_timeout", "logout_timeout",
    "logon_refused", "first_not_logon", "seq_too_low", "comp_id", "begin_string", "queue_full",
    "logon_seq_too_low",
};

#define MS 1000000ull
#define SEC 1000000000ull
#define TF_FIX_RESEND_RETRY_NS (1 * SEC) /* a resend making no progress this long is asked for again */

static bool is_admin(const char *t)
{
    return t[1] == 0 && (t[0] == '0' || t[0] == '1' || t[0] == '2' || t[0] == '3' || t[0] == '4' ||
                         t[0] == '5' || t[0] == 'A');
}

static void set_state(tf_fix_session *s, tf_fix_state st)
{
    tf_fix_state old = s->state;
    if (old == st)
        return;
    s->state = st;
    if (s->ops.on_state)
        s->ops.on_state(s->ctx, s, old);
}

/* ---- receiving --------------------------------------------------------- */

static bool comp_ids_ok(const tf_fix_msg *m, const tf_fix_session *s)
{
    const char *v;
    size_t n;
    if (tf_fix_get_str(m, TF_FIX_TAG_SENDER_COMP_ID, &v, &n) != 0 || n != strlen(s->cfg.target) ||
        memcmp(v, s->cfg.target, n) != 0)
        return false;
    if (tf_fix_get_str(m, TF_FIX_TAG_TARGET_COMP_ID, &v, &n) != 0 || n != strlen(s->cfg.sender) ||
        memcmp(v, s->cfg.sender, n) != 0)
        return false;
    return true;
}

static bool flag_yes(const tf_fix_msg *m, uint32_t tag)
{
    char c;
    return tf_fix_get_char(m, tag, &c) == 0 && c == 'Y';
}

static bool credentials_ok(const tf_fix_session *s, const tf_fix_msg *m)
{
    const char *v;
    size_t n;
    if (s->cfg.username[0] && (tf_fix_get_str(m, TF_FIX_TAG_USERNAME, &v, &n) != 0 ||
                               n != strlen(s->cfg.username) || memcmp(v, s->cfg.username, n) != 0))
        return false;
    if (s->cfg.password[0] && (tf_fix_get_str(m, TF_FIX_TAG_PASSWORD, &v, &n) != 0 ||
                               n != strlen(s->cfg.password) || memcmp(v, s->cfg.password, n) != 0))
        return false;
    return true;
}

/* The counterparty's Logon, in LOGON_SENT (initiator) or AWAIT_LOGON
 * (acceptor). Its sequence number is checked by the caller afterwards.
 * peer_reset: it carries ResetSeqNumFlag=Y with MsgSeqNum 1 (both
 * directions start over; the caller has set next_in to 1). */
static int on_logon(tf_fix_session *s, const tf_fix_msg *m, bool peer_reset)
{
    uint64_t hb;
    if (tf_fix_get_u64(m, TF_FIX_TAG_HEART_BT_INT, &hb) != 0 || hb == 0 || hb > 3600) {
        tf__fix_send_logout(s, "Logon needs HeartBtInt (108) between 1 and 3600");
        tf__fix_close_with(s, TF_FIX_CLOSE_LOGON_REFUSED, "bad HeartBtInt");
        return -1;
    }
    if (!s->cfg.initiator) {
        int ok = s->ops.on_logon ? s->ops.on_logon(s->ctx, s, m) : (credentials_ok(s, m) ? 0 : -1);
        if (ok != 0) {
            tf__fix_send_logout(s, "Logon refused");
            tf__fix_close_with(s, TF_FIX_CLOSE_LOGON_REFUSED, "we refused the counterparty's Logon");
            return -1;
        }
        s->peer_heartbeat_ns = hb * SEC;
        bool announce = s->reset_pending && !peer_reset;
        if (peer_reset || announce) {
            /* Their reset, or ours announced now: what waited in the store
             * belongs to the numbers that end here. */
            tf_fix_store_reset(&s->store);
            s->c.seq_resets++;
        }
        s->reset_pending = false;
        tf__fix_send_logon(s, peer_reset || announce);
        s->reset_sent = announce; /* their own reset Logon (MsgSeqNum 1) comes next */
    } else if (peer_reset && !s->reset_sent) {
        /* The venue reset its numbers and says so: ours start over too, and
         * our answer is a Logon with the flag, before anything else. */
        tf_fix_store_reset(&s->store);
        s->c.seq_resets++;
        tf__fix_send_logon(s, true);
    } else if (peer_reset) {
        s->c.seq_resets++;
    }
    if (s->cfg.initiator)
        s->reset_sent = false;
    s->c.logons++;
    s->test_req_sent = 0;
    set_state(s, TF_FIX_ACTIVE);
    return 0;
}

/* A Logon with ResetSeqNumFlag=Y and MsgSeqNum 1 during the session: both
 * directions start over; whoever did not ask answers with its own. */
static void on_session_reset(tf_fix_session *s)
{
    if (!s->reset_sent) {
        tf_fix_store_reset(&s->store);
        tf__fix_send_logon(s, true);
    }
    s->reset_sent = false;
    s->store.seq->next_in = 2;
    s->c.seq_resets++;
}

static void on_sequence_reset(tf_fix_session *s, const tf_fix_msg *m, bool gap_fill)
{
    uint64_t new_seq;
    uint64_t *next_in = &s->store.seq->next_in;
    if (tf_fix_get_u64(m, TF_FIX_TAG_NEW_SEQ_NO, &new_seq) != 0) {
        tf__fix_send_reject(s, m->seq, TF_FIX_TAG_NEW_SEQ_NO, TF_FIX_REJ_REQUIRED_MISSING,
                            "NewSeqNo missing");
        if (gap_fill && m->seq == *next_in)
            (*next_in)++;
        return;
    }
    if (new_seq < *next_in || (gap_fill && new_seq == *next_in && m->seq == *next_in)) {
        tf__fix_send_reject(s, m->seq, TF_FIX_TAG_NEW_SEQ_NO, TF_FIX_REJ_BAD_VALUE,
                            "NewSeqNo would lower MsgSeqNum");
        if (gap_fill && m->seq == *next_in)
            (*next_in)++;
        return;
    }
    *next_in = new_seq;
    if (gap_fill)
        s->c.gap_fills_in++;
}

/* Admin and application handling of a message whose sequence number is
 * the expected one (or a Logon/Logout/SequenceReset handled out of turn). */
static void dispatch(tf_fix_session *s, const tf_fix_msg *m)
{
    const char *t = m->msg_type;
    if (t[1] == 0) {
        switch (t[0]) {
        case '0': {
            const char *id;
            size_t n;
            if (s->test_req_sent && tf_fix_get_str(m, TF_FIX_TAG_TEST_REQ_ID, &id, &n) == 0) {
                s->rtt_ns = s->mono - s->test_req_sent;
                s->test_req_sent = 0;
            }
            return;
        }
        case '1': {
            const char *id;
            size_t n;
            if (tf_fix_get_str(m, TF_FIX_TAG_TEST_REQ_ID, &id, &n) != 0) {
                tf__fix_send_reject(s, m->seq, TF_FIX_TAG_TEST_REQ_ID, TF_FIX_REJ_REQUIRED_MISSING,
                                    "TestReqID missing");
                return;
            }
            tf__fix_send_heartbeat(s, id, n);
            return;
        }
        case '2': {
            uint64_t b, e;
            s->c.resend_requests_in++;
            if (tf_fix_get_u64(m, TF_FIX_TAG_BEGIN_SEQ_NO, &b) != 0 ||
                tf_fix_get_u64(m, TF_FIX_TAG_END_SEQ_NO, &e) != 0) {
                tf__fix_send_reject(s, m->seq, TF_FIX_TAG_BEGIN_SEQ_NO, TF_FIX_REJ_REQUIRED_MISSING,
                                    "ResendRequest needs BeginSeqNo and EndSeqNo");
                return;
            }
            tf__fix_serve_resend(s, b, e);
            return;
        }
        case '3': {
            const char *txt = "";
            size_t n = 0;
            tf_fix_get_str(m, TF_FIX_TAG_TEXT, &txt, &n);
            snprintf(s->reject_text, sizeof s->reject_text, "%.*s", (int)n, txt);
            s->c.rejects_in++;
            break; /* the application hears of it too */
        }
        case '5':
            if (s->state == TF_FIX_LOGOUT_SENT) {
                tf__fix_close_with(s, TF_FIX_CLOSE_LOGOUT_DONE, "");
            } else {
                const char *txt = "";
                size_t n = 0;
                tf_fix_get_str(m, TF_FIX_TAG_TEXT, &txt, &n);
                char text[96];
                snprintf(text, sizeof text, "%.*s", (int)n, txt);
                tf__fix_send_logout(s, NULL);
                tf__fix_close_with(s, TF_FIX_CLOSE_PEER_LOGOUT, text);
                set_state(s, TF_FIX_LOGOUT_SENT);
            }
            return;
        case 'A':
            tf__fix_send_reject(s, m->seq, TF_FIX_TAG_MSG_TYPE, TF_FIX_REJ_BAD_MSG_TYPE, "already logged on");
            return;
        case 'j':
            s->c.business_rejects_in++;
            break;
        default:
            break;
        }
    }
    s->c.app_in++;
    int why = s->ops.on_app ? s->ops.on_app(s->ctx, s, m) : 3;
    /* Never answer a BusinessMessageReject with another (two sessions
     * that both refuse it would go on for ever). */
    if (why != 0 && !is_admin(t) && !(t[0] == 'j' && t[1] == 0))
        tf__fix_send_business_reject(s, m->seq, t, why);
}

/* A number below the expected one without PossDup: the session cannot go
 * on; the Logout says why, in the standard's words. `detail`: what our
 * own log keeps (NULL: the same words). */
static void seq_too_low(tf_fix_session *s, uint64_t seq, tf_fix_close why, const char *detail)
{
    char text[96];
    snprintf(text, sizeof text, "MsgSeqNum too low, expecting %llu but received %llu",
             (unsigned long long)s->store.seq->next_in, (unsigned long long)seq);
    tf__fix_send_logout(s, text);
    tf__fix_close_with(s, why, detail ? detail : text);
}

static tf_fix_reject_reason reason_of(tf_fix_rc rc)
{
    return rc == TF_FIX_E_MSG_TYPE ? TF_FIX_REJ_BAD_MSG_TYPE
           : rc == TF_FIX_E_TOO_MANY_FIELDS ? TF_FIX_REJ_OTHER
                                            : TF_FIX_REJ_BAD_FORMAT;
}

static void on_message(tf_fix_session *s, const char *p, size_t n)
{
    tf_fix_msg *m = &s->in;
    tf_fix_rc rc = tf_fix_parse(p, n, m);
    s->last_in = s->mono;
    s->c.msgs_in++;
    if (rc == TF_FIX_E_BEGIN_STRING) {
        tf__fix_send_logout(s, "BeginString must be FIX.4.4");
        tf__fix_close_with(s, TF_FIX_CLOSE_BEGIN_STRING, "wrong BeginString");
        return;
    }
    if (rc == TF_FIX_E_CHECKSUM || rc == TF_FIX_E_BODY_LENGTH) {
        s->c.garbled++; /* ignored; its sequence number is asked for again */
        return;
    }
    uint64_t *next_in = &s->store.seq->next_in;
    bool awaiting = s->state == TF_FIX_AWAIT_LOGON || s->state == TF_FIX_LOGON_SENT;
    if (rc != TF_FIX_OK) {
        if (awaiting) {
            tf__fix_close_with(s, TF_FIX_CLOSE_FIRST_NOT_LOGON, "a malformed message before Logon");
            return;
        }
        if (m->seq && m->seq == *next_in) {
            tf__fix_send_reject(s, m->seq, 0, reason_of(rc), tf_fix_rc_names[rc]);
            (*next_in)++;
        } else {
            s->c.garbled++;
        }
        return;
    }
    bool logon = tf_fix_is(m, "A");
    if (awaiting && !logon) {
        if (s->state == TF_FIX_LOGON_SENT && (tf_fix_is(m, "5") || tf_fix_is(m, "3"))) {
            /* Refused: a Logout, or a session Reject of our Logon (a strict
             * venue naming a tag it does not accept). Its words are kept. */
            const char *txt = "";
            size_t len = 0;
            tf_fix_get_str(m, TF_FIX_TAG_TEXT, &txt, &len);
            char text[96];
            snprintf(text, sizeof text, "%s%.*s", tf_fix_is(m, "3") ? "Reject: " : "", (int)len, txt);
            if (tf_fix_is(m, "3")) {
                snprintf(s->reject_text, sizeof s->reject_text, "%.*s", (int)len, txt);
                s->c.rejects_in++;
            }
            /* A venue that refuses our number has reset its own: the same
             * problem as a Logon below ours, said the other way round. */
            bool seq = tf_fix_is(m, "5") && memmem(txt, len, "MsgSeqNum too low", 17);
            tf__fix_close_with(s, seq ? TF_FIX_CLOSE_LOGON_SEQ_LOW : TF_FIX_CLOSE_LOGON_REFUSED, text);
        } else {
            tf__fix_close_with(s, TF_FIX_CLOSE_FIRST_NOT_LOGON, "the first message was not a Logon");
        }
        return;
    }
    if (!comp_ids_ok(m, s)) {
        tf__fix_send_reject(s, m->seq, TF_FIX_TAG_SENDER_COMP_ID, (tf_fix_reject_reason)9, "CompID problem");
        tf__fix_send_logout(s, "CompID problem");
        tf__fix_close_with(s, TF_FIX_CLOSE_COMP_ID, "wrong SenderCompID or TargetCompID");
        return;
    }
    if (m->seq == 0) {
        tf__fix_send_logout(s, "MsgSeqNum (34) missing");
        tf__fix_close_with(s, TF_FIX_CLOSE_SEQ_TOO_LOW, "MsgSeqNum missing");
        return;
    }
    uint64_t t;
    if (tf_fix_get_time(m, TF_FIX_TAG_SENDING_TIME, &t) != 0) {
        if (m->seq == *next_in)
            (*next_in)++;
        tf__fix_send_reject(s, m->seq, TF_FIX_TAG_SENDING_TIME, TF_FIX_REJ_REQUIRED_MISSING,
                            "SendingTime missing or bad");
        return;
    }
    if (logon) {
        bool peer_reset = flag_yes(m, TF_FIX_TAG_RESET_SEQ_NUM_FLAG) && m->seq == 1;
        if (!awaiting) {
            if (peer_reset) {
                on_session_reset(s);
                return;
            }
            tf__fix_send_reject(s, m->seq, TF_FIX_TAG_MSG_TYPE, TF_FIX_REJ_BAD_MSG_TYPE, "already logged on");
            if (m->seq == *next_in)
                (*next_in)++;
            return;
        }
        /* An acceptor announcing its reset ignores their old number: their
         * own reset Logon (MsgSeqNum 1) follows ours. */
        bool announcing = !s->cfg.initiator && s->reset_pending && !peer_reset;
        if (peer_reset)
            *next_in = 1;
        if (!announcing && m->seq < *next_in) {
            char text[96];
            snprintf(text, sizeof text, "Logon MsgSeqNum %llu below the expected %llu, no ResetSeqNumFlag",
                     (unsigned long long)m->seq, (unsigned long long)*next_in);
            seq_too_low(s, m->seq, TF_FIX_CLOSE_LOGON_SEQ_LOW, text);
            return;
        }
        if (on_logon(s, m, peer_reset) != 0)
            return;
        if (announcing)
            return;
        if (m->seq > *next_in)
            tf__fix_send_resend_request(s, *next_in, m->seq);
        else
            (*next_in)++;
        return;
    }
    bool seq_reset = tf_fix_is(m, "4");
    bool gap_fill = seq_reset && flag_yes(m, TF_FIX_TAG_GAP_FILL_FLAG);
    if (seq_reset && !gap_fill) { /* reset mode: MsgSeqNum is ignored */
        on_sequence_reset(s, m, false);
        return;
    }
    if (m->seq > *next_in) {
        if (tf_fix_is(m, "5")) {
            dispatch(s, m);
            return;
        }
        /* Answered at once, whatever the gap: when both sides lost messages
         * (a connection broken with traffic both ways) each one's
         * ResendRequest lies beyond the other's gap; dropping them would
         * leave both waiting for ever. Its own number comes back in the
         * counterparty's resend (as a gap fill). */
        if (tf_fix_is(m, "2")) {
            dispatch(s, m);
            if (s->resend_until == 0)
                tf__fix_send_resend_request(s, *next_in, m->seq);
            return;
        }
        if (s->resend_until == 0)
            tf__fix_send_resend_request(s, *next_in, m->seq);
        return; /* dropped: it comes again in the resend */
    }
    if (m->seq < *next_in) {
        if (m->poss_dup) {
            s->c.possdup_ignored++;
            return;
        }
        seq_too_low(s, m->seq, TF_FIX_CLOSE_SEQ_TOO_LOW, NULL);
        return;
    }
    if (gap_fill) {
        on_sequence_reset(s, m, true);
    } else {
        (*next_in)++;
        dispatch(s, m);
    }
    if (s->resend_until && *next_in > s->resend_until)
        s->resend_until = 0;
}

/* Frame and handle what [p, p+n) holds; returns the bytes consumed (a
 * partial message at the end is left). */
static size_t consume(tf_fix_session *s, const char *p, size_t n)
{
    size_t used = 0;
    while (used < n && s->close == TF_FIX_CLOSE_NONE) {
        size_t len;
        tf_fix_frame_rc fr = tf_fix_frame(p + used, n - used, &len);
        if (fr == TF_FIX_FRAME_MORE)
            break;
        if (fr == TF_FIX_FRAME_GARBLED) {
            s->c.garbled++;
            used += len ? len : 1;
            continue;
        }
        on_message(s, p + used, len);
        used += len;
    }
    return used;
}

void tf_fix_session_on_bytes(tf_fix_session *s, const char *p, size_t n)
{
    if (s->state == TF_FIX_DISCONNECTED)
        return;
    while (n > 0) {
        if (s->stash_len == 0) {
            size_t used = consume(s, p, n);
            p += used;
            n -= used;
            if (n > 0 && s->close == TF_FIX_CLOSE_NONE) {
                /* A partial message (never longer than TF_FIX_MAX_MSG, framing says). */
                size_t take = n < TF_FIX_STASH_BYTES ? n : TF_FIX_STASH_BYTES;
                memcpy(s->stash, p, take);
                s->stash_len = (uint32_t)take;
                p += take;
                n -= take;
            }
            if (s->close != TF_FIX_CLOSE_NONE)
                return;
            continue;
        }
        size_t take = TF_FIX_STASH_BYTES - s->stash_len;
        if (take > n)
            take = n;
        memcpy(s->stash + s->stash_len, p, take);
        s->stash_len += (uint32_t)take;
        p += take;
        n -= take;
        size_t used = consume(s, s->stash, s->stash_len);
        memmove(s->stash, s->stash + used, s->stash_len - used);
        s->stash_len -= (uint32_t)used;
        if (s->close != TF_FIX_CLOSE_NONE)
            return;
    }
}

/* ---- timers and the public calls ---------------------------------------- */

void tf_fix_session_poll(tf_fix_session *s)
{
    uint64_t now = s->mono;
    switch (s->state) {
    case TF_FIX_LOGON_SENT:
    case TF_FIX_AWAIT_LOGON:
        if (now >= s->deadline)
            tf__fix_close_with(s, TF_FIX_CLOSE_LOGON_TIMEOUT, "no Logon in time");
        return;
    case TF_FIX_LOGOUT_SENT:
        if (now >= s->deadline)
            tf__fix_close_with(s, TF_FIX_CLOSE_LOGOUT_TIMEOUT, "no Logout answer in time");
        return;
    case TF_FIX_ACTIVE: {
        uint64_t hb = s->peer_heartbeat_ns;
        /* A resend that stopped short (one of its messages garbled, or the
         * counterparty sent part of the range): ask again for what is
         * still missing, rather than drop everything beyond it for ever. */
        if (s->resend_until && now - s->resend_sent >= TF_FIX_RESEND_RETRY_NS) {
            uint64_t next_in = s->store.seq->next_in;
            if (next_in == s->resend_from)
                tf__fix_send_resend_request(s, next_in, s->resend_until);
            else {
                s->resend_from = next_in;
                s->resend_sent = now;
            }
        }
        if (now - s->last_out >= hb)
            tf__fix_send_heartbeat(s, NULL, 0);
        if (s->test_req_sent) {
            if (now - s->test_req_sent >= hb) {
                s->c.heartbeat_timeouts++;
                tf__fix_close_with(s, TF_FIX_CLOSE_HEARTBEAT, "no answer to a TestRequest");
            }
        } else if (now - s->last_in >= hb + hb / 5) {
            tf__fix_send_test_request(s);
        }
        return;
    }
    default:
        return;
    }
}

int tf_fix_session_init(tf_fix_session *s, const tf_fix_session_config *cfg, const tf_fix_session_ops *ops,
                        void *ctx)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    if (ops)
        s->ops = *ops;
    s->ctx = ctx;
    if (s->cfg.heartbeat_s == 0)
        s->cfg.heartbeat_s = 30;
    if (s->cfg.logon_timeout_ms == 0)
        s->cfg.logon_timeout_ms = 10000;
    if (s->cfg.logout_timeout_ms == 0)
        s->cfg.logout_timeout_ms = 2000;
    s->peer_heartbeat_ns = (uint64_t)s->cfg.heartbeat_s * SEC;
    if (tf_fix_store_open(&s->store, s->cfg.store_dir[0] ? s->cfg.store_dir : NULL, s->cfg.sender,
                          s->cfg.target) != 0)
        return TF_ERR_CTX("FIX session %s-%s: ", s->cfg.sender, s->cfg.target);
    s->outq[0] = malloc(TF_FIX_OUTQ_BYTES);
    s->outq[1] = malloc(TF_FIX_OUTQ_BYTES);
    s->stash = malloc(TF_FIX_STASH_BYTES);
    s->scratch = malloc(TF_FIX_SCRATCH_BYTES);
    if (!s->outq[0] || !s->outq[1] || !s->stash || !s->scratch) {
        tf_fix_session_free(s);
        return TF_ERR("out of memory for FIX session buffers");
    }
    return 0;
}

void tf_fix_session_free(tf_fix_session *s)
{
    tf_fix_store_close(&s->store);
    free(s->outq[0]);
    free(s->outq[1]);
    free(s->stash);
    free(s->scratch);
    s->outq[0] = s->outq[1] = s->stash = s->scratch = NULL;
}

void tf_fix_session_connected(tf_fix_session *s)
{
    s->out_len[0] = s->out_len[1] = 0;
    s->out_sent = 0;
    s->stash_len = 0;
    s->close = TF_FIX_CLOSE_NONE;
    s->close_text[0] = 0;
    s->resend_until = 0;
    s->test_req_sent = 0;
    s->last_in = s->last_out = s->mono;
    s->deadline = s->mono + (uint64_t)s->cfg.logon_timeout_ms * MS;
    s->peer_heartbeat_ns = (uint64_t)s->cfg.heartbeat_s * SEC;
    if (s->cfg.initiator) {
        bool reset = s->cfg.reset_on_logon || s->reset_pending;
        if (reset)
            tf_fix_store_reset(&s->store);
        s->reset_pending = false;
        s->reset_sent = reset;
        set_state(s, TF_FIX_LOGON_SENT);
        tf__fix_send_logon(s, reset);
    } else {
        set_state(s, TF_FIX_AWAIT_LOGON);
    }
}

void tf_fix_session_disconnected(tf_fix_session *s)
{
    s->out_len[0] = s->out_len[1] = 0;
    s->out_sent = 0;
    s->stash_len = 0;
    set_state(s, TF_FIX_DISCONNECTED);
}

void tf_fix_session_reset_seq(tf_fix_session *s)
{
    tf_fix_store_reset(&s->store);
    s->reset_pending = true;
    s->c.seq_resets++;
}

void tf_fix_session_logout(tf_fix_session *s, const char *text)
{
    if (s->state != TF_FIX_ACTIVE)
        return;
    tf__fix_send_logout(s, text);
    s->deadline = s->mono + (uint64_t)s->cfg.logout_timeout_ms * MS;
    set_state(s, TF_FIX_LOGOUT_SENT);
}
