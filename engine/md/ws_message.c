/* WebSocket message reassembly (see ws_message.h). */
#include "engine/md/ws_message.h"

#include <string.h>

void tf_ws_message_init(tf_ws_message *m, char *buf, uint32_t cap)
{
    memset(m, 0, sizeof *m);
    m->buf = buf;
    m->cap = cap;
}

void tf_ws_message_reset(tf_ws_message *m)
{
    m->len = 0;
    m->open = false;
    m->oversized = false;
    m->binary = false;
}

tf_ws_result tf_ws_message_take(tf_ws_message *m, const char *in, size_t len, unsigned flags, uint64_t now)
{
    if ((flags & TF_WS_FIRST) || !m->open) {
        if (m->open)
            m->abandoned++;
        tf_ws_message_reset(m);
        m->open = true;
        m->recv_ns = now;
    }
    if (flags & TF_WS_BINARY)
        m->binary = true;
    if (!m->oversized) {
        if (len > (size_t)(m->cap - m->len))
            m->oversized = true; /* keep what fits out of it: nothing more is copied */
        else if (len) {
            memcpy(m->buf + m->len, in, len);
            m->len += (uint32_t)len;
        }
    }
    if (!(flags & TF_WS_FINAL))
        return TF_WS_MORE;
    m->open = false;
    if (m->oversized)
        return TF_WS_OVERSIZED;
    return m->binary ? TF_WS_BINARY_MSG : TF_WS_MESSAGE;
}
