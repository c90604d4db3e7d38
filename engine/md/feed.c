/* The feed stage (see feed.h): its duty cycle, set-up and stats, and the
 * message half — decoded messages -> validated records in the market-data
 * journal, books, bars and state slots. The upper half of the feed: it
 * calls down into feed_conn.c (the connection), which reaches back only
 * through the tf_feed_conn_ops table below, handed over at init. Runs on
 * the feed stage's thread; tf_feed_init and tf_feed_close on the engine's
 * (cold). */
#include "engine/md/feed_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/atomic.h"
#include "shm/common.h"
#include "shm/err.h"

#define TF__TICK_NS 100000000ull   /* bars closed and status published every 100 ms */

static const char *const tf__feed_reject_names[TF_FEED_REJ_COUNT] = {
    [TF_MD_OK] = "none", [TF_MD_REJ_MALFORMED] = "malformed",
    [TF_MD_REJ_UNKNOWN_TYPE] = "unknown_type", [TF_MD_REJ_UNKNOWN_SYMBOL] = "unknown_symbol",
    [TF_MD_REJ_MISSING_FIELD] = "missing_field", [TF_MD_REJ_BAD_NUMBER] = "bad_number",
    [TF_MD_REJ_PRECISION] = "precision", [TF_MD_REJ_TOO_MANY_LEVELS] = "too_many_levels",
    [TF_FEED_REJ_OVERSIZED] = "oversized", [TF_FEED_REJ_BINARY] = "binary",
    [TF_FEED_REJ_UNSUBSCRIBED] = "unsubscribed",
};

static uint32_t tf__reject_code(uint32_t reason)
{
    switch (reason) {
    case TF_MD_REJ_MALFORMED: return TF_E_MD_MALFORMED;
    case TF_MD_REJ_UNKNOWN_TYPE: case TF_MD_REJ_UNKNOWN_SYMBOL: case TF_FEED_REJ_BINARY:
    case TF_FEED_REJ_UNSUBSCRIBED: return TF_E_MD_UNKNOWN;
    case TF_FEED_REJ_OVERSIZED: return TF_E_MD_OVERSIZED;
    default: return TF_E_MD_BAD_VALUE;
    }
}

/* The first bytes of a refused message, printable, for the error log. */
static void tf__sample(char *out, size_t cap, const char *buf, uint32_t len)
{
    size_t n = len < cap - 1 ? len : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = buf[i] >= 32 && buf[i] < 127 ? buf[i] : '?';
    out[n] = 0;
}

static void tf__feed_reject(tf_feed *f, uint32_t reason, const char *buf, uint32_t len, uint64_t now_ns)
{
    if (reason == TF_MD_OK || reason >= TF_FEED_REJ_COUNT)
        reason = TF_MD_REJ_MALFORMED;
    tf_counter_inc(f->c_rejected[reason], 1);
    f->work++;
    char sample[TF_ERRLOG_DETAIL];
    tf__sample(sample, sizeof sample, buf, len);
    tf_stage_error(f->stage, (tf_err_code)tf__reject_code(reason), reason, sample, now_ns);
}

static void tf__append(tf_feed *f, uint16_t type, const void *rec, uint16_t len)
{
    if (!tf_journal_append(f->journal, type, rec, len))
        tf_counter_inc(f->c_journal_errors, 1);
}

static void tf__feed_event(tf_feed *f, uint32_t kind, uint32_t instrument, uint64_t a, uint64_t b)
{
    tf_md_feed_event ev = {.kind = kind, .instrument = instrument, .a = a, .b = b,
                           .realtime_ns = tf_realtime_ns()};
    tf__append(f, TF_REC_MD_FEED_EVENT, &ev, sizeof ev);
}

static void tf__feed_publish_status(tf_feed *f, uint64_t now_ns)
{
    f->status.connected = f->connected;
    f->status.trade_gaps = *f->c_trade_gaps;
    f->status.book_resyncs = *f->c_book_actions[TF_BOOK_GAP] + *f->c_book_actions[TF_BOOK_OVERFLOW];
    tf_store_64(f->g_connected, f->connected);
    if (f->status_slot)
        tf_state_write(f->status_slot, &f->status, sizeof f->status, now_ns);
}

