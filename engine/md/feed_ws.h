/* The feed's own WebSocket client on io_uring (feed.transport: uring, the
 * default): one connection, its bytes moved by the same io_uring
 * transport as the FIX sessions (engine/runtime/net_uring.h: multishot
 * receive into provided buffers, completions read from memory), TLS over
 * memory BIOs (engine/runtime/tls_mem.h), the protocol in ws_proto.h.
 * It replaces libwebsockets' read path for the stream: no poll() and no
 * recv() per message; one io_uring_enter runs the kernel's deferred
 * completions when the ring flags them.
 *
 * PROMISES
 * - connect: resolve (getaddrinfo, cold: only at a (re)connect), TCP
 *   connect with a timeout, TLS handshake when tls, the HTTP upgrade
 *   checked (ws_proto.h). Up when the server's 101 is checked; then every
 *   data piece goes to ops->data as the bytes arrive (flags of
 *   ws_message.h), stamped with the time their completion was read.
 * - Pings: when nothing has come for ping_interval the client pings; when
 *   nothing at all (a frame or a pong) has come for two ping intervals
 *   more, the peer is dead and the connection closes (closed, "no answer
 *   to pings"). The server's pings are answered with a pong carrying the
 *   same payload.
 * - Close: a close frame from the server is answered with one and the
 *   connection ends (TF_FEED_DISC_CLOSED). tf_feed_ws_close sends ours and
 *   ends the connection once it is out (or after 100 ms).
 * - A handshake or TLS setup that does not finish within the handshake
 *   timeout, a protocol breach, a reset, EOF: closed with the reason text.
 * - Every end of a connection that was asked for or not reports exactly one
 *   ops->closed, never from inside a tf_feed_ws_* call made by the owner
 *   other than tf_feed_ws_poll. No allocation after open. One thread. */
#ifndef TF_ENGINE_MD_FEED_WS_H
#define TF_ENGINE_MD_FEED_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tf_feed_ws tf_feed_ws;

typedef struct tf_feed_ws_cfg {
    const char *host;
    int port;
    bool tls, tls_verify;
    const char *ca_file;            /* "" = the system's CAs */
    const char *path;               /* the request path with its query */
    uint64_t ping_interval_ns;
    uint64_t handshake_timeout_ns;  /* TCP connect, TLS and the upgrade together */
} tf_feed_ws_cfg;

typedef struct tf_feed_ws_ops {
    void (*connected)(void *ctx, uint64_t now_ns);
    /* A piece of a message: flags TF_WS_FIRST / _FINAL / _BINARY. */
    void (*data)(void *ctx, const char *p, size_t len, unsigned flags, uint64_t now_ns);
    /* The connection ended: was_up says whether it had been upgraded;
     * why names the cause ("" when we asked for it). */
    void (*closed)(void *ctx, bool was_up, bool peer_closed, const char *why, uint64_t now_ns);
} tf_feed_ws_ops;

/* Cold: the strings in cfg are copied. NULL with TF_ERR. */
tf_feed_ws *tf_feed_ws_open(const tf_feed_ws_cfg *cfg, const tf_feed_ws_ops *ops, void *ctx);
void tf_feed_ws_free(tf_feed_ws *w);
/* Start a connection (none may be in place). 0, or -1 with the reason in
 * TF_ERR (name resolution, no socket): nothing to wait for then. */
int tf_feed_ws_connect(tf_feed_ws *w, uint64_t now_ns);
/* Close the connection in place with our close frame (code 1000, or 1001
 * when going_away); its closed report follows from tf_feed_ws_poll. */
void tf_feed_ws_close(tf_feed_ws *w, bool going_away, uint64_t now_ns);
/* Each duty cycle: completions, timers, what is queued to send. Returns
 * the number of completions handled. */
uint32_t tf_feed_ws_poll(tf_feed_ws *w, uint64_t now_ns);
/* A connection is in place (connecting, upgrading, up or closing). */
bool tf_feed_ws_active(const tf_feed_ws *w);

/* For tests and tfstat. */
typedef struct tf_feed_ws_counters {
    uint64_t pings_sent, pongs_sent, pongs_seen, pings_seen, closes_seen, protocol_errors;
} tf_feed_ws_counters;
const tf_feed_ws_counters *tf_feed_ws_counts(const tf_feed_ws *w);

#endif
