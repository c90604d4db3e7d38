/* tfstat's state section: the engine's state slots (engine status,
 * instruments, books, last trades, bars, feed health, synthetic ticks) with
 * market data at each instrument's precision; JSON: the engine status and
 * the last synthetic tick. */
#include <inttypes.h>

#include "tools/oob/md_view.h"
#include "tools/oob/stat/tfstat.h"

/* The two records JSON carries too (text: one line each among the slots). */
enum { EN_PHASE, EN_PID, EN_CONFIG, EN_UPTIME, EN_UPDATED, EN_COLS };
static const rcol engine_cols[EN_COLS] = {
    [EN_PHASE] = {.pre = "engine status: phase ", .key = "phase", .fmt = RF_STR},
    [EN_PID] = {.pre = "   pid ", .key = "pid", .fmt = RF_I64},
    [EN_CONFIG] = {.pre = "   config ", .key = "config_file", .fmt = RF_STR},
    [EN_UPTIME] = {.pre = "   uptime ", .key = "uptime_ns", .fmt = RF_U64},
    [EN_UPDATED] = {.pre = "   updated ", .key = "updated_age_ns", .fmt = RF_AGE},
};
static const int engine_json_order[] = {EN_PHASE, EN_PID, EN_UPTIME, EN_CONFIG, EN_UPDATED, -1};

static void engine_row(render *r, const frame *fr, const tf_engine_status *es, uint64_t updated)
{
    rtable t = {.cols = engine_cols, .ncols = EN_COLS, .line = 1, .json_order = engine_json_order};
    rcell c[EN_COLS] = {
        [EN_PHASE] = {.s = phase_name(es->phase)},
        [EN_PID] = {.i = es->pid},
        [EN_CONFIG] = {.s = es->config_file, .n = sizeof es->config_file},
        [EN_UPTIME] = {.u = es->uptime_ns, .text = fmt_uptime(es->uptime_ns)},
        [EN_UPDATED] = {.u = fr->now > updated ? fr->now - updated : 0},
    };
    render_row(r, &t, c);
}

enum { SY_SEQ, SY_VALUE, SY_AGE, SY_COLS };
static const rcol synth_cols[SY_COLS] = {
    [SY_SEQ] = {.pre = "last synth tick: seq ", .key = "seq", .fmt = RF_U64},
    [SY_VALUE] = {.pre = "   value ", .key = "value", .fmt = RF_I64},
    [SY_AGE] = {.pre = "   age ", .key = "age_ns", .fmt = RF_DUR},
};

static void synth_row(render *r, const frame *fr, const tf_synth_tick *tick, uint64_t updated)
{
    rtable t = {.cols = synth_cols, .ncols = SY_COLS, .line = 1};
    rcell c[SY_COLS] = {
        [SY_SEQ] = {.u = tick->seq},
        [SY_VALUE] = {.i = tick->value, .text = view_fixed8(tick->value)},
        [SY_AGE] = {.u = fr->now > updated ? fr->now - updated : 0},
    };
    render_row(r, &t, c);
}

/* Text: every slot, a line each. The kinds other than the engine status and
 * the synthetic tick are text only (JSON leaves market data to tfdump and
 * the query API), so each of their fields is written in one place already:
 * they stay plain format strings. */