static void tf__publish_top(tf_feed_instrument *fi, uint64_t now_ns)
{
    tf_md_level bid, ask;
    tf_md_top *t = &fi->top;
    tf_book_best_bid(&fi->book, &bid);
    tf_book_best_ask(&fi->book, &ask);
    t->book_state = fi->book.state;
    t->update_id = fi->book.last_update_id;
    t->bid_price = bid.price;
    t->bid_qty = bid.qty;
    t->ask_price = ask.price;
    t->ask_qty = ask.qty;
    t->bid_levels = fi->book.bid_count;
    t->ask_levels = fi->book.ask_count;
    t->updated_realtime_ns = tf_realtime_ns();
    if (fi->top_slot)
        tf_state_write(fi->top_slot, t, sizeof *t, now_ns);
}

static void tf__feed_connected(tf_feed *f, uint64_t now_ns)
{
    tf_counter_inc(f->c_connects, 1);
    f->status.connects++;
    f->status.connected_realtime_ns = tf_realtime_ns();
    f->connected = true;
    tf__feed_event(f, TF_FEED_CONNECTED, UINT32_MAX, f->attempt, 0);
    tf__feed_publish_status(f, now_ns);
}

static void tf__feed_disconnected(tf_feed *f, uint32_t reason, uint64_t now_ns)
{
    tf_counter_inc(f->c_disconnects, 1);
    f->status.disconnects++;
    f->connected = false;
    tf_stage_error(f->stage, TF_E_MD_DISCONNECT, reason, "feed connection lost", now_ns);
    tf__feed_event(f, TF_FEED_DISCONNECTED, UINT32_MAX, reason, 0);
    /* Diffs missed while down: every book starts a new sync. */
    f->need_snapshot = 0;
    for (uint32_t i = 0; i < f->instrument_count; i++) {
        tf_book_reset(&f->inst[i].book);
        tf__publish_top(&f->inst[i], now_ns);
    }
    tf__feed_publish_status(f, now_ns);
}

static void tf__journal_bars(tf_feed *f, const tf_md_bar *bars, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        tf__append(f, TF_REC_MD_BAR, &bars[i], sizeof bars[i]);
        tf_counter_inc(f->c_bars, 1);
        if (bars[i].revision)
            tf_counter_inc(f->c_bar_revisions, 1);
    }
}

static void tf__publish_bar(tf_feed_instrument *fi, uint64_t now_ns)
{
    const tf_md_bar *cur = tf_bar_current(&fi->bars);
    if (cur && fi->bar_slot)
        tf_state_write(fi->bar_slot, cur, sizeof *cur, now_ns);
}

static void tf__on_trade(tf_feed *f, tf_md_trade *t, uint64_t now_ns)
{
    tf_feed_instrument *fi = &f->inst[t->instrument];
    bool agg = t->kind == TF_MD_AGG_TRADE;
    tf_counter_inc(agg ? f->c_agg_trades : f->c_trades, 1);
    uint64_t gap_first = 0, gap_last = 0;
    tf_trade_verdict v = tf_trade_check(agg ? &fi->agg_trades : &fi->trades, t, &gap_first, &gap_last);
    tf_counter_inc(f->c_trade_verdict[v], 1);
    if (gap_first) {
        tf_counter_inc(f->c_trade_gaps, 1);
        tf_counter_inc(f->c_trade_gap_ids, gap_last - gap_first + 1);
        tf_stage_error(f->stage, TF_E_MD_TRADE_GAP, gap_first, f->reg->items[t->instrument].symbol,
                       now_ns);
        tf__feed_event(f, TF_FEED_TRADE_GAP, t->instrument, gap_first, gap_last);
    }
    if (t->flags & TF_MD_OUT_OF_ORDER)
        tf_counter_inc(f->c_gaps_filled, 1);
    if (v != TF_TRADE_ACCEPT) {
        tf_stage_error(f->stage, v == TF_TRADE_DUPLICATE ? TF_E_MD_DUPLICATE : TF_E_MD_BAD_TRADE,
                       t->trade_id, tf_trade_verdict_names[v], now_ns);
        return;
    }
    uint64_t wall = tf_realtime_ns();
    if (t->hops.venue_ns) {
        if (wall >= t->hops.venue_ns)
            tf_hist_record(f->h_venue_skew, wall - t->hops.venue_ns);
        else
            tf_counter_inc(f->c_venue_ahead, 1);
    }
    t->hops.decoded_ns = now_ns;
    t->hops.published_ns = tf_now_ns();
    tf__append(f, TF_REC_MD_TRADE, t, sizeof *t);
    tf_hist_record(f->h_decode, t->hops.decoded_ns - t->hops.recv_ns);
    tf_hist_record(f->h_publish, t->hops.published_ns - t->hops.decoded_ns);
    tf_hist_record(f->h_recv_to_journal, t->hops.published_ns - t->hops.recv_ns);
    if (agg == !f->use_trade_stream) {
        tf_md_bar out[16];
        uint64_t late_before = fi->bars.late_dropped;
        uint32_t n = tf_bar_on_trade(&fi->bars, t, out, TF_ARRAY_LEN(out));
        tf__journal_bars(f, out, n);
        if (fi->bars.late_dropped != late_before)
            tf_stage_error(f->stage, TF_E_MD_LATE_TRADE, t->trade_id, "trade after revision window",
                           now_ns);
        fi->top.cum_volume += t->qty;
        fi->top.trade_count++;
        tf__publish_bar(fi, now_ns);
        if (fi->trade_slot)
            tf_state_write(fi->trade_slot, t, sizeof *t, now_ns);
    }
}

