/* libFuzzer target: a FIX acceptor session fed hostile bytes. The input's
 * first byte picks the chunking; the rest arrives as a stream split into
 * chunks, after a valid Logon (so the session is ACTIVE and every admin
 * path — resend, gap fill, sequence reset, reject, logout — is reachable),
 * with the clock moving between chunks so heartbeats and TestRequests fire.
 * Checked beyond "no crash, no sanitizer report": every byte the session
 * queues to send frames and parses as a well-formed FIX 4.4 message with
 * our CompIDs and a sequence number; sequence numbers only go up; the
 * session never asks to close without a reason. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fix/fix_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)      \
    do {              \
        if (!(c))     \
            abort();  \
    } while (0)

static tf_fix_msg out_msg;
static uint64_t last_out_seq;

static int on_app(void *ctx, tf_fix_session *s, const tf_fix_msg *m)
{
    (void)ctx;
    /* answer orders with a report, as a venue would */
    if (tf_fix_is(m, "D")) {
        tf_fix_writer *w = tf_fix_session_begin(s, "8");
        if (w) {
            const char *v;
            size_t n;
            if (tf_fix_get_str(m, TF_FIX_TAG_CL_ORD_ID, &v, &n) == 0)
                tf_fix_put_str(w, TF_FIX_TAG_CL_ORD_ID, v, n);
            tf_fix_put_char(w, TF_FIX_TAG_EXEC_TYPE, '0');
            tf_fix_session_send(s);
        }
        return 0;
    }
    return tf_fix_is(m, "3") || tf_fix_is(m, "j") ? 0 : 3;
}

/* Everything queued must be valid FIX from us. */
static void drain(tf_fix_session *s)
{
    const char *p;
    size_t n;
    while ((n = tf_fix_session_out_peek(s, &p)) > 0) {
        size_t off = 0;
        while (off < n) {
            size_t len;
            CHECK(tf_fix_frame(p + off, n - off, &len) == TF_FIX_FRAME_OK);
            CHECK(tf_fix_parse(p + off, len, &out_msg) == TF_FIX_OK);
            const char *v;
            size_t vl;
            CHECK(tf_fix_get_str(&out_msg, TF_FIX_TAG_SENDER_COMP_ID, &v, &vl) == 0 && vl == 5 &&
                  memcmp(v, "TFSIM", 5) == 0);
            CHECK(out_msg.seq > 0);
            /* resends and gap fills reuse old numbers (PossDup); new ones go up */
            if (!out_msg.poss_dup) {
                CHECK(out_msg.seq > last_out_seq);
                last_out_seq = out_msg.seq;
            }
            off += len;
        }
        tf_fix_session_out_done(s, n);
    }
}

static size_t logon(char *buf, size_t cap, uint64_t wall)
{
    tf_fix_writer w;
    tf_fix_begin(&w, buf, cap, "A");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, "ENGINE");
    tf_fix_put_cstr(&w, TF_FIX_TAG_TARGET_COMP_ID, "TFSIM");
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, 1);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, wall);
    tf_fix_put_char(&w, TF_FIX_TAG_ENCRYPT_METHOD, '0');
    tf_fix_put_u64(&w, TF_FIX_TAG_HEART_BT_INT, 30);
    return tf_fix_finish(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tf_fix_session s;
    static int ready;
    tf_fix_session_config c = {.initiator = false, .heartbeat_s = 30, .resend_app = true};
    snprintf(c.sender, sizeof c.sender, "TFSIM");
    snprintf(c.target, sizeof c.target, "ENGINE");
    if (!ready) {
        if (tf_fix_session_init(&s, &c, NULL, NULL) != 0)
            abort();
        ready = 1;
    }
    /* a fresh session per input, reusing the buffers */
    tf_fix_session_ops ops = {.on_app = on_app};
    s.ops = ops;
    tf_fix_store_reset(&s.store);
    uint64_t mono = 1000000000000ull, wall = 1767225600000000000ull;
    tf_fix_session_clock(&s, mono, wall);
    tf_fix_session_connected(&s);
    last_out_seq = 0;
    char lb[256];
    size_t ln = logon(lb, sizeof lb, wall);
    tf_fix_session_on_bytes(&s, lb, ln);
    drain(&s);
    if (size == 0)
        return 0;
    size_t chunk = (size_t)data[0] % 64 + 1;
    data++;
    size--;
    for (size_t off = 0; off < size && s.close == TF_FIX_CLOSE_NONE; off += chunk) {
        size_t n = size - off < chunk ? size - off : chunk;
        tf_fix_session_on_bytes(&s, (const char *)data + off, n);
        mono += 7000000000ull; /* 7 s a chunk: timers fire */
        wall += 7000000000ull;
        tf_fix_session_clock(&s, mono, wall);
        tf_fix_session_poll(&s);
        drain(&s);
    }
    CHECK(s.close == TF_FIX_CLOSE_NONE || s.close < TF_FIX_CLOSE_COUNT);
    tf_fix_session_disconnected(&s);
    return 0;
}
