/* The WebSocket protocol, client side (engine/md/ws_proto.h): the
 * handshake's request and answer, the server's frames in every cut, the
 * protocol breaches, the client's masked frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "engine/md/ws_proto.h"

/* What the sink saw: data pieces joined (with the flags of each), control
 * frames in order. */
typedef struct seen {
    char data[4096];
    size_t len;
    unsigned flags[64];
    size_t pieces;
    unsigned ctl_op[8];
    char ctl[8][128];
    size_t ctl_len[8], ctls;
} seen;

static void on_data(void *ctx, const char *p, size_t len, unsigned flags)
{
    seen *s = ctx;
    memcpy(s->data + s->len, p, len);
    s->len += len;
    if (s->pieces < 64)
        s->flags[s->pieces] = flags;
    s->pieces++;
}

static void on_control(void *ctx, unsigned op, const uint8_t *p, size_t len)
{
    seen *s = ctx;
    s->ctl_op[s->ctls] = op;
    memcpy(s->ctl[s->ctls], p, len);
    s->ctl_len[s->ctls++] = len;
}

static const tf_ws_sink sink = {.data = on_data, .control = on_control};

/* A server frame: b0 (FIN|RSV|opcode), unmasked. */
static size_t frame(char *out, unsigned b0, const char *p, size_t n)
{
    size_t h = 0;
    out[h++] = (char)b0;
    if (n < 126) {
        out[h++] = (char)n;
    } else if (n < 65536) {
        out[h++] = 126;
        out[h++] = (char)(n >> 8);
        out[h++] = (char)n;
    } else {
        out[h++] = 127;
        for (int i = 7; i >= 0; i--)
            out[h++] = (char)((uint64_t)n >> (8 * i));
    }
    memcpy(out + h, p, n);
    return h + n;
}

static void test_the_rfc_example_key_gives_its_accept(void **state)
{
    (void)state;
    char out[32];
    tf_ws_accept_of("dGhlIHNhbXBsZSBub25jZQ==", out); /* RFC 6455, 1.3 */
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    char key[TF_WS_KEY_LEN + 1], key2[TF_WS_KEY_LEN + 1];
    assert_int_equal(tf_ws_key_new(key), 0);
    assert_int_equal(tf_ws_key_new(key2), 0);
    assert_int_equal(strlen(key), TF_WS_KEY_LEN);
    assert_string_not_equal(key, key2);
}

static void test_request_names_host_port_path_and_key(void **state)
{
    (void)state;
    char out[512];
    size_t n = tf_ws_request(out, sizeof out, "stream.binance.com", 9443, true, "/stream?streams=a@trade", "KEY");
    assert_true(n > 0);
    assert_non_null(strstr(out, "GET /stream?streams=a@trade HTTP/1.1\r\n"));
    assert_non_null(strstr(out, "Host: stream.binance.com:9443\r\n"));
    assert_non_null(strstr(out, "Sec-WebSocket-Key: KEY\r\n"));
    assert_non_null(strstr(out, "Sec-WebSocket-Version: 13\r\n"));
    assert_int_equal(memcmp(out + n - 4, "\r\n\r\n", 4), 0);
    n = tf_ws_request(out, sizeof out, "h", 443, true, "/", "K");
    assert_non_null(strstr(out, "Host: h\r\n")); /* the scheme's own port is not named */
    assert_int_equal(tf_ws_request(out, 20, "h", 443, true, "/", "K"), 0); /* does not fit */
}

static const char *key = "dGhlIHNhbXBsZSBub25jZQ==";

static tf_ws_hs_result check(const char *answer, size_t *hl, char *why)
{
    return tf_ws_response_check(answer, strlen(answer), key, hl, why, 160);
}

