/* The FIX session's outgoing side (see fix_session.h): every message is
 * built in the scratch buffer behind a standard header and copied into the
 * send queue (two buffers: one in flight, one filling); the admin messages
 * the state machine sends; answering a ResendRequest from the kept
 * application fields; the application's begin/send and the transport's
 * peek/done. Called from the thread that owns the session. */
#include <stdio.h>
#include <string.h>

#include "lib/fix/fix_session_internal.h"

/* ---- building and queueing -------------------------------------------- */

static void header(tf_fix_session *s, const char *type, uint64_t seq, bool poss_dup, uint64_t orig_wall)
{
    tf_fix_begin(&s->w, s->scratch, TF_FIX_SCRATCH_BYTES, type);
    tf_fix_put_cstr(&s->w, TF_FIX_TAG_SENDER_COMP_ID, s->cfg.sender);
    tf_fix_put_cstr(&s->w, TF_FIX_TAG_TARGET_COMP_ID, s->cfg.target);
    tf_fix_put_u64(&s->w, TF_FIX_TAG_MSG_SEQ_NUM, seq);
    tf_fix_put_time(&s->w, TF_FIX_TAG_SENDING_TIME, s->wall);
    if (poss_dup) {
        tf_fix_put_char(&s->w, TF_FIX_TAG_POSS_DUP, 'Y');
        tf_fix_put_time(&s->w, TF_FIX_TAG_ORIG_SENDING_TIME, orig_wall);
    }
    s->app_fields_at = s->w.len;
    size_t tl = strnlen(type, sizeof s->msg_type - 1); /* 1-3 characters: no formatting per message */
    memcpy(s->msg_type, type, tl);
    s->msg_type[tl] = 0;
}

/* Finish the scratch message and append it to the filling buffer. */
static int enqueue(tf_fix_session *s)
{
    size_t n = tf_fix_finish(&s->w);
    if (n == 0)
        return -1;
    uint8_t fill = (uint8_t)(s->sending ^ 1);
    if (s->out_len[fill] + n > TF_FIX_OUTQ_BYTES) {
        /* The sending buffer may be idle: fill it instead. */
        if (s->out_len[s->sending] == 0 && n <= TF_FIX_OUTQ_BYTES) {
            s->sending = fill;
            fill = (uint8_t)(fill ^ 1);
            s->out_sent = 0;
        } else {
            return -1;
        }
    }
    memcpy(s->outq[fill] + s->out_len[fill], s->w.msg, n);
    s->out_len[fill] += (uint32_t)n;
    s->last_out = s->mono;
    s->c.msgs_out++;
    return 0;
}

/* An admin message with the next sequence number. A full queue here means
 * the transport is stuck: the session ends. */
static void send_admin(tf_fix_session *s)
{
    if (enqueue(s) != 0) {
        tf__fix_close_with(s, TF_FIX_CLOSE_QUEUE_FULL, "send queue full");
        return;
    }
    s->store.seq->next_out++;
}

static void admin(tf_fix_session *s, const char *type)
{
    header(s, type, s->store.seq->next_out, false, 0);
}

void tf__fix_send_logon(tf_fix_session *s, bool reset)
{
    admin(s, "A");
    tf_fix_put_char(&s->w, TF_FIX_TAG_ENCRYPT_METHOD, '0');
    tf_fix_put_u64(&s->w, TF_FIX_TAG_HEART_BT_INT, s->cfg.heartbeat_s);
    if (reset)
        tf_fix_put_char(&s->w, TF_FIX_TAG_RESET_SEQ_NUM_FLAG, 'Y');
    if (s->cfg.initiator && s->cfg.username[0])
        tf_fix_put_cstr(&s->w, TF_FIX_TAG_USERNAME, s->cfg.username);
    if (s->cfg.initiator && s->cfg.password[0])
        tf_fix_put_cstr(&s->w, TF_FIX_TAG_PASSWORD, s->cfg.password);
    if (s->cfg.initiator && s->ops.logon_fields)
        s->ops.logon_fields(s->ctx, s, &s->w);
    send_admin(s);
}

