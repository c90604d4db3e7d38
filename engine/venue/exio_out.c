/* The bottom of the exchange I/O stage (see exio_internal.h for the order
 * of its files): the outbox of reports to the OMS, and each session's
 * message budget (a token bucket). It calls no other exio file; every one
 * of them may call it. Called from the stage's thread only. */
#include "engine/venue/exio_out.h"

/* ---- the outbox to the OMS ----------------------------------------------- */

void tf__exio_report(tf_exio *x, const tf_exec_report *r)
{
    /* Never full: commands and completions are only taken while it has room
     * for everything they can produce (TF__EXIO_ROOM). */
    x->outbox[x->out_tail++ % TF_EXIO_OUTBOX] = *r;
    tf_counter_inc(x->c_reports_in, 1);
}

uint32_t tf__exio_flush(tf_exio *x)
{
    uint32_t n = 0;
    while (x->out_head != x->out_tail) {
        if (x->out) {
            if (!tf_spsc_offer(x->out, &x->outbox[x->out_head % TF_EXIO_OUTBOX], sizeof(tf_exec_report)))
                break;
        } else {
            break; /* tests read with tf_exio_next_report */
        }
        x->out_head++;
        n++;
    }
    return n;
}

bool tf_exio_next_report(tf_exio *x, tf_exec_report *r)
{
    if (x->out_head == x->out_tail)
        return false;
    *r = x->outbox[x->out_head++ % TF_EXIO_OUTBOX];
    return true;
}

/* ---- the message budget --------------------------------------------------- */

static void refill_tokens(tf_exio *x, tf_exio_session *s)
{
    const tf_cfg_exchange *c = &x->cfg->exchange;
    if (!c->messages_per_s)
        return;
    double add = (double)(x->mono - s->tokens_mono) * 1e-9 * c->messages_per_s;
    s->tokens_mono = x->mono;
    s->tokens = s->tokens + add > c->message_burst ? c->message_burst : s->tokens + add;
}

bool tf__exio_take_token(tf_exio *x, tf_exio_session *s)
{
    if (!x->cfg->exchange.messages_per_s)
        return true;
    refill_tokens(x, s);
    if (s->tokens < 1.0) {
        tf_counter_inc(s->c_rate_limited, 1);
        return false;
    }
    s->tokens -= 1.0;
    return true;
}