static void tf__journal_depth(tf_feed *f, uint32_t instrument, uint64_t U, uint64_t u, uint8_t flags,
                              const tf_md_level *bids, uint32_t nb, const tf_md_level *asks,
                              uint32_t na, const tf_md_hops *hops)
{
    tf_md_depth d;
    memset(&d, 0, sizeof d);
    d.instrument = instrument;
    d.first_update_id = U;
    d.final_update_id = u;
    d.level_count = (uint16_t)(nb + na > UINT16_MAX ? UINT16_MAX : nb + na);
    d.hops = *hops;
    if (nb + na == 0) {
        d.flags = flags | TF_MD_DEPTH_FIRST | TF_MD_DEPTH_LAST;
        tf__append(f, TF_REC_MD_DEPTH, &d, sizeof d);
        return;
    }
    uint32_t total = nb + na;
    d.hops.published_ns = tf_now_ns(); /* one clock read per update, not per level */
    for (uint32_t i = 0; i < total; i++) {
        const tf_md_level *l = i < nb ? &bids[i] : &asks[i - nb];
        d.side = i < nb ? TF_SIDE_BID : TF_SIDE_ASK;
        d.flags = flags | (i == 0 ? TF_MD_DEPTH_FIRST : 0) | (i == total - 1 ? TF_MD_DEPTH_LAST : 0);
        d.price = l->price;
        d.qty = l->qty;
        tf__append(f, TF_REC_MD_DEPTH, &d, sizeof d);
    }
}

static void tf__on_depth(tf_feed *f, const tf_md_depth_msg *m, uint64_t recv_ns, uint64_t now_ns)
{
    tf_feed_instrument *fi = &f->inst[m->instrument];
    tf_counter_inc(f->c_depth_updates, 1);
    tf_book_action a = tf_book_on_diff(&fi->book, m);
    tf_counter_inc(f->c_book_actions[a], 1);
    switch (a) {
    case TF_BOOK_APPLIED: {
        tf_md_hops h = {.venue_ns = m->event_time_ns, .recv_ns = recv_ns, .decoded_ns = now_ns};
        tf__journal_depth(f, m->instrument, m->first_update_id, m->final_update_id, 0, m->bids,
                          m->bid_count, m->asks, m->ask_count, &h);
        tf__publish_top(fi, now_ns);
        break;
    }
    case TF_BOOK_GAP:
        tf_stage_error(f->stage, TF_E_MD_BOOK_GAP, m->first_update_id,
                       f->reg->items[m->instrument].symbol, now_ns);
        tf__feed_event(f, TF_FEED_BOOK_GAP, m->instrument, fi->book.last_update_id + 1,
                       m->first_update_id);
        f->need_snapshot |= 1ull << m->instrument;
        tf__publish_top(fi, now_ns);
        break;
    case TF_BOOK_NEED_SNAPSHOT:
    case TF_BOOK_OVERFLOW:
        f->need_snapshot |= 1ull << m->instrument;
        break;
    default:
        break;
    }
}