void tf__fix_send_logout(tf_fix_session *s, const char *text)
{
    admin(s, "5");
    if (text && text[0])
        tf_fix_put_cstr(&s->w, TF_FIX_TAG_TEXT, text);
    send_admin(s);
}

void tf__fix_send_reject(tf_fix_session *s, uint64_t ref_seq, uint32_t ref_tag, tf_fix_reject_reason why,
                         const char *text)
{
    admin(s, "3");
    tf_fix_put_u64(&s->w, TF_FIX_TAG_REF_SEQ_NUM, ref_seq);
    if (ref_tag)
        tf_fix_put_u64(&s->w, TF_FIX_TAG_REF_TAG_ID, ref_tag);
    if (s->in.msg_type[0])
        tf_fix_put_cstr(&s->w, TF_FIX_TAG_REF_MSG_TYPE, s->in.msg_type);
    tf_fix_put_u64(&s->w, TF_FIX_TAG_SESSION_REJECT_REASON, (uint64_t)why);
    if (text)
        tf_fix_put_cstr(&s->w, TF_FIX_TAG_TEXT, text);
    send_admin(s);
    s->c.rejects_out++;
}

void tf__fix_send_business_reject(tf_fix_session *s, uint64_t ref_seq, const char *ref_msg_type, int why)
{
    admin(s, "j");
    tf_fix_put_u64(&s->w, TF_FIX_TAG_REF_SEQ_NUM, ref_seq);
    tf_fix_put_cstr(&s->w, TF_FIX_TAG_REF_MSG_TYPE, ref_msg_type);
    tf_fix_put_u64(&s->w, TF_FIX_TAG_BUSINESS_REJECT_REASON, (uint64_t)why);
    send_admin(s);
    s->c.business_rejects_out++;
}

void tf__fix_send_resend_request(tf_fix_session *s, uint64_t from, uint64_t upto_seen)
{
    admin(s, "2");
    tf_fix_put_u64(&s->w, TF_FIX_TAG_BEGIN_SEQ_NO, from);
    tf_fix_put_u64(&s->w, TF_FIX_TAG_END_SEQ_NO, 0);
    send_admin(s);
    s->resend_until = upto_seen;
    s->resend_sent = s->mono;
    s->resend_from = from;
    s->c.resend_requests_out++;
}

void tf__fix_send_test_request(tf_fix_session *s)
{
    char id[24];
    int n = snprintf(id, sizeof id, "%llu", (unsigned long long)++s->test_req_id);
    admin(s, "1");
    tf_fix_put_str(&s->w, TF_FIX_TAG_TEST_REQ_ID, id, (size_t)n);
    send_admin(s);
    s->test_req_sent = s->mono;
    s->c.test_requests_out++;
}

void tf__fix_send_heartbeat(tf_fix_session *s, const char *test_req_id, size_t len)
{
    admin(s, "0");
    if (test_req_id)
        tf_fix_put_str(&s->w, TF_FIX_TAG_TEST_REQ_ID, test_req_id, len);
    send_admin(s);
    s->c.heartbeats_out++;
}

/* Gap-fill [from, to): a SequenceReset with its own number `from`. */
static void send_gap_fill(tf_fix_session *s, uint64_t from, uint64_t to)
{
    header(s, "4", from, true, s->wall);
    tf_fix_put_char(&s->w, TF_FIX_TAG_GAP_FILL_FLAG, 'Y');
    tf_fix_put_u64(&s->w, TF_FIX_TAG_NEW_SEQ_NO, to);
    if (enqueue(s) != 0)
        tf__fix_close_with(s, TF_FIX_CLOSE_QUEUE_FULL, "send queue full");
    s->c.gap_fills_out++;
}

/* Has this message's moment passed (resend safety, fix_session.h)? */
static bool stale(const tf_fix_session *s, const tf_fix_stored *st)
{
    const char *t = st->msg_type;
    bool cancel_like = t[1] == 0 && (t[0] == 'F' || t[0] == 'H');
    uint64_t max = cancel_like ? s->cfg.resend_cancel_max_age_ns : s->cfg.resend_order_max_age_ns;
    return max && s->wall > st->sent_wall_ns && s->wall - st->sent_wall_ns > max;
}

