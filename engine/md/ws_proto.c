/* The WebSocket protocol, client side (see ws_proto.h). */
#include "engine/md/ws_proto.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#define TF__WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

int tf_ws_key_new(char *key)
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return -1;
    EVP_EncodeBlock((unsigned char *)key, raw, sizeof raw); /* 24 chars and a NUL */
    return 0;
}

void tf_ws_accept_of(const char *key, char *out)
{
    char joined[TF_WS_KEY_LEN + sizeof TF__WS_GUID];
    size_t kl = strnlen(key, TF_WS_KEY_LEN);
    memcpy(joined, key, kl);
    memcpy(joined + kl, TF__WS_GUID, sizeof TF__WS_GUID - 1);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1((const unsigned char *)joined, kl + sizeof TF__WS_GUID - 1, digest);
    EVP_EncodeBlock((unsigned char *)out, digest, sizeof digest); /* 28 chars and a NUL */
}

size_t tf_ws_request(char *out, size_t cap, const char *host, int port, bool tls, const char *path,
                     const char *key)
{
    char host_hdr[160];
    if ((tls && port == 443) || (!tls && port == 80))
        snprintf(host_hdr, sizeof host_hdr, "%s", host);
    else
        snprintf(host_hdr, sizeof host_hdr, "%s:%d", host, port);
    int n = snprintf(out, cap,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n"
                     "User-Agent: tradefan-engine\r\n"
                     "\r\n",
                     path, host_hdr, key);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* ---- the answer ---- */

/* Does the comma-separated list [v, v+n) hold `token` (any case)? */
static bool has_token(const char *v, size_t n, const char *token)
{
    size_t tl = strlen(token);
    const char *end = v + n;
    while (v < end) {
        while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
            v++;
        const char *e = v;
        while (e < end && *e != ',')
            e++;
        const char *t = e;
        while (t > v && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if ((size_t)(t - v) == tl && strncasecmp(v, token, tl) == 0)
            return true;
        v = e;
    }
    return false;
}

static tf_ws_hs_result refuse(char *why, size_t cap, const char *what, const char *v, size_t n)
{
    snprintf(why, cap, "%s%s%.*s", what, v ? ": " : "", v ? (int)(n > 80 ? 80 : n) : 0, v ? v : "");
    return TF_WS_HS_BAD;
}

tf_ws_hs_result tf_ws_response_check(const char *buf, size_t len, const char *key, size_t *header_len,
                                     char *why, size_t why_cap)
{
    const char *end = NULL;
    for (size_t i = 3; i < len && i < TF_WS_HANDSHAKE_MAX; i++)
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
            end = buf + i + 1;
            break;
        }
    if (!end)
        return len >= TF_WS_HANDSHAKE_MAX ? refuse(why, why_cap, "handshake answer over 8 KiB", NULL, 0)
                                          : TF_WS_HS_MORE;
    const char *line_end = memchr(buf, '\r', (size_t)(end - buf));
    size_t sl = (size_t)(line_end - buf);
    if (sl < 12 || memcmp(buf, "HTTP/1.1 ", 9) != 0 || memcmp(buf + 9, "101", 3) != 0 ||
        (sl > 12 && buf[12] != ' '))
        return refuse(why, why_cap, "not upgraded", buf, sl);
    char accept[32];
    tf_ws_accept_of(key, accept);
    bool upgrade = false, connection = false, accepted = false;
    const char *p = line_end + 2;
    while (p < end - 2) {
        const char *e = memchr(p, '\r', (size_t)(end - p));
        const char *colon = memchr(p, ':', (size_t)(e - p));
        if (!colon)
            return refuse(why, why_cap, "bad header line", p, (size_t)(e - p));
        size_t nl = (size_t)(colon - p);
        const char *v = colon + 1;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        const char *ve = e;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vl = (size_t)(ve - v);
        if (nl == 7 && strncasecmp(p, "upgrade", 7) == 0)
            upgrade = vl == 9 && strncasecmp(v, "websocket", 9) == 0;
        else if (nl == 10 && strncasecmp(p, "connection", 10) == 0)
            connection = has_token(v, vl, "upgrade");
        else if (nl == 20 && strncasecmp(p, "sec-websocket-accept", 20) == 0) {
            if (vl != strlen(accept) || memcmp(v, accept, vl) != 0)
                return refuse(why, why_cap, "Sec-WebSocket-Accept does not match our key", v, vl);
            accepted = true;
        } else if (nl == 24 && strncasecmp(p, "sec-websocket-extensions", 24) == 0 && vl)
            return refuse(why, why_cap, "an extension we did not offer", v, vl);
        p = e + 2;
    }
    if (!upgrade)
        return refuse(why, why_cap, "no Upgrade: websocket", NULL, 0);
    if (!connection)
        return refuse(why, why_cap, "no Connection: upgrade", NULL, 0);
    if (!accepted)
        return refuse(why, why_cap, "no Sec-WebSocket-Accept", NULL, 0);
    *header_len = (size_t)(end - buf);
    return TF_WS_HS_OK;
}

/* ---- frames ---- */

void tf_ws_parser_init(tf_ws_parser *p) { memset(p, 0, sizeof *p); }

static int fail(tf_ws_parser *p, const char *why)
{
    p->failed = true;
    p->why = why;
    return -1;
}

/* The header in p->hdr is complete: check it and set up the payload. */
static int header_done(tf_ws_parser *p)
{
    uint8_t b0 = p->hdr[0], b1 = p->hdr[1];
    if (b0 & 0x70)
        return fail(p, "reserved bits set");
    if (b1 & 0x80)
        return fail(p, "a masked frame from the server");
    p->fin = (b0 & 0x80) != 0;
    p->opcode = b0 & 0x0F;
    uint64_t len = b1 & 0x7F;
    if (len == 126)
        len = (uint64_t)p->hdr[2] << 8 | p->hdr[3];
    else if (len == 127) {
        len = 0;
        for (int i = 2; i < 10; i++)
            len = len << 8 | p->hdr[i];
        if (len >> 63)
            return fail(p, "a 64-bit length with its top bit set");
    }
    p->remaining = len;
    switch (p->opcode) {
    case TF_WS_OP_CLOSE:
    case TF_WS_OP_PING:
    case TF_WS_OP_PONG:
        if (!p->fin)
            return fail(p, "a fragmented control frame");
        if (len > TF_WS_CONTROL_MAX)
            return fail(p, "a control frame over 125 bytes");
        if (p->opcode == TF_WS_OP_CLOSE && len == 1)
            return fail(p, "a close frame with a one-byte payload");
        p->ctl_len = 0;
        break;
    case TF_WS_OP_TEXT:
    case TF_WS_OP_BINARY:
        if (p->msg_open)
            return fail(p, "a new message inside a fragmented one");
        p->msg_open = !p->fin;
        p->msg_binary = p->opcode == TF_WS_OP_BINARY;
        p->piece_first = true;
        break;
    case TF_WS_OP_CONT:
        if (!p->msg_open)
            return fail(p, "a continuation with no message open");
        if (p->fin)
            p->msg_open = false;
        break;
    default:
        return fail(p, "an unknown opcode");
    }
    p->in_payload = true;
    return 0;
}

static bool is_control(const tf_ws_parser *p) { return p->opcode >= TF_WS_OP_CLOSE; }

/* Hand on a piece of a data frame; the frame's last piece carries FINAL
 * when the frame is final. */
static void data_piece(tf_ws_parser *p, const char *in, size_t n, const tf_ws_sink *sink, void *ctx)
{
    unsigned flags = p->piece_first ? TF_WS_FIRST : 0;
    if (p->remaining == 0 && p->fin)
        flags |= TF_WS_FINAL;
    if (p->msg_binary)
        flags |= TF_WS_BINARY;
    p->piece_first = false;
    sink->data(ctx, in, n, flags);
}

int tf_ws_parse(tf_ws_parser *p, const char *in, size_t n, const tf_ws_sink *sink, void *ctx)
{
    if (p->failed)
        return -1;
    size_t i = 0;
    while (i < n || (p->in_payload && p->remaining == 0)) {
        if (!p->in_payload) {
            p->hdr[p->hlen++] = (uint8_t)in[i++];
            if (p->hlen < 2)
                continue;
            uint8_t l7 = p->hdr[1] & 0x7F;
            size_t need = l7 == 126 ? 4 : l7 == 127 ? 10 : 2;
            if (p->hdr[1] & 0x80)
                need = 2; /* masked: refused at once */
            if (p->hlen < need)
                continue;
            p->hlen = 0;
            if (header_done(p) != 0)
                return -1;
            continue;
        }
        size_t take = n - i;
        if (take > p->remaining)
            take = (size_t)p->remaining;
        p->remaining -= take;
        if (is_control(p)) {
            memcpy(p->ctl + p->ctl_len, in + i, take);
            p->ctl_len = (uint8_t)(p->ctl_len + take);
            if (p->remaining == 0) {
                p->in_payload = false;
                sink->control(ctx, p->opcode, p->ctl, p->ctl_len);
            }
        } else {
            bool end = p->remaining == 0;
            if (take || end) /* an empty final piece still ends the message */
                data_piece(p, in + i, take, sink, ctx);
            if (end)
                p->in_payload = false;
        }
        i += take;
    }
    return 0;
}

size_t tf_ws_frame_write(char *out, size_t cap, unsigned opcode, const void *payload, size_t len, uint32_t mask)
{
    size_t h = len < 126 ? 2 : len < 65536 ? 4 : 10;
    if (h + 4 + len > cap)
        return 0;
    uint8_t *o = (uint8_t *)out;
    o[0] = (uint8_t)(0x80 | (opcode & 0x0F));
    if (len < 126) {
        o[1] = (uint8_t)(0x80 | len);
    } else if (len < 65536) {
        o[1] = 0x80 | 126;
        o[2] = (uint8_t)(len >> 8);
        o[3] = (uint8_t)len;
    } else {
        o[1] = 0x80 | 127;
        for (int i = 0; i < 8; i++)
            o[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    }
    uint8_t m[4] = {(uint8_t)(mask >> 24), (uint8_t)(mask >> 16), (uint8_t)(mask >> 8), (uint8_t)mask};
    memcpy(o + h, m, 4);
    const uint8_t *src = payload;
    for (size_t i = 0; i < len; i++)
        o[h + 4 + i] = src[i] ^ m[i & 3];
    return h + 4 + len;
}
