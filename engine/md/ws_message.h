/* WebSocket message reassembly: libwebsockets hands the feed a message in
 * pieces (a frame split across reads, continuation frames), each flagged
 * first and/or final; this joins them into one preallocated buffer.
 *
 * PROMISES
 * - No allocation: the caller gives the buffer and its capacity.
 * - A message longer than the capacity is never written past the buffer;
 *   it is reported as TF_WS_OVERSIZED once, at its final piece, and nothing
 *   of it is delivered. A binary message is reported as TF_WS_BINARY.
 * - A first piece always starts a new message (whatever was pending is
 *   dropped and counted in `abandoned`); a piece arriving with no message
 *   open starts one, as lws can resume after a close without a first flag.
 * - The time a message is stamped with is the arrival of its first piece.
 * Pure logic, one thread. */
#ifndef TF_ENGINE_MD_WS_MESSAGE_H
#define TF_ENGINE_MD_WS_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    TF_WS_FIRST = 1u << 0,  /* lws_is_first_fragment */
    TF_WS_FINAL = 1u << 1,  /* lws_is_final_fragment */
    TF_WS_BINARY = 1u << 2, /* lws_frame_is_binary */
};

typedef enum tf_ws_result {
    TF_WS_MORE = 0,     /* a piece taken; the message is not complete */
    TF_WS_MESSAGE,      /* complete text message in buf[0..len) */
    TF_WS_OVERSIZED,    /* complete, but longer than cap: buf holds its first len bytes */
    TF_WS_BINARY_MSG,   /* complete binary message (the feed wants text) */
} tf_ws_result;

typedef struct tf_ws_message {
    char *buf;
    uint32_t cap;
    uint32_t len;
    bool open;          /* a message has begun and not ended */
    bool oversized;
    bool binary;
    uint64_t recv_ns;   /* arrival of the first piece */
    uint64_t abandoned; /* messages a new first piece cut short */
} tf_ws_message;

void tf_ws_message_init(tf_ws_message *m, char *buf, uint32_t cap);
/* Forget a partial message (the connection went away). */
void tf_ws_message_reset(tf_ws_message *m);
/* Take one piece. On a result other than TF_WS_MORE the message is closed
 * and m->buf/m->len/m->recv_ns describe it until the next call. */
tf_ws_result tf_ws_message_take(tf_ws_message *m, const char *in, size_t len, unsigned flags, uint64_t now);

#endif
