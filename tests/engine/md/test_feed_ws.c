/* The feed's own WebSocket client (engine/md/feed_ws.h) against a server
 * played by the test on loopback, one byte stream at a time: the upgrade,
 * fragmented messages with a ping between the pieces, the pong, the
 * venue's close and ours, a refused upgrade, a handshake that never ends,
 * a refused connection. Every wait is bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/md/feed_ws.h"
#include "engine/md/ws_proto.h"
#include "shm/common.h"

typedef struct client_seen {
    bool up, closed, was_up, peer_closed;
    char why[200];
    char data[4096];
    size_t len, finals;
} client_seen;

static void on_connected(void *ctx, uint64_t now)
{
    (void)now;
    ((client_seen *)ctx)->up = true;
}

static void on_data(void *ctx, const char *p, size_t len, unsigned flags, uint64_t now)
{
    (void)now;
    client_seen *c = ctx;
    memcpy(c->data + c->len, p, len);
    c->len += len;
    c->finals += (flags & TF_WS_FINAL) != 0;
}

static void on_closed(void *ctx, bool was_up, bool peer_closed, const char *why, uint64_t now)
{
    (void)now;
    client_seen *c = ctx;
    c->closed = true;
    c->was_up = was_up;
    c->peer_closed = peer_closed;
    snprintf(c->why, sizeof c->why, "%s", why);
}

static const tf_feed_ws_ops ops = {.connected = on_connected, .data = on_data, .closed = on_closed};

typedef struct server {
    int lfd, fd;
    int port;
    char in[16384];
    size_t in_len;
} server;

static void server_listen(server *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    assert_true(s->lfd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->lfd, 4), 0);
    socklen_t l = sizeof a;
    getsockname(s->lfd, (struct sockaddr *)&a, &l);
    s->port = ntohs(a.sin_port);
}

static void server_close(server *s)
{
    if (s->fd >= 0)
        close(s->fd);
    close(s->lfd);
}

/* One step of the server: accept, read what came. */
static void server_step(server *s)
{
    if (s->fd < 0) {
        s->fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK);
        return;
    }
    ssize_t r = read(s->fd, s->in + s->in_len, sizeof s->in - s->in_len);
    if (r > 0)
        s->in_len += (size_t)r;
}

static void server_write(server *s, const void *p, size_t n)
{
    assert_int_equal(write(s->fd, p, n), (ssize_t)n);
}

typedef bool (*cond_fn)(server *s, client_seen *c);

/* Poll both sides until cond holds; false after 3 s. */
static bool run_until(tf_feed_ws *w, server *s, client_seen *c, cond_fn cond)
{
    for (int i = 0; i < 3000; i++) {
        tf_feed_ws_poll(w, tf_now_ns());
        server_step(s);
        if (cond(s, c))
            return true;
        poll(NULL, 0, 1);
    }
    return false;
}

static bool request_in(server *s, client_seen *c)
{
    (void)c;
    return s->in_len >= 4 && memmem(s->in, s->in_len, "\r\n\r\n", 4) != NULL;
}

static void answer_upgrade(server *s, const char *accept_override)
{
    char *k = memmem(s->in, s->in_len, "Sec-WebSocket-Key: ", 19);
    assert_non_null(k);
    char key[TF_WS_KEY_LEN + 1];
    memcpy(key, k + 19, TF_WS_KEY_LEN);
    key[TF_WS_KEY_LEN] = 0;
    char accept[32];
    tf_ws_accept_of(key, accept);
    char resp[256];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     accept_override ? accept_override : accept);
    server_write(s, resp, (size_t)n);
    s->in_len = 0;
}

