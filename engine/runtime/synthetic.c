/* Synthetic source and sink stages (see synthetic.h). */
#include "engine/runtime/synthetic.h"

#include <string.h>

#include "shm/err.h"

TF_MPSC_PROTOTYPE(tf_request, tf_request)

static uint64_t tf__xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void tf__make_tick(tf_synth_source *src, uint64_t due_ns)
{
    src->value += (int64_t)(tf__xorshift(&src->rng) % 2001) - 1000; /* +-0.00001 */
    src->pending = (tf_synth_tick){.seq = ++src->seq, .value = src->value,
                                   .t_created_ns = due_ns};
    src->has_pending = 1;
}

/* Called from the source's thread. */
static int tf__source_poll(tf_stage *self, uint64_t now)
{
    tf_synth_source *src = self->ctx;
    int work = 0;
    if (src->next_due_ns == 0)
        src->next_due_ns = now;
    for (uint32_t i = 0; i < src->burst; i++) {
        if (!src->has_pending) {
            if (src->interval_ns && src->next_due_ns > now)
                break;
            tf__make_tick(src, src->interval_ns ? src->next_due_ns : now);
            src->next_due_ns += src->interval_ns;
            tf_counter_inc(src->c_generated, 1);
        }
        src->pending.t_enqueued_ns = now;
        if (!tf_spsc_offer(src->out, &src->pending, sizeof src->pending)) {
            tf_counter_inc(src->c_backpressure, 1);
            break; /* keep it; try again next cycle */
        }
        src->has_pending = 0;
        work++;
    }
    tf_store_64(src->g_behind_ns,
                src->interval_ns && now > src->next_due_ns ? now - src->next_due_ns : 0);
    return work;
}

/* At stop: generate nothing new, but deliver a record the full ring held
 * back, so everything generated reaches the sink. */
static int tf__source_drain(tf_stage *self, uint64_t now)
{
    tf_synth_source *src = self->ctx;
    if (!src->has_pending)
        return 0;
    src->pending.t_enqueued_ns = now;
    if (!tf_spsc_offer(src->out, &src->pending, sizeof src->pending))
        return 1; /* still in flight: keep the drain going */
    src->has_pending = 0;
    return 1;
}

static int tf__sink_requests(tf_synth_sink *sink, tf_stage *self, uint64_t now)
{
    if (!sink->requests)
        return 0;
    struct tf_request req;
    int n = 0;
    while (n < 64 && tf_mpsc_poll_tf_request(sink->requests, &req)) {
        n++;
        if (req.type == TF_REQ_PING) {
            tf_counter_inc(sink->c_requests, 1);
        } else {
            tf_counter_inc(sink->c_bad_requests, 1);
            tf_stage_error(self, TF_E_REQUEST_UNKNOWN, req.type, "request type unknown", now);
        }
    }
    /* The ring is writable by other processes: an impossible producer index
     * is refused by every poll while it lasts; said at most once a second. */
    if (TF_UNLIKELY(sink->requests->corrupt != sink->corrupt_said) &&
        now - sink->corrupt_said_ns >= 1000000000ull) {
        sink->corrupt_said = sink->requests->corrupt;
        sink->corrupt_said_ns = now;
        tf_counter_inc(sink->c_bad_requests, 1);
        tf_stage_error(self, TF_E_REQUEST_INVALID, sink->requests->desc->ck.p_tail,
                       "request ring producer index out of bounds; not read", now);
    }
    return n;
}

