/* feed_conn.c's interface: the feed's connection half (the stream, by
 * our own client (feed_ws.h) or libwebsockets; reassembly; snapshots over
 * HTTP by libwebsockets). feed.c (the stage and the
 * messages) calls down into it; feed_conn.c never calls feed.c: what it
 * delivers up (a message, a refused one, a snapshot body, a connect or a
 * disconnect, a journaled event) goes through the tf_feed_conn_ops table
 * feed.c hands it at init. Everything on the feed stage's thread. Not a
 * public interface. */
#ifndef TF_ENGINE_FEED_CONN_H
#define TF_ENGINE_FEED_CONN_H

#include "engine/md/feed.h"

/* Reasons a message is refused: the decoder's, then the feed's own. */
enum {
    TF_FEED_REJ_OVERSIZED = TF_MD_REJ_COUNT, /* larger than feed.max_frame_bytes */
    TF_FEED_REJ_BINARY,                      /* a binary message; the venue sends text */
    TF_FEED_REJ_UNSUBSCRIBED,                /* a known symbol whose kind we did not ask for */
    TF_FEED_REJ_COUNT
};
_Static_assert(TF_FEED_REJ_COUNT <= TF_FEED_REJECT_REASONS, "reject counters");

/* tf_feed_disconnect_reason: published in feed events, so in shm/records.h. */

/* What the connection hands up to the stage (feed.c), from inside
 * tf__feed_conn_poll. None is called while the feed is being closed. */
typedef struct tf_feed_conn_ops {
    /* The stream is up (WebSocket established). */
    void (*connected)(tf_feed *f, uint64_t now_ns);
    /* The stream that was up is gone (tf_feed_disconnect_reason). */
    void (*disconnected)(tf_feed *f, uint32_t reason, uint64_t now_ns);
    /* One complete text message, received at recv_ns. */
    void (*message)(tf_feed *f, const char *buf, uint32_t len, uint64_t recv_ns);
    /* A message refused before decoding (TF_FEED_REJ_OVERSIZED, _BINARY). */
    void (*refused)(tf_feed *f, uint32_t reason, const char *buf, uint32_t len, uint64_t now_ns);
    /* A depth snapshot's whole body, with its HTTP status. */
    void (*snapshot)(tf_feed *f, uint32_t instrument, const char *body, uint32_t len, uint32_t http_status,
                     uint64_t now_ns);
    /* A connection event for the journal (tf_md_feed_event). */
    void (*event)(tf_feed *f, uint32_t kind, uint32_t instrument, uint64_t a, uint64_t b);
} tf_feed_conn_ops;

/* Cold: parse the URLs, build the stream path, create the lws context;
 * `ops` (kept, not copied) is how the connection reaches the stage.
 * 0, or -1 with TF_ERR. */
int tf__feed_conn_init(tf_feed *f, const tf_feed_conn_ops *ops);
/* Each duty cycle: connect when due, idle and rotation checks, a snapshot
 * request when one is wanted, then lws_service without waiting. */
void tf__feed_conn_poll(tf_feed *f, uint64_t now_ns);
void tf__feed_conn_close(tf_feed *f);
void tf__feed_conn_drop(tf_feed *f, uint32_t reason); /* close ws now, reconnect after backoff */

#endif