static void test_a_good_answer_is_accepted_in_any_cut_and_case(void **state)
{
    (void)state;
    const char *ok = "HTTP/1.1 101 Switching Protocols\r\n"
                     "upgrade: WebSocket\r\n"
                     "CONNECTION: keep-alive, Upgrade\r\n"
                     "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                     "\r\n\x81\x02{}";
    size_t hl = 0;
    char why[160];
    size_t hdr_len = strlen(ok) - 4;
    for (size_t cut = 0; cut < hdr_len; cut++)
        assert_int_equal(tf_ws_response_check(ok, cut, key, &hl, why, sizeof why), TF_WS_HS_MORE);
    assert_int_equal(check(ok, &hl, why), TF_WS_HS_OK);
    assert_int_equal(hl, hdr_len); /* the frame after it is not header */
}

static void test_bad_answers_are_refused_with_a_reason(void **state)
{
    (void)state;
    size_t hl;
    char why[160];
    assert_int_equal(check("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", &hl, why), TF_WS_HS_BAD);
    assert_non_null(strstr(why, "400"));
    assert_int_equal(check("HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n", &hl, why),
                     TF_WS_HS_BAD);
    assert_non_null(strstr(why, "does not match"));
    assert_int_equal(check("HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", &hl, why),
                     TF_WS_HS_BAD);
    assert_non_null(strstr(why, "no Sec-WebSocket-Accept"));
    assert_int_equal(check("HTTP/1.1 101 Switching\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", &hl, why),
                     TF_WS_HS_BAD);
    assert_non_null(strstr(why, "Upgrade"));
    assert_int_equal(check("HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                           "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", &hl, why),
                     TF_WS_HS_BAD);
    assert_non_null(strstr(why, "extension"));
    assert_int_equal(check("HTTP/1.1 1010 x\r\n\r\n", &hl, why), TF_WS_HS_BAD);
    assert_int_equal(check("HTTP/1.1 101 x\r\nno colon here\r\n\r\n", &hl, why), TF_WS_HS_BAD);
    /* An endless header is refused at 8 KiB, not waited for. */
    static char big[TF_WS_HANDSHAKE_MAX + 16];
    memset(big, 'a', sizeof big);
    assert_int_equal(tf_ws_response_check(big, sizeof big, key, &hl, why, sizeof why), TF_WS_HS_BAD);
}

/* The same bytes parsed whole and cut at every point give the same result. */
static void test_frames_in_every_cut_give_the_same_message(void **state)
{
    (void)state;
    char wire[2048];
    size_t n = 0;
    static char big[300];
    memset(big, 'x', sizeof big);
    n += frame(wire + n, 0x01, "{\"a\":", 5);          /* text, not final */
    n += frame(wire + n, 0x89, "pi", 2);               /* a ping inside the message */
    n += frame(wire + n, 0x00, big, sizeof big);       /* continuation, 16-bit length */
    n += frame(wire + n, 0x80, "}", 1);                /* final continuation */
    n += frame(wire + n, 0x81, "", 0);                 /* an empty message */
    n += frame(wire + n, 0x8A, "", 0);                 /* an empty pong */
    n += frame(wire + n, 0x88, "\x03\xe8" "bye", 5);    /* close 1000 */
    for (size_t cut = 0; cut <= n; cut++) {
        seen s = {0};
        tf_ws_parser p;
        tf_ws_parser_init(&p);
        assert_int_equal(tf_ws_parse(&p, wire, cut, &sink, &s), 0);
        assert_int_equal(tf_ws_parse(&p, wire + cut, n - cut, &sink, &s), 0);
        assert_int_equal(s.len, 5 + sizeof big + 1);
        assert_memory_equal(s.data, "{\"a\":", 5);
        assert_int_equal(s.data[s.len - 1], '}');
        assert_true(s.flags[0] & TF_WS_FIRST);
        assert_int_equal(s.ctls, 3);
        assert_int_equal(s.ctl_op[0], TF_WS_OP_PING);
        assert_memory_equal(s.ctl[0], "pi", 2);
        assert_int_equal(s.ctl_op[1], TF_WS_OP_PONG);
        assert_int_equal(s.ctl_op[2], TF_WS_OP_CLOSE);
        assert_int_equal(s.ctl_len[2], 5);
        /* The last piece is the empty message: first and final at once. */
        assert_int_equal(s.flags[s.pieces - 1], TF_WS_FIRST | TF_WS_FINAL);
        /* Exactly one piece before it closes the first message. */
        unsigned finals = 0;
        for (size_t i = 0; i < s.pieces && i < 64; i++)
            finals += (s.flags[i] & TF_WS_FINAL) != 0;
        assert_int_equal(finals, 2);
    }
}

static void test_binary_and_64_bit_lengths(void **state)
{
    (void)state;
    static char wire[70000], payload[66000];
    memset(payload, 'b', sizeof payload);
    size_t n = frame(wire, 0x82, payload, sizeof payload); /* 64-bit length form */
    tf_ws_parser p;
    tf_ws_parser_init(&p);
    /* Parsed in 1000-byte reads: pieces, no copy of the whole. */
    size_t pieces_before = 0;
    for (size_t off = 0; off < n; off += 1000) {
        size_t take = n - off < 1000 ? n - off : 1000;
        seen tmp = {0};
        assert_int_equal(tf_ws_parse(&p, wire + off, take, &sink, &tmp), 0);
        pieces_before += tmp.pieces;
        if (off + take == n)
            assert_int_equal(tmp.flags[tmp.pieces - 1], TF_WS_FINAL | TF_WS_BINARY);
    }
    assert_true(pieces_before >= 60);
}

static void expect_breach(const char *wire, size_t n, const char *why_part)
{
    seen s = {0};
    tf_ws_parser p;
    tf_ws_parser_init(&p);
    assert_int_equal(tf_ws_parse(&p, wire, n, &sink, &s), -1);
    assert_true(p.failed);
    assert_non_null(strstr(p.why, why_part));
    /* Stopped: nothing more is taken. */
    assert_int_equal(tf_ws_parse(&p, "\x81\x01x", 3, &sink, &s), -1);
}

static void test_protocol_breaches_stop_the_parser(void **state)
{
    (void)state;
    char w[200];
    expect_breach("\xC1\x01x", 3, "reserved");
    expect_breach("\x81\x81\x00\x00\x00\x00x", 7, "masked");
    expect_breach("\x83\x00", 2, "unknown opcode");
    expect_breach("\x09\x00", 2, "fragmented control");
    memset(w, 'p', sizeof w);
    w[0] = (char)0x89;
    w[1] = 126;
    w[2] = 0;
    w[3] = (char)126;
    expect_breach(w, 4 + 126, "over 125");
    expect_breach("\x80\x01x", 3, "no message open");
    expect_breach("\x01\x01x\x81\x01y", 6, "inside a fragmented");
    expect_breach("\x88\x01x", 3, "one-byte");
    expect_breach("\x81\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10, "top bit");
}

static void test_client_frames_are_masked_and_unmask_back(void **state)
{
    (void)state;
    char out[200];
    size_t n = tf_ws_frame_write(out, sizeof out, TF_WS_OP_PONG, "hello", 5, 0x01020304u);
    assert_int_equal(n, 2 + 4 + 5);
    assert_int_equal((unsigned char)out[0], 0x8A);
    assert_int_equal((unsigned char)out[1], 0x80 | 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(out[6 + i] ^ out[2 + (i & 3)], "hello"[i]);
    static char big[300];
    n = tf_ws_frame_write(out, sizeof out, TF_WS_OP_TEXT, big, sizeof big, 1);
    assert_int_equal(n, 0); /* does not fit */
    static char out2[400];
    n = tf_ws_frame_write(out2, sizeof out2, TF_WS_OP_TEXT, big, sizeof big, 1);
    assert_int_equal(n, 4 + 4 + sizeof big);
    assert_int_equal((unsigned char)out2[1], 0x80 | 126);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_rfc_example_key_gives_its_accept),
        cmocka_unit_test(test_request_names_host_port_path_and_key),
        cmocka_unit_test(test_a_good_answer_is_accepted_in_any_cut_and_case),
        cmocka_unit_test(test_bad_answers_are_refused_with_a_reason),
        cmocka_unit_test(test_frames_in_every_cut_give_the_same_message),
        cmocka_unit_test(test_binary_and_64_bit_lengths),
        cmocka_unit_test(test_protocol_breaches_stop_the_parser),
        cmocka_unit_test(test_client_frames_are_masked_and_unmask_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
