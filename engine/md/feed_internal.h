/* Between the feed's two halves: feed_conn.c (libwebsockets: connections,
 * reassembly, snapshots over HTTP) and feed.c (messages -> records). */
#ifndef TF_ENGINE_FEED_INTERNAL_H
#define TF_ENGINE_FEED_INTERNAL_H

#include "engine/md/feed.h"

/* Reasons a message is refused: the decoder's, then the feed's own. */
enum {
    TF_FEED_REJ_OVERSIZED = TF_MD_REJ_COUNT, /* larger than feed.max_frame_bytes */
    TF_FEED_REJ_BINARY,                      /* a binary message; the venue sends text */
    TF_FEED_REJ_UNSUBSCRIBED,                /* a known symbol whose kind we did not ask for */
    TF_FEED_REJ_COUNT
};
_Static_assert(TF_FEED_REJ_COUNT <= TF_FEED_REJECT_REASONS, "reject counters");

/* feed.c */
void tf__feed_message(tf_feed *f, const char *buf, uint32_t len, uint64_t recv_ns);
void tf__feed_reject(tf_feed *f, uint32_t reason, const char *buf, uint32_t len, uint64_t now_ns);
void tf__feed_snapshot(tf_feed *f, uint32_t instrument, const char *body, uint32_t len,
                       uint32_t http_status, uint64_t now_ns);
void tf__feed_event(tf_feed *f, uint32_t kind, uint32_t instrument, uint64_t a, uint64_t b);
void tf__feed_connected(tf_feed *f, uint64_t now_ns);
void tf__feed_disconnected(tf_feed *f, uint32_t reason, uint64_t now_ns);
void tf__feed_publish_status(tf_feed *f, uint64_t now_ns);
void tf__feed_tick(tf_feed *f, uint64_t now_ns);

/* feed_conn.c */
int tf__feed_conn_init(tf_feed *f);
void tf__feed_conn_poll(tf_feed *f, uint64_t now_ns);
void tf__feed_conn_close(tf_feed *f);
void tf__feed_conn_drop(tf_feed *f, uint32_t reason); /* close ws now, reconnect after backoff */

typedef enum tf_feed_disconnect_reason {
    TF_FEED_DISC_ERROR = 1,      /* connect failed or the connection broke */
    TF_FEED_DISC_CLOSED = 2,     /* the peer closed */
    TF_FEED_DISC_IDLE = 3,       /* no frame for idle_timeout */
    TF_FEED_DISC_ROTATE = 4,     /* planned, before the venue's 24 h limit */
    TF_FEED_DISC_SHUTDOWN = 5,   /* the venue sent serverShutdown */
    TF_FEED_DISC_STOP = 6,       /* the engine is stopping */
} tf_feed_disconnect_reason;

#endif