/* Called from the sink's thread. */
static int tf__sink_poll(tf_stage *self, uint64_t now)
{
    tf_synth_sink *sink = self->ctx;
    int work = tf__sink_requests(sink, self, now);
    uint32_t n = tf_spsc_poll_batch(sink->in, sink->buf, sink->batch, sizeof(tf_synth_tick));
    if (n == 0)
        return work;
    /* The cycle's clock predates these records; take a fresh one per batch
     * so hop latencies are real. */
    uint64_t t_deq = tf_now_ns();
    for (uint32_t i = 0; i < n; i++) {
        tf_synth_tick *t = &sink->buf[i];
        if (TF_UNLIKELY(t->seq != sink->expected_seq)) {
            if (t->seq > sink->expected_seq) {
                tf_counter_inc(sink->c_gaps, t->seq - sink->expected_seq);
                tf_stage_error(self, TF_E_SEQ_GAP, t->seq, "synth ring sequence gap", t_deq);
            } else {
                tf_counter_inc(sink->c_reorders, 1);
                tf_stage_error(self, TF_E_SEQ_REORDER, t->seq, "synth sequence went back", t_deq);
            }
        }
        sink->expected_seq = t->seq + 1;
        t->t_dequeued_ns = t_deq;
        t->t_journaled_ns = t_deq;
        tf_hist_record(sink->h_ring_hop, t_deq - t->t_enqueued_ns);
        if (tf_journal_append(sink->journal, TF_REC_SYNTH_TICK, t, sizeof *t) == 0)
            tf_stage_error(self, TF_E_JOURNAL_APPEND, t->seq, "synth tick too large", t_deq);
        else
            tf_hist_record(sink->h_create_to_journal, t_deq - t->t_created_ns);
    }
    tf_counter_inc(sink->c_received, n);
    tf_counter_inc(sink->c_journaled, n);
    if (sink->last_slot)
        tf_state_write(sink->last_slot, &sink->buf[n - 1], sizeof(tf_synth_tick), t_deq);
    return work + (int)n;
}

int tf_synth_source_init(tf_stage *stage, tf_synth_source *src, tf_stats *stats, tf_ring *out,
                         uint64_t rate_per_s, uint32_t burst, uint64_t seed)
{
    memset(src, 0, sizeof *src);
    src->out = out;
    src->interval_ns = rate_per_s ? 1000000000ull / rate_per_s : 0;
    if (rate_per_s && src->interval_ns == 0)
        src->interval_ns = 1;
    src->burst = burst ? burst : 64;
    src->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
    src->value = 5000000000000; /* 50000.00000000 */
    uint32_t o = stage->owner;
    const tf_counter_reg regs[] = {
        {&src->c_generated, TF_CTR_SYNTH_GENERATED, NULL},
        {&src->c_backpressure, TF_CTR_SYNTH_BACKPRESSURE, "ring=synth"},
        {&src->g_behind_ns, TF_CTR_SYNTH_BEHIND_NS, NULL},
    };
    if (tf_stats_add_counters(stats, o, regs, TF_ARRAY_LEN(regs)) != 0)
        return -1;
    stage->ctx = src;
    stage->poll = tf__source_poll;
    stage->drain = tf__source_drain;
    return 0;
}

int tf_synth_sink_init(tf_stage *stage, tf_synth_sink *sink, tf_stats *stats, tf_ring *in,
                       tf_ring *requests, tf_journal *journal, tf_state_slot *last_slot,
                       uint32_t batch)
{
    memset(sink, 0, sizeof *sink);
    sink->in = in;
    sink->requests = requests;
    sink->journal = journal;
    sink->last_slot = last_slot;
    sink->batch = batch && batch <= TF_SYNTH_BATCH_MAX ? batch : 64;
    sink->expected_seq = 1;
    uint32_t o = stage->owner;
    const tf_counter_reg regs[] = {
        {&sink->c_received, TF_CTR_SYNTH_RECEIVED, "ring=synth"},
        {&sink->c_gaps, TF_CTR_SYNTH_SEQ_GAPS, "ring=synth"},
        {&sink->c_reorders, TF_CTR_SYNTH_SEQ_REORDERS, "ring=synth"},
        {&sink->c_journaled, TF_CTR_JOURNAL_APPENDED, "journal=md"},
        {&sink->c_requests, TF_CTR_REQUESTS_PING, "ring=requests"},
        {&sink->c_bad_requests, TF_CTR_REQUESTS_REJECTED, "ring=requests"},
    };
    if (tf_stats_add_counters(stats, o, regs, TF_ARRAY_LEN(regs)) != 0 ||
        !(sink->h_ring_hop = tf_stats_add_hist(stats, o, TF_HIST_SYNTH_RING_HOP, "ring=synth")) ||
        !(sink->h_create_to_journal = tf_stats_add_hist(stats, o, TF_HIST_SYNTH_DUE_TO_JOURNAL, "journal=md")))
        return -1;
    stage->ctx = sink;
    stage->poll = tf__sink_poll;
    stage->drain = tf__sink_poll; /* draining is polling until empty */
    return 0;
}