/* Answer a ResendRequest: kept application messages again with PossDup,
 * everything else (admin messages, messages no longer kept, stale ones, or
 * all of them when resend_app is off) as gap fills. Stops resending, and gap-fills the
 * rest, when the send queue is nearly full. */
void tf__fix_serve_resend(tf_fix_session *s, uint64_t begin, uint64_t end)
{
    uint64_t next_out = s->store.seq->next_out;
    if (begin == 0)
        begin = 1;
    if (end == 0 || end >= next_out)
        end = next_out - 1;
    if (begin > end)
        return;
    uint64_t gap_from = 0;
    for (uint64_t seq = begin; seq <= end; seq++) {
        const char *fields;
        const tf_fix_stored *st = s->cfg.resend_app ? tf_fix_store_get(&s->store, seq, &fields) : NULL;
        if (st && stale(s, st)) {
            s->c.stale_not_resent++;
            st = NULL;
        }
        uint8_t fill = (uint8_t)(s->sending ^ 1);
        bool room = st && s->out_len[fill] + st->len + 256 + 4096 < TF_FIX_OUTQ_BYTES;
        if (!room) {
            if (!gap_from)
                gap_from = seq;
            continue;
        }
        if (gap_from) {
            send_gap_fill(s, gap_from, seq);
            gap_from = 0;
        }
        header(s, st->msg_type, seq, true, st->sent_wall_ns);
        if (s->w.len + st->len <= s->w.cap) {
            memcpy(s->w.buf + s->w.len, fields, st->len);
            s->w.len += st->len;
        } else {
            s->w.overflow = true;
        }
        if (enqueue(s) != 0)
            tf__fix_close_with(s, TF_FIX_CLOSE_QUEUE_FULL, "send queue full");
        s->c.resent++;
    }
    if (gap_from)
        send_gap_fill(s, gap_from, end + 1);
}

/* ---- the application's and the transport's calls ------------------------ */

tf_fix_writer *tf_fix_session_begin(tf_fix_session *s, const char *msg_type)
{
    if (s->state != TF_FIX_ACTIVE && !s->cfg.send_while_down)
        return NULL;
    header(s, msg_type, s->store.seq->next_out, false, 0);
    return &s->w;
}

uint64_t tf_fix_session_send(tf_fix_session *s)
{
    uint64_t seq = s->store.seq->next_out;
    const char *fields = s->w.buf + s->app_fields_at;
    size_t flen = s->w.len - s->app_fields_at;
    if (s->w.overflow)
        return 0;
    if (s->state != TF_FIX_ACTIVE) { /* kept for the resend after the next Logon */
        if (tf_fix_finish(&s->w) == 0)
            return 0;
    } else if (enqueue(s) != 0) {
        return 0;
    }
    tf_fix_store_keep(&s->store, seq, s->msg_type, fields, flen, s->wall);
    s->store.seq->next_out = seq + 1;
    s->c.app_out++;
    return seq;
}

int tf_fix_session_sent(const tf_fix_session *s, uint64_t seq, const char **fields, size_t *len, char msg_type[4])
{
    const tf_fix_stored *st = tf_fix_store_get(&s->store, seq, fields);
    if (!st)
        return -1;
    *len = st->len;
    memcpy(msg_type, st->msg_type, 4);
    return 0;
}

size_t tf_fix_session_out_peek(tf_fix_session *s, const char **p)
{
    if (s->out_len[s->sending] == 0) {
        uint8_t fill = (uint8_t)(s->sending ^ 1);
        if (s->out_len[fill] == 0)
            return 0;
        s->sending = fill;
        s->out_sent = 0;
    }
    *p = s->outq[s->sending] + s->out_sent;
    return s->out_len[s->sending] - s->out_sent;
}

void tf_fix_session_out_done(tf_fix_session *s, size_t n)
{
    s->out_sent += (uint32_t)n;
    if (s->out_sent >= s->out_len[s->sending]) {
        s->out_len[s->sending] = 0;
        s->out_sent = 0;
    }
}

void tf_fix_session_skip_seq(tf_fix_session *s, uint64_t n)
{
    s->store.seq->next_out += n;
}