static void tf__feed_snapshot(tf_feed *f, uint32_t instrument, const char *body, uint32_t len,
                              uint32_t http_status, uint64_t now_ns)
{
    if (instrument >= f->instrument_count)
        return;
    tf_feed_instrument *fi = &f->inst[instrument];
    if (http_status != 200) {
        tf_counter_inc(f->c_snapshot_errors, 1);
        char sample[TF_ERRLOG_DETAIL];
        tf__sample(sample, sizeof sample, body, len);
        tf_stage_error(f->stage, TF_E_MD_SNAPSHOT, http_status, sample, now_ns);
        f->need_snapshot |= 1ull << instrument;
        return;
    }
    tf_md_reject rc = tf_md_decode_snapshot(&f->reg->items[instrument], body, len, f->snapshot);
    if (rc != TF_MD_OK) {
        tf_counter_inc(f->c_snapshot_errors, 1);
        tf__feed_reject(f, rc, body, len, now_ns);
        f->need_snapshot |= 1ull << instrument;
        return;
    }
    f->snapshot->instrument = instrument;
    tf_book_action a = tf_book_on_snapshot(&fi->book, f->snapshot, NULL, NULL);
    if (a != TF_BOOK_APPLIED) {
        tf_counter_inc(f->c_book_actions[a], 1);
        f->need_snapshot |= 1ull << instrument;
        return;
    }
    /* Readers rebuild from here: clear, then the whole book as it now stands. */
    tf_counter_inc(f->c_book_syncs, 1);
    tf_md_hops h = {.recv_ns = now_ns, .decoded_ns = tf_now_ns()};
    uint32_t nb = tf_book_levels(&fi->book, TF_SIDE_BID, f->levels, f->levels_cap);
    uint32_t na = tf_book_levels(&fi->book, TF_SIDE_ASK, f->levels + nb, f->levels_cap);
    uint64_t id = fi->book.last_update_id;
    tf__journal_depth(f, instrument, id, id, TF_MD_DEPTH_SNAPSHOT | TF_MD_DEPTH_CLEAR, NULL, 0, NULL, 0,
                      &h);
    tf__journal_depth(f, instrument, id, id, TF_MD_DEPTH_SNAPSHOT, f->levels, nb, f->levels + nb, na, &h);
    tf__feed_event(f, TF_FEED_BOOK_SYNCED, instrument, id, nb + na);
    tf__publish_top(fi, now_ns);
}

static bool tf__subscribed(const tf_feed *f, uint32_t kind)
{
    uint32_t s = f->cfg->streams;
    switch (kind) {
    case TF_MD_MSG_TRADE: return s & (1u << TF_STREAM_TRADE);
    case TF_MD_MSG_AGG_TRADE: return s & (1u << TF_STREAM_AGG_TRADE);
    case TF_MD_MSG_BOOK_TICKER: return s & (1u << TF_STREAM_BOOK_TICKER);
    case TF_MD_MSG_DEPTH: return s & ((1u << TF_STREAM_DEPTH_100MS) | (1u << TF_STREAM_DEPTH_1S));
    case TF_MD_MSG_KLINE: return s & (1u << TF_STREAM_KLINE_1M);
    default: return true;
    }
}

