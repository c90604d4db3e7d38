/* tfsim exchange: the venue-behaviour faults that act on sessions rather
 * than on orders.
 *
 * fix-session-reset: a session boundary, once, on the first exchange_clock
 * at or after the first clock + S seconds: every connected session gets a
 * Logout (58 "end of session") and its connection is closed once that is
 * written (its answer is not waited for); every session's numbers go back
 * to 1 both ways, announced (tf_fix_session_reset_seq: our answer to the
 * next Logon carries 141=Y) or silently (tf_fix_store_reset). Orders are
 * not touched: the boundary's closes do not cancel on disconnect.
 *
 * fix-rewind-in: a session set up from its store (at load, or at its first
 * Logon) expects N inbound numbers it already had again, so the next Logon
 * asks for their resend.
 *
 * fix-strict: a FIX 4.4 data dictionary. A message whose MsgType is not one
 * of FIX 4.4's (373=11) or which carries a tag above 956, the last one FIX
 * 4.4 defines (373=0, 371 = the first such tag), is refused with a session
 * Reject and not acted on. A Logon so refused is answered outside any
 * session (MsgSeqNum 1) and never completes: the connection goes mute and
 * closes at its first-message timeout or when the client closes it. A
 * logged-on session's message is refused through the session (the Reject
 * takes our next number; theirs is consumed): application messages from
 * the session's on_app hook, admin ones (0 1 2 4 5) at the expected number
 * before the session sees them. No allocation; the Text is put together
 * without formatting. */
#include "tools/tfsim/exchange/exchange_int.h"

#include <string.h>

#include "shm/fixed.h"

#define SEC 1000000000ull
#define FIX44_LAST_TAG 956u

/* ---- fix-session-reset, fix-rewind-in ---------------------------------------------- */

void ex_fault_clock(exchange *x)
{
    const sim_fix_fault *f = &x->s->fix.fault;
    if (!x->clocked) {
        x->clocked = true;
        x->start_mono = x->mono;
    }
    if (!f->session_reset_after_s || x->boundary_done || x->mono - x->start_mono < f->session_reset_after_s * SEC)
        return;
    x->boundary_done = true;
    unsigned n = 0, out = 0;
    for (int i = 0; i < EX_MAX_SESSIONS; i++) {
        x_session *ss = &x->sess[i];
        if (!ss->used)
            continue;
        n++;
        if (ss->conn >= 0) {
            tf_fix_session_logout(&ss->fix, "end of session"); /* ACTIVE only */
            x->conn[ss->conn].drop = true;                      /* closed once the Logout is written */
            ss->cod = false; /* orders outlive the boundary, 8013=Y or not (the next Logon says again) */
            out++;
        }
        /* The Logout is already in the send queue with its old number. */
        if (f->session_reset_flag)
            tf_fix_session_reset_seq(&ss->fix);
        else
            tf_fix_store_reset(&ss->fix.store);
    }
    x->c.f_session_resets++;
    if (!x->quiet)
        fprintf(stderr, "tfsim: FIX session boundary (fix-session-reset): %u sessions back to MsgSeqNum 1 both ways "
                        "(%s), %u connections logged out\n", n,
                f->session_reset_flag ? "ResetSeqNumFlag=Y at the next Logon" : "silently", out);
}

void ex_fault_rewind(exchange *x, x_session *ss)
{
    uint64_t n = x->s->fix.fault.rewind_in, *in = &ss->fix.store.seq->next_in, was = *in;
    if (!n)
        return;
    *in = was > n ? was - n : 1;
    if (!x->quiet && *in != was)
        fprintf(stderr, "tfsim: FIX session %s expects MsgSeqNum %llu again, not %llu (fix-rewind-in)\n",
                ss->comp_id, (unsigned long long)*in, (unsigned long long)was);
}

/* ---- fix-strict --------------------------------------------------------------------- */

/* FIX 4.4's MsgTypes: 0-9, a-z, A-Z but I, O and U, AA-AZ and BA-BH. */
static bool msg_type_44(const char *t)
{
    char a = t[0], b = t[1];
    if (!b)
        return (a >= '0' && a <= '9') || (a >= 'a' && a <= 'z') ||
               (a >= 'A' && a <= 'Z' && a != 'I' && a != 'O' && a != 'U');
    return !t[2] && ((a == 'A' && b >= 'A' && b <= 'Z') || (a == 'B' && b >= 'A' && b <= 'H'));
}

/* -1 when m is in the dictionary, else the SessionRejectReason (*tag: the
 * first tag outside it, for reason 0). */
