/* Between the FIX session's files (fix_session.c: the receive path, the
 * state machine, timers and the transport's events; fix_session_send.c:
 * building and queueing outgoing messages, the admin messages, answering a
 * ResendRequest, and the send queue's two ends). Not a public interface.
 * All of it runs on the thread that owns the session. */
#ifndef TF_ENGINE_FIX_SESSION_INTERNAL_H
#define TF_ENGINE_FIX_SESSION_INTERNAL_H

#include <stdio.h>

#include "lib/fix/fix_session.h"

/* Ask the transport to close; the first reason given is kept (cold). */
static inline void tf__fix_close_with(tf_fix_session *s, tf_fix_close why, const char *text)
{
    if (s->close == TF_FIX_CLOSE_NONE) {
        s->close = why;
        snprintf(s->close_text, sizeof s->close_text, "%s", text ? text : "");
    }
}

/* fix_session_send.c: admin messages, each with the next sequence number
 * (a full send queue closes the session: the transport is stuck). */
void tf__fix_send_logon(tf_fix_session *s, bool reset);
void tf__fix_send_logout(tf_fix_session *s, const char *text);
void tf__fix_send_reject(tf_fix_session *s, uint64_t ref_seq, uint32_t ref_tag, tf_fix_reject_reason why,
                         const char *text);
void tf__fix_send_business_reject(tf_fix_session *s, uint64_t ref_seq, const char *ref_msg_type, int why);
/* Asks for [from, infinity) after seeing up to `upto_seen`. */
void tf__fix_send_resend_request(tf_fix_session *s, uint64_t from, uint64_t upto_seen);
void tf__fix_send_test_request(tf_fix_session *s);
void tf__fix_send_heartbeat(tf_fix_session *s, const char *test_req_id, size_t len);
/* Answer the counterparty's ResendRequest for [begin, end] (end 0: all). */
void tf__fix_serve_resend(tf_fix_session *s, uint64_t begin, uint64_t end);

#endif