static void tf__feed_message(tf_feed *f, const char *buf, uint32_t len, uint64_t recv_ns)
{
    tf_counter_inc(f->c_messages, 1);
    f->work++;
    tf_md_msg m;
    tf_md_reject rc = tf_md_decode(f->decoder, buf, len, recv_ns, &m);
    uint64_t now = tf_now_ns();
    if (rc != TF_MD_OK) {
        f->work--; /* tf__feed_reject counts it again */
        tf__feed_reject(f, rc, buf, len, now);
        return;
    }
    if (!tf__subscribed(f, m.kind) || (m.instrument != UINT32_MAX && m.instrument >= f->instrument_count)) {
        f->work--;
        tf__feed_reject(f, TF_FEED_REJ_UNSUBSCRIBED, buf, len, now);
        return;
    }
    f->attempt = 0; /* data flows: the next reconnect starts from the shortest backoff */
    tf_backoff_reset(&f->backoff);
    switch (m.kind) {
    case TF_MD_MSG_TRADE:
    case TF_MD_MSG_AGG_TRADE:
        tf__on_trade(f, &m.u.trade, now);
        break;
    case TF_MD_MSG_BOOK_TICKER:
        tf_counter_inc(f->c_quotes, 1);
        m.u.quote.hops.decoded_ns = now;
        m.u.quote.hops.published_ns = tf_now_ns();
        tf__append(f, TF_REC_MD_QUOTE, &m.u.quote, sizeof m.u.quote);
        break;
    case TF_MD_MSG_DEPTH:
        tf__on_depth(f, m.depth, recv_ns, now);
        break;
    case TF_MD_MSG_KLINE:
        tf_counter_inc(f->c_klines, 1);
        tf__append(f, TF_REC_MD_BAR, &m.u.bar, sizeof m.u.bar);
        break;
    case TF_MD_MSG_SERVER_SHUTDOWN:
        tf_counter_inc(f->c_server_shutdowns, 1);
        tf__feed_event(f, TF_FEED_SERVER_SHUTDOWN, UINT32_MAX, 0, 0);
        tf__feed_conn_drop(f, TF_FEED_DISC_SHUTDOWN);
        break;
    case TF_MD_MSG_RESPONSE:
        tf_counter_inc(f->c_responses, 1);
        break;
    case TF_MD_MSG_ERROR: {
        tf_counter_inc(f->c_venue_errors, 1);
        char sample[TF_ERRLOG_DETAIL];
        tf__sample(sample, sizeof sample, buf, len);
        tf_stage_error(f->stage, TF_E_MD_VENUE_ERROR, (uint64_t)m.response_id, sample, now);
        break;
    }
    default:
        break;
    }
}

static void tf__feed_tick(tf_feed *f, uint64_t now_ns)
{
    uint64_t wall = tf_realtime_ns();
    for (uint32_t i = 0; i < f->instrument_count; i++) {
        tf_feed_instrument *fi = &f->inst[i];
        tf_md_bar out[8];
        uint32_t n;
        do {
            n = tf_bar_on_time(&fi->bars, wall, out, TF_ARRAY_LEN(out));
            tf__journal_bars(f, out, n);
        } while (n == TF_ARRAY_LEN(out));
        tf__publish_bar(fi, now_ns);
        if (fi->top_slot)
            tf_state_write(fi->top_slot, &fi->top, sizeof fi->top, now_ns);
    }
    if (f->last_frame_ns)
        f->status.last_frame_realtime_ns = wall - (now_ns - f->last_frame_ns);
    tf__feed_publish_status(f, now_ns);
}

static int tf__poll(tf_stage *s, uint64_t now_ns)
{
    tf_feed *f = s->ctx;
    f->work = 0;
    tf__feed_conn_poll(f, now_ns);
    if (now_ns - f->bars_tick_ns >= TF__TICK_NS) {
        f->bars_tick_ns = now_ns;
        tf__feed_tick(f, now_ns);
    }
    return (int)(f->work > INT32_MAX ? INT32_MAX : f->work);
}

/* At stop: nothing is held back (every message is handled as it arrives). */
static int tf__drain(tf_stage *s, uint64_t now_ns)
{
    (void)s;
    (void)now_ns;
    return 0;
}

/* How the connection reaches up to the stage. */
static const tf_feed_conn_ops tf__conn_ops = {
    .connected = tf__feed_connected,
    .disconnected = tf__feed_disconnected,
    .message = tf__feed_message,
    .refused = tf__feed_reject,
    .snapshot = tf__feed_snapshot,
    .event = tf__feed_event,
};