static int strict_check(const tf_fix_msg *m, uint32_t *tag)
{
    if (!msg_type_44(m->msg_type))
        return TF_FIX_REJ_BAD_MSG_TYPE;
    for (uint32_t i = 0; i < m->nfields; i++) {
        if (m->fields[i].tag > FIX44_LAST_TAG) {
            *tag = m->fields[i].tag;
            return TF_FIX_REJ_INVALID_TAG;
        }
    }
    return -1;
}

/* 45, 371, 372, 373, 58 of the Reject of m. */
static void put_reject(tf_fix_writer *w, const tf_fix_msg *m, int why, uint32_t tag)
{
    char text[48];
    size_t n;
    tf_fix_put_u64(w, TF_FIX_TAG_REF_SEQ_NUM, m->seq);
    if (why == TF_FIX_REJ_INVALID_TAG) {
        tf_fix_put_u64(w, TF_FIX_TAG_REF_TAG_ID, tag);
        memcpy(text, "Invalid tag number: ", n = 20);
        n += tf_u64_text(text + n, tag);
    } else {
        memcpy(text, "Invalid MsgType: ", n = 17);
        memcpy(text + n, m->msg_type, strlen(m->msg_type));
        n += strlen(m->msg_type);
    }
    tf_fix_put_cstr(w, TF_FIX_TAG_REF_MSG_TYPE, m->msg_type);
    tf_fix_put_u64(w, TF_FIX_TAG_SESSION_REJECT_REASON, (uint64_t)why);
    tf_fix_put_str(w, TF_FIX_TAG_TEXT, text, n);
}

bool ex_strict_logon(exchange *x, x_conn *c, const tf_fix_msg *m)
{
    uint32_t tag = 0;
    int why = x->s->fix.fault.strict ? strict_check(m, &tag) : -1;
    if (why < 0)
        return false;
    const char *id = "";
    size_t n = 0;
    tf_fix_get_str(m, TF_FIX_TAG_SENDER_COMP_ID, &id, &n);
    char buf[sizeof c->lone];
    tf_fix_writer w;
    tf_fix_begin(&w, buf, sizeof buf, "3");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, x->comp_id);
    tf_fix_put_str(&w, TF_FIX_TAG_TARGET_COMP_ID, id, n);
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, 1);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, x->wall);
    put_reject(&w, m, why, tag);
    size_t len = tf_fix_finish(&w);
    memcpy(c->lone, w.msg, len);
    c->lone_len = (uint32_t)len;
    c->lone_sent = 0;
    c->mute = true; /* no Logout, no close: the Logon just never completes */
    x->c.logons_refused++;
    x->c.f_strict++;
    if (!x->quiet)
        fprintf(stderr, "tfsim: FIX Logon of %.*s refused (fix-strict): tag %u is not FIX 4.4's\n", (int)n, id,
                tag);
    return true;
}

/* The Reject through the session (it takes our next number). */
static void reject_in_session(exchange *x, x_session *ss, const tf_fix_msg *m, int why, uint32_t tag)
{
    tf_fix_writer *w = tf_fix_session_begin(&ss->fix, "3");
    if (w) {
        put_reject(w, m, why, tag);
        tf_fix_session_send(&ss->fix);
    }
    x->c.f_strict++;
}

bool ex_strict_refuse(exchange *x, x_session *ss, const tf_fix_msg *m)
{
    uint32_t tag = 0;
    int why = x->s->fix.fault.strict ? strict_check(m, &tag) : -1;
    if (why < 0)
        return false;
    reject_in_session(x, ss, m, why, tag);
    return true;
}

bool ex_strict_admin(exchange *x, x_session *ss, const char *msg, size_t len)
{
    tf_fix_session *fs = &ss->fix;
    tf_fix_msg *m = &x->first; /* free once the Logon picked the session */
    if (!x->s->fix.fault.strict || fs->state != TF_FIX_ACTIVE || tf_fix_parse(msg, len, m) != TF_FIX_OK)
        return false;
    const char *t = m->msg_type;
    char gap_fill = 0;
    tf_fix_get_char(m, TF_FIX_TAG_GAP_FILL_FLAG, &gap_fill);
    /* Only what the session would handle in turn (a reset-mode
     * SequenceReset ignores its number; the rest is the session's). */
    if (t[1] || !strchr("01245", t[0]) || (t[0] == '4' && gap_fill != 'Y') || m->seq != fs->store.seq->next_in)
        return false;
    uint32_t tag = 0;
    int why = strict_check(m, &tag);
    if (why < 0)
        return false;
    /* Taken in turn, as the session would have. */
    fs->store.seq->next_in++;
    fs->last_in = x->mono;
    if (fs->resend_until && fs->store.seq->next_in > fs->resend_until)
        fs->resend_until = 0;
    reject_in_session(x, ss, m, why, tag);
    return true;
}
