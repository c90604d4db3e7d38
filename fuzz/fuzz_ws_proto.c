/* The feed's own WebSocket client's protocol (engine/md/ws_proto.h): the
 * server decides the frames and the kernel how they are cut into reads,
 * so any bytes in any cut are possible. The parser must never read past
 * its input nor hand on more payload than it was given, and the cut must
 * not matter: the same bytes parsed whole and in the pieces the input
 * names give the same data, the same message boundaries, the same control
 * frames and the same verdict. The handshake check runs on the same bytes
 * (it must not read past them either). Input: a cut byte, then the wire. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/md/ws_proto.h"

typedef struct seen {
    uint8_t *data;
    size_t len, finals, firsts, ctls, ctl_bytes;
    uint64_t ctl_hash;
} seen;

static void on_data(void *ctx, const char *p, size_t len, unsigned flags)
{
    seen *s = ctx;
    memcpy(s->data + s->len, p, len);
    s->len += len;
    s->finals += (flags & TF_WS_FINAL) != 0;
    s->firsts += (flags & TF_WS_FIRST) != 0;
}

static void on_control(void *ctx, unsigned op, const uint8_t *p, size_t len)
{
    seen *s = ctx;
    if (len > TF_WS_CONTROL_MAX)
        abort();
    s->ctls++;
    s->ctl_bytes += len;
    s->ctl_hash = s->ctl_hash * 31 + op;
    for (size_t i = 0; i < len; i++)
        s->ctl_hash = s->ctl_hash * 131 + p[i];
}

static const tf_ws_sink sink = {.data = on_data, .control = on_control};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned step = 1 + data[0] % 17;
    const char *wire = (const char *)data + 1;
    size_t n = size - 1;

    seen whole = {.data = malloc(n + 1)}, cut = {.data = malloc(n + 1)};
    tf_ws_parser a, b;
    tf_ws_parser_init(&a);
    tf_ws_parser_init(&b);
    int ra = tf_ws_parse(&a, wire, n, &sink, &whole);
    int rb = 0;
    for (size_t off = 0; off < n && rb == 0; off += step) {
        size_t take = n - off < step ? n - off : step;
        rb = tf_ws_parse(&b, wire + off, take, &sink, &cut);
    }
    if (ra != rb || whole.len != cut.len || memcmp(whole.data, cut.data, whole.len) != 0 ||
        whole.finals != cut.finals || whole.ctls != cut.ctls || whole.ctl_hash != cut.ctl_hash)
        abort();
    /* Pieces are payload bytes only: never more than came in. */
    if (whole.len + whole.ctl_bytes > n)
        abort();
    /* A cut may split a message into more pieces, never add messages. */
    if (ra == 0 && whole.finals > whole.firsts)
        abort();
    free(whole.data);
    free(cut.data);

    /* The handshake check on the same bytes: bounded, whatever they are. */
    char why[160];
    size_t hl = 0;
    tf_ws_hs_result r = tf_ws_response_check(wire, n, "dGhlIHNhbXBsZSBub25jZQ==", &hl, why, sizeof why);
    if (r == TF_WS_HS_OK && (hl > n || hl < 4))
        abort();
    return 0;
}
