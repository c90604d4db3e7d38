/* The WebSocket protocol (RFC 6455), client side, as pure functions: the
 * opening handshake's request and the check of the server's answer, the
 * server's frames parsed as their bytes arrive in any pieces, and the
 * client's (masked) frames written. No I/O, no allocation: the feed's own
 * io_uring transport (feed_ws.c) drives it.
 *
 * PROMISES
 * - The parser never reads past the bytes it is given and never buffers a
 *   data payload: it hands each piece of a text or binary message on as it
 *   arrives, flagged TF_WS_FIRST / TF_WS_FINAL / TF_WS_BINARY (the flags of
 *   ws_message.h, which joins the pieces), so a message of any length costs
 *   no copy here. Control frames (ping, pong, close: at most 125 bytes) are
 *   collected whole and handed on once complete, even between the
 *   fragments of a message.
 * - Every breach of the protocol by the server stops the parser with a
 *   reason (tf_ws_parser.why) and the close code to send (1002): reserved
 *   bits, a masked frame, an unknown opcode, a fragmented or long control
 *   frame, a continuation with no message open, a new message inside an
 *   open one, a 64-bit length with its top bit set, a close frame with a
 *   one-byte payload. Once stopped it takes nothing more.
 * - The handshake check accepts only "HTTP/1.1 101" with Upgrade:
 *   websocket, Connection: upgrade and the Sec-WebSocket-Accept our key
 *   asks for; any extension the server turns on is refused (we offer none,
 *   so no frame can be compressed). Header names are matched without case.
 * One thread per parser. */
#ifndef TF_ENGINE_MD_WS_PROTO_H
#define TF_ENGINE_MD_WS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/md/ws_message.h"

enum {
    TF_WS_OP_CONT = 0x0,
    TF_WS_OP_TEXT = 0x1,
    TF_WS_OP_BINARY = 0x2,
    TF_WS_OP_CLOSE = 0x8,
    TF_WS_OP_PING = 0x9,
    TF_WS_OP_PONG = 0xA,
};

enum {
    TF_WS_CLOSE_NORMAL = 1000,
    TF_WS_CLOSE_GOING_AWAY = 1001,
    TF_WS_CLOSE_PROTOCOL = 1002,
};

#define TF_WS_KEY_LEN 24          /* base64 of 16 random bytes */
#define TF_WS_HANDSHAKE_MAX 8192  /* an answer's header longer than this is refused */
#define TF_WS_CONTROL_MAX 125

/* ---- the opening handshake ---- */

/* A fresh Sec-WebSocket-Key (16 bytes from getrandom, base64) into
 * key[TF_WS_KEY_LEN + 1]. 0, or -1 when the kernel gives no random bytes. */
int tf_ws_key_new(char *key);
/* The Sec-WebSocket-Accept the server must answer `key` with, into
 * out[29] (base64 of a SHA-1). */
void tf_ws_accept_of(const char *key, char *out);
/* The GET request; Host carries the port unless it is the scheme's
 * default. Its length, or 0 when it does not fit in cap. */
size_t tf_ws_request(char *out, size_t cap, const char *host, int port, bool tls, const char *path,
                     const char *key);

typedef enum tf_ws_hs_result {
    TF_WS_HS_MORE = 0,  /* the header is not complete yet */
    TF_WS_HS_OK = 1,    /* upgraded: *header_len bytes were the header */
    TF_WS_HS_BAD = -1,  /* refused: why says what (the status line, or the header at fault) */
} tf_ws_hs_result;

/* Check the answer in buf[0..len) (all bytes received since the request).
 * On OK, bytes after *header_len are already frames. */
tf_ws_hs_result tf_ws_response_check(const char *buf, size_t len, const char *key, size_t *header_len,
                                     char *why, size_t why_cap);

/* ---- frames from the server ---- */

typedef struct tf_ws_sink {
    /* A piece of a text or binary message (len may be 0 on a final piece). */
    void (*data)(void *ctx, const char *p, size_t len, unsigned flags);
    /* A whole control frame: TF_WS_OP_PING, _PONG or _CLOSE. */
    void (*control)(void *ctx, unsigned opcode, const uint8_t *p, size_t len);
} tf_ws_sink;

typedef struct tf_ws_parser {
    uint8_t hdr[10];            /* the frame header so far (server frames carry no mask) */
    uint8_t hlen;               /* bytes of hdr held */
    bool in_payload;            /* the header is complete; payload bytes follow */
    uint8_t opcode;
    bool fin;
    bool piece_first;           /* the next data piece opens a message */
    uint64_t remaining;         /* payload bytes of this frame still to come */
    bool msg_open;              /* a fragmented message awaits its final frame */
    bool msg_binary;
    uint8_t ctl[TF_WS_CONTROL_MAX];
    uint8_t ctl_len;
    bool failed;
    const char *why;            /* the breach, when failed */
} tf_ws_parser;

void tf_ws_parser_init(tf_ws_parser *p);
/* Take n received bytes; calls the sink for what completes. 0, or -1 when
 * the server broke the protocol (p->why; the connection must close with
 * TF_WS_CLOSE_PROTOCOL). */
int tf_ws_parse(tf_ws_parser *p, const char *in, size_t n, const tf_ws_sink *sink, void *ctx);

/* ---- frames to the server ---- */

/* One final frame of `opcode` with payload [p, p+len), masked with `mask`
 * as a client must. Its length, or 0 when it does not fit in cap. */
size_t tf_ws_frame_write(char *out, size_t cap, unsigned opcode, const void *p, size_t len, uint32_t mask);

#endif