static int tf__stats(tf_feed *f, tf_stats *st, uint32_t owner)
{
#define C(ptr, id, labels) \
    if (!((ptr) = tf_stats_add_counter(st, owner, TF_CTR_##id, labels))) return -1
    C(f->c_messages, MD_MESSAGES, NULL);
    C(f->c_bytes, MD_BYTES, NULL);
    C(f->c_trades, MD_TRADES, "kind=trade");
    C(f->c_agg_trades, MD_TRADES, "kind=aggTrade");
    C(f->c_quotes, MD_QUOTES, NULL);
    C(f->c_depth_updates, MD_DEPTH_UPDATES, NULL);
    C(f->c_bars, MD_BARS, NULL);
    C(f->c_bar_revisions, MD_BAR_REVISIONS, NULL);
    C(f->c_klines, MD_VENUE_KLINES, NULL);
    for (uint32_t r = 1; r < TF_FEED_REJ_COUNT; r++) {
        char l[48];
        snprintf(l, sizeof l, "reason=%s", tf__feed_reject_names[r]);
        C(f->c_rejected[r], MD_REJECTED, l);
    }
    for (uint32_t v = 0; v < TF_TRADE_VERDICT_COUNT; v++) {
        char l[48];
        snprintf(l, sizeof l, "verdict=%s", tf_trade_verdict_names[v]);
        C(f->c_trade_verdict[v], MD_TRADE_CHECKS, l);
    }
    C(f->c_trade_gaps, MD_TRADE_GAPS, NULL);
    C(f->c_trade_gap_ids, MD_TRADE_GAP_IDS, NULL);
    C(f->c_gaps_filled, MD_TRADE_GAPS_FILLED, NULL);
    for (uint32_t a = 0; a < TF_BOOK_ACTION_COUNT; a++) {
        char l[48];
        snprintf(l, sizeof l, "action=%s", tf_book_action_names[a]);
        C(f->c_book_actions[a], MD_BOOK_UPDATES, l);
    }
    C(f->c_snapshots, MD_SNAPSHOTS, NULL);
    C(f->c_snapshot_errors, MD_SNAPSHOT_ERRORS, NULL);
    C(f->c_book_syncs, MD_BOOK_SYNCS, NULL);
    C(f->c_connects, FEED_CONNECTS, NULL);
    C(f->c_disconnects, FEED_DISCONNECTS, NULL);
    C(f->c_connect_errors, FEED_CONNECT_ERRORS, NULL);
    C(f->c_idle_timeouts, FEED_IDLE_TIMEOUTS, NULL);
    C(f->c_rotations, FEED_ROTATIONS, NULL);
    C(f->c_server_shutdowns, FEED_SERVER_SHUTDOWNS, NULL);
    C(f->c_responses, FEED_RESPONSES, NULL);
    C(f->c_venue_errors, FEED_VENUE_ERRORS, NULL);
    C(f->c_journal_errors, MD_JOURNAL_ERRORS, NULL);
    C(f->c_venue_ahead, MD_VENUE_CLOCK_AHEAD, NULL);
    C(f->g_connected, FEED_CONNECTED, NULL);
#undef C
    if (!(f->h_decode = tf_stats_add_hist(st, owner, TF_HIST_MD_RECV_TO_DECODED_NS, NULL)) ||
        !(f->h_publish = tf_stats_add_hist(st, owner, TF_HIST_MD_DECODED_TO_PUBLISHED_NS, NULL)) ||
        !(f->h_recv_to_journal = tf_stats_add_hist(st, owner, TF_HIST_MD_RECV_TO_JOURNAL_NS, NULL)) ||
        !(f->h_venue_skew = tf_stats_add_hist(st, owner, TF_HIST_MD_VENUE_TO_LOCAL_NS, NULL)) ||
        (f->cfg->rx_timestamps && !(f->h_kernel = tf_stats_add_hist(st, owner, TF_HIST_MD_KERNEL_TO_RECV_NS, NULL))))
        return -1;
    return 0;
}

int tf_feed_init(tf_stage *stage, tf_feed *f, const tf_config *cfg, const tf_instruments *reg,
                 tf_stats *stats, tf_state_table *state, tf_journal *journal)
{
    memset(f, 0, sizeof *f);
    f->cfg = &cfg->feed;
    f->reg = reg;
    f->journal = journal;
    f->stage = stage;
    f->instrument_count = reg->count;
    f->use_trade_stream = cfg->feed.streams & (1u << TF_STREAM_TRADE);
    if (reg->count == 0 || reg->count > 64)
        return TF_ERR("feed: %u instruments (1..64)", reg->count);
    if (tf_journal_payload_max(journal) < sizeof(tf_md_trade))
        return TF_ERR("feed: journal slots too small for market data");
    f->rest_cap = 8u << 20;
    f->levels_cap = cfg->feed.book_levels;
    char *msg_buf = malloc(cfg->feed.max_frame_bytes);
    tf_ws_message_init(&f->msg, msg_buf, cfg->feed.max_frame_bytes);
    f->rest_body = malloc(f->rest_cap);
    f->levels = calloc(2 * (size_t)f->levels_cap, sizeof *f->levels);
    f->decoder = calloc(1, sizeof *f->decoder);
    f->snapshot = calloc(1, sizeof *f->snapshot);
    f->inst = calloc(reg->count, sizeof *f->inst);
    if (!f->msg.buf || !f->rest_body || !f->levels || !f->decoder || !f->snapshot || !f->inst) {
        tf_feed_close(f);
        return TF_ERR("feed: out of memory");
    }
    tf_md_decoder_init(f->decoder, reg);
    tf_bar_config bc = {.interval_ns = 60000000000ull, .grace_ns = cfg->bars.grace_ns,
                        .revision_window = cfg->bars.revision_window,
                        .empty_policy = cfg->bars.empty_policy};
    for (uint32_t i = 0; i < reg->count; i++) {
        const tf_instrument *in = &reg->items[i];
        tf_feed_instrument *fi = &f->inst[i];
        if (tf_book_init(&fi->book, i, cfg->feed.book_levels, 4096, 1u << 18) != 0) {
            tf_feed_close(f);
            return TF_ERR("feed: out of memory for the %s book", in->symbol);
        }
        tf_trade_validator_init(&fi->trades, in->max_price, cfg->validation.max_deviation_bps);
        tf_trade_validator_init(&fi->agg_trades, in->max_price, cfg->validation.max_deviation_bps);
        tf_bar_init(&fi->bars, i, in->price_precision, in->qty_precision, &bc);
        fi->top.instrument = i;
        fi->top_slot = tf_state_claim(state, TF_STATE_MD_TOP, in->symbol);
        fi->trade_slot = tf_state_claim(state, TF_STATE_MD_LAST_TRADE, in->symbol);
        fi->bar_slot = tf_state_claim(state, TF_STATE_MD_BAR, in->symbol);
        tf_state_slot *info_slot = tf_state_claim(state, TF_STATE_INSTRUMENT, in->symbol);
        if (!fi->top_slot || !fi->trade_slot || !fi->bar_slot || !info_slot) {
            tf_feed_close(f);
            return TF_ERR("feed: no state slot left for %s", in->symbol);
        }
        tf_md_instrument_info info;
        tf_instrument_info(in, &info);
        tf_state_write(info_slot, &info, sizeof info, tf_now_ns());
    }
    f->status_slot = tf_state_claim(state, TF_STATE_FEED, "feed");
    tf_copy_name(f->status.url, sizeof f->status.url, cfg->feed.url);
    if (tf__stats(f, stats, stage->owner) != 0) {
        tf_feed_close(f);
        return TF_ERR_CTX("feed: stats");
    }
    if (tf__feed_conn_init(f, &tf__conn_ops) != 0) {
        tf_feed_close(f);
        return -1;
    }
    stage->poll = tf__poll;
    stage->drain = tf__drain;
    stage->ctx = f;
    tf__feed_publish_status(f, tf_now_ns());
    return 0;
}

void tf_feed_close(tf_feed *f)
{
    tf__feed_conn_close(f);
    if (f->inst)
        for (uint32_t i = 0; i < f->instrument_count; i++)
            tf_book_free(&f->inst[i].book);
    free(f->inst);
    free(f->snapshot);
    free(f->decoder);
    free(f->levels);
    free(f->rest_body);
    free(f->msg.buf);
    f->inst = NULL;
    f->snapshot = NULL;
    f->decoder = NULL;
    f->levels = NULL;
    f->rest_body = NULL;
    f->msg.buf = NULL;
}