static void state_text(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    fprintf(r->f, "\nstate");
    if (v->problem[VIEW_STATE][0] || !v->state) {
        fprintf(r->f, ": %s%s%s\n", render_paint(r, RED),
                v->problem[VIEW_STATE][0] ? v->problem[VIEW_STATE] : "not present", render_paint(r, RESET));
        return;
    }
    fputc('\n', r->f);
    md_view md;
    md_view_load(&md, v->state);
    uint32_t n = tf_load_32(&v->state->slot_count);
    n = n < v->state->slot_capacity ? n : v->state->slot_capacity;
    if (!n)
        fprintf(r->f, "  (no slots)\n");
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *s = &v->state->slots[i];
        if (order_view_is_kind(s->kind))
            continue; /* the order path's own section */
        union {
            tf_engine_status es;
            tf_synth_tick tick;
            tf_md_top top;
            tf_md_trade trade;
            tf_md_bar bar;
            tf_md_feed_status feed;
            tf_md_instrument_info info;
            uint8_t raw[TF_STATE_PAYLOAD];
        } p;
        uint64_t upd = 0;
        tf_state_rc rc = tf_state_read(s, &p, sizeof p, 1000, &upd);
        fprintf(r->f, "  %-12s ", VIEW_STR(s->key));
        if (rc == TF_STATE_EMPTY)
            fprintf(r->f, "never written\n");
        else if (rc == TF_STATE_TORN)
            fprintf(r->f, "%sTORN: still mid-update (writer died or stuck)%s\n", render_paint(r, RED), render_paint(r, RESET));
        else if (s->kind == TF_STATE_ENGINE)
            engine_row(r, fr, &p.es, upd);
        else if (s->kind == TF_STATE_INSTRUMENT)
            fprintf(r->f, "instrument #%u on %s: tick %s, lot %s, min notional %s\n", p.info.id,
                    VIEW_STR(p.info.venue), md_view_num(p.info.tick_size, p.info.price_precision),
                    md_view_num(p.info.lot_size, p.info.qty_precision),
                    md_view_num(p.info.min_notional, p.info.price_precision));
        else if (s->kind == TF_STATE_MD_TOP)
            fprintf(r->f, "book %s%-8s%s bid %s x %s   ask %s x %s   levels %u/%u   update %" PRIu64
                    "   trades %" PRIu64 "   volume %s   updated %s\n",
                    p.top.book_state ? render_paint(r, GREEN) : render_paint(r, RED), p.top.book_state ? "synced" : "UNSYNCED",
                    render_paint(r, RESET), md_view_px(&md, p.top.instrument, p.top.bid_price),
                    md_view_qty(&md, p.top.instrument, p.top.bid_qty),
                    md_view_px(&md, p.top.instrument, p.top.ask_price),
                    md_view_qty(&md, p.top.instrument, p.top.ask_qty), p.top.bid_levels, p.top.ask_levels,
                    p.top.update_id, p.top.trade_count, md_view_qty(&md, p.top.instrument, p.top.cum_volume),
                    fmt_ago(fr->now, upd));
        else if (s->kind == TF_STATE_MD_LAST_TRADE)
            fprintf(r->f, "last trade #%" PRIu64 " %s %s @ %s   at %s   age %s\n", p.trade.trade_id,
                    p.trade.flags & TF_MD_BUYER_MAKER ? "sell" : "buy",
                    md_view_qty(&md, p.trade.instrument, p.trade.qty),
                    md_view_px(&md, p.trade.instrument, p.trade.price), md_view_time(p.trade.trade_time_ns),
                    fmt_ago(fr->now, upd));
        else if (s->kind == TF_STATE_MD_BAR)
            fprintf(r->f, "bar %s  O %s H %s L %s C %s  V %s  VWAP %s  n %u  rev %u\n",
                    p.bar.open_time_ns ? md_view_time(p.bar.open_time_ns) + 11 : "-", md_view_px(&md, p.bar.instrument, p.bar.open),
                    md_view_px(&md, p.bar.instrument, p.bar.high), md_view_px(&md, p.bar.instrument, p.bar.low),
                    md_view_px(&md, p.bar.instrument, p.bar.close),
                    md_view_qty(&md, p.bar.instrument, p.bar.volume),
                    md_view_vwap(&md, p.bar.instrument, p.bar.vwap), p.bar.trade_count, p.bar.revision);
        else if (s->kind == TF_STATE_FEED)
            fprintf(r->f, "feed %s%s%s %s   connects %" PRIu64 "   disconnects %" PRIu64 "   trade gaps %" PRIu64
                    "   book resyncs %" PRIu64 "   last message %s\n",
                    p.feed.connected ? render_paint(r, GREEN) : render_paint(r, RED), p.feed.connected ? "connected" : "DOWN",
                    render_paint(r, RESET), VIEW_STR(p.feed.url), p.feed.connects, p.feed.disconnects, p.feed.trade_gaps,
                    p.feed.book_resyncs,
                    p.feed.last_frame_realtime_ns ? md_view_time(p.feed.last_frame_realtime_ns) : "never");
        else if (s->kind == TF_STATE_SYNTH_LAST)
            synth_row(r, fr, &p.tick, upd);
        else
            fprintf(r->f, "kind %u, %u bytes, updated %s\n", s->kind, s->length, fmt_ago(fr->now, upd));
    }
}

/* JSON: the engine status and the last synthetic tick. */
static void state_json(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    fprintf(r->f, ",\"state\":{\"engine\":");
    if (fr->have_status)
        engine_row(r, fr, &fr->es, fr->status_updated);
    else
        fprintf(r->f, "null");
    fprintf(r->f, ",\"last_synth_tick\":");
    const tf_state_slot *s =
        v->state ? tf_state_find(v->state, TF_STATE_SYNTH_LAST, "synth_sink") : NULL;
    tf_synth_tick t;
    uint64_t upd = 0;
    tf_state_rc rc = s ? tf_state_read(s, &t, sizeof t, 1000, &upd) : TF_STATE_EMPTY;
    if (rc == TF_STATE_OK)
        synth_row(r, fr, &t, upd);
    else
        fprintf(r->f, rc == TF_STATE_TORN ? "\"torn\"" : "null");
    fputc('}', r->f);
}

void section_state(render *r, const frame *fr)
{
    if (r->json)
        state_json(r, fr);
    else
        state_text(r, fr);
}
