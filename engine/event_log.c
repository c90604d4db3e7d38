/* See event_log.h. */
#include "engine/event_log.h"

#include <inttypes.h>
#include <string.h>

#include "shm/fixed.h"
#include "shm/records.h"

void tf_event_log_init(tf_event_log *l, FILE *out, const tf_instruments *ins, const tf_journal *orders,
                       const tf_state_table *state)
{
    memset(l, 0, sizeof *l);
    l->out = out;
    l->instruments = ins;
    l->orders = orders;
    l->state = state;
    if (orders)
        tf_journal_reader_init(&l->reader, orders, TF_JOURNAL_FROM_LIVE);
}

static const char *qty_text(const tf_event_log *l, uint32_t i, int64_t v, char *buf, size_t cap)
{
    unsigned p = i < l->instruments->count ? l->instruments->items[i].qty_precision : 0;
    return tf_fixed_format(buf, cap, v, p) ? buf : "?";
}

static const char *px_text(const tf_event_log *l, uint32_t i, int64_t v, char *buf, size_t cap)
{
    unsigned p = i < l->instruments->count ? l->instruments->items[i].price_precision : 0;
    return tf_fixed_format(buf, cap, v, p) ? buf : "?";
}

static int order_event(tf_event_log *l, const tf_order_event *ev)
{
    char q[40], px[40];
    uint32_t i = ev->instrument;
    const char *sym = i < l->instruments->count ? l->instruments->items[i].symbol : "?";
    switch (ev->kind) {
    case TF_EV_OUT_OF_BAND_FILL:
        fprintf(l->out,
                "tfengine: OUT-OF-BAND FILL order %" PRIu64 " %s %s %s @ %s: the venue filled an order finished "
                "here (or not ours); the position follows the venue\n",
                ev->order_id, sym, ev->side ? "sell" : "buy", qty_text(l, i, ev->last_qty, q, sizeof q),
                px_text(l, i, ev->last_px, px, sizeof px));
        return 1;
    case TF_EV_RESOLVED:
        fprintf(l->out, "tfengine: order %" PRIu64 " resolved as %s (filled %s) by uid %" PRId64 "\n", ev->order_id,
                ev->state < TF_OS_COUNT ? tf_ord_state_names[ev->state] : "?",
                qty_text(l, i, ev->cum_qty, q, sizeof q), ev->arg);
        return 1;
    case TF_EV_SESSION_RESET:
        if (ev->qty < 0)
            fprintf(l->out, "tfengine: venue sessions' sequence numbers reset by uid %" PRId64 "\n", ev->arg);
        else
            fprintf(l->out, "tfengine: venue session %" PRId64 "'s sequence numbers reset by uid %" PRId64 "\n",
                    ev->qty, ev->arg);
        return 1;
    case TF_EV_KILL:
        fprintf(l->out, "tfengine: KILL SWITCH (%s): %" PRId64 " open orders to cancel\n",
                ev->reason < TF_KILL_TRIGGER_COUNT && tf_kill_trigger_names[ev->reason]
                    ? tf_kill_trigger_names[ev->reason] : "?",
                ev->arg);
        return 1;
    default:
        return 0;
    }
}

static int session_problems(tf_event_log *l)
{
    int n = 0;
    for (uint32_t k = 0; l->state && k < TF_EVENT_LOG_SESSIONS; k++) {
        char key[TF_STATE_KEY];
        snprintf(key, sizeof key, "fix/%u", k);
        const tf_state_slot *s = tf_state_find(l->state, TF_STATE_VENUE_SESSION, key);
        tf_venue_session_status st;
        if (!s || tf_state_read(s, &st, sizeof st, 100, NULL) != TF_STATE_OK)
            continue;
        if (st.problem_realtime_ns == l->said[k] && st.halted == l->halted[k])
            continue;
        l->said[k] = st.problem_realtime_ns;
        l->halted[k] = st.halted;
        st.problem[sizeof st.problem - 1] = 0;
        if (st.halted)
            fprintf(l->out, "tfengine: FIX session %u HALTED, not reconnecting: %s (check with the venue, then "
                            "tfctl session reset %u)\n", k, st.problem, k);
        else if (st.problem[0])
            fprintf(l->out, "tfengine: FIX session %u: %s\n", k, st.problem);
        n++;
    }
    return n;
}

int tf_event_log_poll(tf_event_log *l)
{
    int n = 0;
    tf_journal_slot *s = (tf_journal_slot *)l->slot;
    for (int k = 0; l->orders && k < 1024; k++) {
        tf_journal_read_rc rc = tf_journal_read(&l->reader, s);
        if (rc == TF_JR_EMPTY)
            break;
        if (rc == TF_JR_OK && s->type == TF_REC_ORDER_EVENT && s->length >= sizeof(tf_order_event)) {
            tf_order_event ev;
            memcpy(&ev, s->payload, sizeof ev);
            n += order_event(l, &ev);
        }
    }
    n += session_problems(l);
    if (n)
        fflush(l->out);
    return n;
}