static tf_feed_ws *open_client(server *s, client_seen *c, uint64_t handshake_ns)
{
    tf_feed_ws_cfg cfg = {.host = "127.0.0.1", .port = s->port, .path = "/stream?streams=btcusdt@trade",
                          .ca_file = "", .ping_interval_ns = 1000000000ull, .handshake_timeout_ns = handshake_ns};
    tf_feed_ws *w = tf_feed_ws_open(&cfg, &ops, c);
    assert_non_null(w);
    assert_int_equal(tf_feed_ws_connect(w, tf_now_ns()), 0);
    return w;
}

static bool is_up(server *s, client_seen *c) { (void)s; return c->up; }
static bool one_message(server *s, client_seen *c) { (void)s; return c->finals >= 1; }
static bool got_pong(server *s, client_seen *c) { (void)c; return s->in_len >= 2 + 4 + 2; }
static bool is_closed(server *s, client_seen *c) { (void)s; return c->closed; }

/* Unmask the client frame at s->in: opcode, payload into out. */
static unsigned client_frame(server *s, char *out, size_t *len)
{
    const uint8_t *b = (const uint8_t *)s->in;
    assert_true(b[1] & 0x80); /* a client's frames are masked */
    size_t n = b[1] & 0x7F;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(b[6 + i] ^ b[2 + (i & 3)]);
    *len = n;
    unsigned op = b[0] & 0x0F;
    memmove(s->in, s->in + 6 + n, s->in_len - 6 - n);
    s->in_len -= 6 + n;
    return op;
}

static void test_upgrade_fragments_ping_pong_and_the_venues_close(void **state)
{
    (void)state;
    server s;
    client_seen c = {0};
    server_listen(&s);
    tf_feed_ws *w = open_client(&s, &c, 2000000000ull);
    assert_true(run_until(w, &s, &c, request_in));
    assert_non_null(memmem(s.in, s.in_len, "GET /stream?streams=btcusdt@trade HTTP/1.1", 42));
    answer_upgrade(&s, NULL);
    /* The 101 and the first frames in one write: the client must split them. */
    static const char frames[] = "\x01\x03{\"a" "\x89\x02pi" "\x00\x02\":" "\x80\x02" "1}";
    server_write(&s, frames, sizeof frames - 1);
    assert_true(run_until(w, &s, &c, one_message));
    assert_true(c.up);
    assert_int_equal(c.len, 7);
    assert_memory_equal(c.data, "{\"a\":1}", 7);
    assert_true(run_until(w, &s, &c, got_pong));
    char body[128];
    size_t n = 0;
    assert_int_equal(client_frame(&s, body, &n), TF_WS_OP_PONG);
    assert_int_equal(n, 2);
    assert_memory_equal(body, "pi", 2); /* the ping's payload, echoed */
    assert_int_equal(tf_feed_ws_counts(w)->pongs_sent, 1);
    /* The venue closes: the client answers with the same code and ends. */
    server_write(&s, "\x88\x04\x03\xe9" "go", 6);
    assert_true(run_until(w, &s, &c, is_closed));
    assert_true(c.was_up);
    assert_true(c.peer_closed);
    assert_non_null(strstr(c.why, "1001"));
    assert_true(s.in_len >= 6);
    assert_int_equal(client_frame(&s, body, &n), TF_WS_OP_CLOSE);
    assert_int_equal(n, 2);
    assert_int_equal((uint8_t)body[0] << 8 | (uint8_t)body[1], 1001);
    assert_false(tf_feed_ws_active(w));
    tf_feed_ws_free(w);
    server_close(&s);
}

static bool close_frame_in(server *s, client_seen *c) { return c->closed && s->in_len >= 8; }

