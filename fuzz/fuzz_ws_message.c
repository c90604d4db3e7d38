/* The feed's WebSocket message reassembly (engine/md/ws_message.h): the
 * venue decides how a message is cut into frames and libwebsockets how
 * frames are cut into reads, so every sequence of pieces, flags and sizes
 * is possible. Checked against a model that keeps whole messages in an
 * unbounded buffer: a message that fits is delivered byte for byte, one
 * that does not is reported oversized and nothing is written past the
 * buffer (allocated to its exact capacity so ASan sees a byte past it),
 * binary is never delivered as text, and a message is only ever reported
 * at its final piece. Input: a capacity byte, then pieces of
 * [flags][length][bytes]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/md/ws_message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint32_t cap = 1 + data[0] % 64;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    tf_ws_message m;
    tf_ws_message_init(&m, buf, cap);
    static char model[65536];
    size_t model_len = 0;
    int model_open = 0, model_binary = 0;
    uint64_t model_first_ns = 0;
    size_t i = 1;
    uint64_t now = 0;
    while (i + 2 <= size) {
        unsigned flags = data[i] & 7u;
        size_t n = data[i + 1] % 96;
        i += 2;
        if (n > size - i)
            n = size - i;
        now++;
        if ((flags & TF_WS_FIRST) || !model_open) {
            model_len = 0;
            model_open = 1;
            model_binary = 0;
            model_first_ns = now;
        }
        if (flags & TF_WS_BINARY)
            model_binary = 1;
        memcpy(model + model_len, data + i, n);
        model_len += n;
        tf_ws_result r = tf_ws_message_take(&m, (const char *)data + i, n, flags, now);
        i += n;
        if (!(flags & TF_WS_FINAL)) {
            if (r != TF_WS_MORE)
                abort(); /* reported before its end */
            continue;
        }
        model_open = 0;
        if (model_len > cap) {
            if (r != TF_WS_OVERSIZED || m.len > cap || memcmp(m.buf, model, m.len) != 0)
                abort();
        } else if (model_binary) {
            if (r != TF_WS_BINARY_MSG)
                abort();
        } else if (r != TF_WS_MESSAGE || m.len != model_len || memcmp(m.buf, model, model_len) != 0 ||
                   m.recv_ns != model_first_ns) {
            abort();
        }
        if (model_len > sizeof model - 128)
            model_len = 0; /* never reached: a message ends within one input */
    }
    free(buf);
    return 0;
}