static void test_our_close_goes_out_first(void **state)
{
    (void)state;
    server s;
    client_seen c = {0};
    server_listen(&s);
    tf_feed_ws *w = open_client(&s, &c, 2000000000ull);
    assert_true(run_until(w, &s, &c, request_in));
    answer_upgrade(&s, NULL);
    assert_true(run_until(w, &s, &c, is_up));
    tf_feed_ws_close(w, false, tf_now_ns());
    assert_true(run_until(w, &s, &c, close_frame_in));
    assert_false(c.peer_closed);
    assert_string_equal(c.why, ""); /* asked for: no error */
    char body[128];
    size_t n;
    assert_int_equal(client_frame(&s, body, &n), TF_WS_OP_CLOSE);
    assert_int_equal((uint8_t)body[0] << 8 | (uint8_t)body[1], 1000);
    /* Reconnects on the same object. */
    memset(&c, 0, sizeof c);
    close(s.fd);
    s.fd = -1;
    s.in_len = 0;
    assert_int_equal(tf_feed_ws_connect(w, tf_now_ns()), 0);
    assert_true(run_until(w, &s, &c, request_in));
    answer_upgrade(&s, NULL);
    assert_true(run_until(w, &s, &c, is_up));
    tf_feed_ws_free(w);
    server_close(&s);
}

static void test_a_wrong_accept_is_refused(void **state)
{
    (void)state;
    server s;
    client_seen c = {0};
    server_listen(&s);
    tf_feed_ws *w = open_client(&s, &c, 2000000000ull);
    assert_true(run_until(w, &s, &c, request_in));
    answer_upgrade(&s, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    assert_true(run_until(w, &s, &c, is_closed));
    assert_false(c.up);
    assert_false(c.was_up);
    assert_non_null(strstr(c.why, "upgrade refused"));
    assert_non_null(strstr(c.why, "Accept"));
    tf_feed_ws_free(w);
    server_close(&s);
}

static void test_a_silent_server_times_the_handshake_out(void **state)
{
    (void)state;
    server s;
    client_seen c = {0};
    server_listen(&s);
    tf_feed_ws *w = open_client(&s, &c, 200000000ull); /* 200 ms */
    assert_true(run_until(w, &s, &c, is_closed));
    assert_false(c.was_up);
    assert_non_null(strstr(c.why, "did not finish"));
    tf_feed_ws_free(w);
    server_close(&s);
}

static void test_a_refused_connection_says_so(void **state)
{
    (void)state;
    server s;
    client_seen c = {0};
    server_listen(&s);
    close(s.lfd); /* nobody listens on the port now */
    s.lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    tf_feed_ws *w = open_client(&s, &c, 2000000000ull);
    assert_true(run_until(w, &s, &c, is_closed));
    assert_false(c.was_up);
    assert_non_null(strstr(c.why, "connect"));
    tf_feed_ws_free(w);
    server_close(&s);
}

static bool broke(server *s, client_seen *c) { return c->closed && s->in_len >= 8; }

static void test_a_protocol_breach_closes_with_1002(void **state)
{
    (void)state;
    server s;
    client_seen c = {0};
    server_listen(&s);
    tf_feed_ws *w = open_client(&s, &c, 2000000000ull);
    assert_true(run_until(w, &s, &c, request_in));
    answer_upgrade(&s, NULL);
    server_write(&s, "\xC1\x01x", 3); /* RSV1 without an extension */
    assert_true(run_until(w, &s, &c, broke));
    assert_true(c.was_up);
    assert_non_null(strstr(c.why, "reserved"));
    char body[128];
    size_t n;
    assert_int_equal(client_frame(&s, body, &n), TF_WS_OP_CLOSE);
    assert_int_equal((uint8_t)body[0] << 8 | (uint8_t)body[1], 1002);
    assert_int_equal(tf_feed_ws_counts(w)->protocol_errors, 1);
    tf_feed_ws_free(w);
    server_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upgrade_fragments_ping_pong_and_the_venues_close),
        cmocka_unit_test(test_our_close_goes_out_first),
        cmocka_unit_test(test_a_wrong_accept_is_refused),
        cmocka_unit_test(test_a_silent_server_times_the_handshake_out),
        cmocka_unit_test(test_a_refused_connection_says_so),
        cmocka_unit_test(test_a_protocol_breach_closes_with_1002),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
