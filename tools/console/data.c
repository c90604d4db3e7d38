/* tfconsole's data: the journal followed into the hot store, what changed
 * collected into frames, tfstat's frame as the state message (see
 * console.h). One thread: the server's. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/err.h"
#include "shm/fixed.h"
#include "tools/console/console.h"
#include "tools/oob/redis_cmds.h"
#include "tools/oob/stat/tfstat.h"

int console_init(console *c, const tf_config *cfg)
{
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    if (qs_store_init(&c->store, cfg->export_.console.history_bars, 200) != 0)
        return TF_ERR("out of memory for the hot store");
    oob_source_init(&c->src, cfg);
    oob_source_init_journal(&c->orders, cfg, TF_SEG_ORDERS);
    return 0;
}

void console_free(console *c)
{
    oob_source_close(&c->src);
    oob_source_close(&c->orders);
    qs_store_free(&c->store);
    for (unsigned i = 0; i < QS_MAX_INSTRUMENTS; i++) {
        free(c->books[i]);
        free(c->trades[i]);
        free(c->pending[i].trades.p);
        free(c->pending[i].bars.p);
    }
    for (unsigned i = 0; i < CON_FRAMES; i++)
        free(c->frames[i].p);
    free(c->state.p);
    if (c->view_open)
        view_close(&c->view);
}

/* A record into the store and into the next frame. */
static void take(console *c, const tf_journal_slot *rec)
{
    if (rec->type == TF_REC_MD_DEPTH && rec->length >= sizeof(tf_md_depth)) {
        tf_md_depth d;
        memcpy(&d, rec->payload, sizeof d);
        console_book_apply(c, &d);
        return;
    }
    /* The journal is another process's writing: a record shorter than its
     * type is skipped, not read past. */
    if ((rec->type != TF_REC_MD_BAR || rec->length < sizeof(tf_md_bar)) &&
        (rec->type != TF_REC_MD_TRADE || rec->length < sizeof(tf_md_trade)))
        return;
    uint32_t id = *(const uint32_t *)rec->payload;
    const tf_md_instrument_info *in = oob_source_instrument(&c->src, id);
    if (!in || id >= QS_MAX_INSTRUMENTS)
        return;
    qs_store_add(&c->store, rec, in);
    con_pending *p = &c->pending[id];
    if (rec->type == TF_REC_MD_TRADE) {
        if (!c->trades[id] && !(c->trades[id] = calloc(CON_TRADES, sizeof(con_trade))))
            return;
        const tf_md_trade *tr = (const tf_md_trade *)rec->payload;
        con_trade *t = &c->trades[id][c->trade_total[id]++ % CON_TRADES];
        char px[48], qty[48];
        tf_fixed_format(px, sizeof px, tr->price, in->price_precision);
        tf_fixed_format(qty, sizeof qty, tr->qty, in->qty_precision);
        int n = snprintf(t->json, sizeof t->json,
                         "{\"seq\":%" PRIu64 ",\"id\":%" PRIu64 ",\"price\":\"%s\",\"qty\":\"%s\",\"side\":\"%s\",\"time\":%" PRIu64
                         "}",
                         rec->seq, tr->trade_id, px, qty, tr->flags & TF_MD_BUYER_MAKER ? "sell" : "buy",
                         (uint64_t)(tr->trade_time_ns / 1000000u));
        t->len = n > 0 && (size_t)n < sizeof t->json ? (uint16_t)n : 0;
        t->seq = rec->seq;
        if (p->ntrades++ >= CON_TICK_ITEMS || (p->trades.len && !con_put(&p->trades, ",", 1, CON_FRAME_MAX)) ||
            !con_put(&p->trades, t->json, t->len, CON_FRAME_MAX))
            p->overflow = true;
    } else {
        const tf_md_bar *b = (const tf_md_bar *)rec->payload;
        if (b->flags & TF_BAR_FROM_VENUE)
            return; /* the venue's own klines: not drawn */
        char json[QS_JSON_MAX];
        size_t n = redis_bar_json(json, sizeof json, b, in);
        if (!n || p->nbars++ >= CON_TICK_ITEMS || (p->bars.len && !con_put(&p->bars, ",", 1, CON_FRAME_MAX)) ||
            !con_put(&p->bars, json, n, CON_FRAME_MAX))
            p->overflow = true;
    }
}

static void put_top(con_text *t, const tf_md_top *top, const tf_md_instrument_info *in)
{
    char b[4][48];
    tf_fixed_format(b[0], 48, top->bid_price, in->price_precision);
    tf_fixed_format(b[1], 48, top->bid_qty, in->qty_precision);
    tf_fixed_format(b[2], 48, top->ask_price, in->price_precision);
    tf_fixed_format(b[3], 48, top->ask_qty, in->qty_precision);
    con_printf(t, CON_FRAME_MAX,
               "\"top\":{\"bid\":\"%s\",\"bid_qty\":\"%s\",\"ask\":\"%s\",\"ask_qty\":\"%s\",\"update_id\":%" PRIu64
               ",\"book_synced\":%s,\"updated_ms\":%" PRIu64 "}",
               b[0], b[1], b[2], b[3], top->update_id, top->book_state ? "true" : "false",
               (uint64_t)(top->updated_realtime_ns / 1000000u));
}

/* The next frame from what is pending and the state slots; false: nothing new. */
static bool build_frame(console *c)
{
    uint64_t *last_top = c->top_updated, *last_bar = c->bar_updated;
    uint64_t seq = c->frame_seq + 1;
    con_text *t = &c->frames[seq % CON_FRAMES];
    t->len = 0;
    con_printf(t, CON_FRAME_MAX, "{\"type\":\"frame\",\"seq\":%" PRIu64 ",\"t\":%" PRIu64 ",\"md\":{", seq,
               tf_realtime_ns() / 1000000u);
    bool any = false, first = true;
    for (uint32_t id = 0; id < c->src.md.count && id < QS_MAX_INSTRUMENTS; id++) {
        const tf_md_instrument_info *in = oob_source_instrument(&c->src, id);
        if (!in)
            continue;
        con_pending *p = &c->pending[id];
        size_t mark = t->len;
        con_printf(t, CON_FRAME_MAX, "%s\"%s\":{", first ? "" : ",", in->symbol);
        bool fields = false;
        const tf_state_slot *slot = c->src.state ? tf_state_find(c->src.state, TF_STATE_MD_TOP, in->symbol) : NULL;
        tf_md_top top;
        uint64_t upd;
        if (slot && tf_state_read(slot, &top, sizeof top, 1000, &upd) == TF_STATE_OK && upd != last_top[id]) {
            last_top[id] = upd;
            put_top(t, &top, in);
            fields = true;
        }
        slot = c->src.state ? tf_state_find(c->src.state, TF_STATE_MD_BAR, in->symbol) : NULL;
        tf_md_bar bar;
        if (slot && tf_state_read(slot, &bar, sizeof bar, 1000, &upd) == TF_STATE_OK && upd != last_bar[id] &&
            bar.open_time_ns) {
            last_bar[id] = upd;
            char json[QS_JSON_MAX];
            size_t n = redis_bar_json(json, sizeof json, &bar, in);
            if (n) {
                con_printf(t, CON_FRAME_MAX, "%s\"bar\":", fields ? "," : "");
                con_put(t, json, n, CON_FRAME_MAX);
                fields = true;
            }
        }
        if (c->books[id] && c->books[id]->changed) {
            c->books[id]->changed = false;
            if (fields)
                con_put(t, ",", 1, CON_FRAME_MAX);
            console_book_json(c, t, id);
            fields = true;
        }
        if (p->nbars) {
            con_printf(t, CON_FRAME_MAX, "%s\"bars\":[", fields ? "," : "");
            con_put(t, p->bars.p, p->bars.len, CON_FRAME_MAX);
            con_put(t, "]", 1, CON_FRAME_MAX);
            fields = true;
        }
        if (p->ntrades) {
            con_printf(t, CON_FRAME_MAX, "%s\"trades\":[", fields ? "," : "");
            con_put(t, p->trades.p, p->trades.len, CON_FRAME_MAX);
            con_put(t, "]", 1, CON_FRAME_MAX);
            fields = true;
        }
        if (p->overflow)
            c->resyncs++;
        p->trades.len = p->bars.len = 0;
        p->ntrades = p->nbars = 0;
        p->overflow = false;
        if (!fields) {
            t->len = mark;
            continue;
        }
        con_put(t, "}", 1, CON_FRAME_MAX);
        first = false;
        any = true;
    }
    if (!con_put(t, "}}", 2, CON_FRAME_MAX)) {
        c->resyncs++; /* too big to send: everyone starts over from history */
        return false;
    }
    if (any)
        c->frame_seq = seq;
    return any;
}

/* tfstat's frame, every 500 ms. */
static bool build_state(console *c, uint64_t now_ns)
{
    if (now_ns - c->last_state_ns < 500000000ull)
        return false;
    c->last_state_ns = now_ns;
    if (!c->view_open) {
        /* No engine yet (or held down): wait quietly, view_open would say so twice a second. */
        char path[512];
        if (tf_segment_path(path, sizeof path, c->cfg.shm_dir, c->cfg.instance, TF_SEG_STATS) != 0 ||
            access(path, R_OK) != 0)
            return false;
        if (view_open(&c->view, "tfconsole", c->cfg.shm_dir, c->cfg.instance) != 0) {
            view_close(&c->view);
            return false;
        }
        c->view_open = true;
        view_take_sample(&c->view, &c->samples[c->cur ^ 1]);
        return false;
    }
    if (tf_segment_owner(&c->view.stats_seg, tf_now_ns(), NULL) != TF_OWNER_LIVE &&
        view_replaced(&c->view, c->cfg.shm_dir, c->cfg.instance)) {
        view_close(&c->view); /* a new engine: open it next time */
        c->view_open = false;
        return false;
    }
    view_sample *cur = &c->samples[c->cur], *prev = &c->samples[c->cur ^ 1];
    view_take_sample(&c->view, cur);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return false;
    fputs("{\"type\":\"state\",\"state\":", f);
    tfstat_json_frame(f, &c->view, cur, prev, c->cfg.shm_dir);
    fclose(f);
    c->state.len = 0;
    bool ok = con_put(&c->state, buf, len, 8u << 20);
    free(buf);
    /* The trading view's: open orders, the fills and PnL points since the last state. */
    con_put(&c->state, ",\"open_orders\":", 15, 8u << 20);
    console_open_orders(c, &c->state);
    con_put(&c->state, ",\"fills\":[", 10, 8u << 20);
    uint64_t after = c->fills_framed ? c->fills[(c->fills_framed - 1) % CON_FILLS].seq : 0;
    console_fills(c, &c->state, after);
    c->fills_framed = c->fill_total;
    con_put(&c->state, "],\"pnl\":[", 9, 8u << 20);
    console_pnl(c, &c->state, c->pnl_framed);
    c->pnl_framed = c->pnl_total;
    ok = ok && con_put(&c->state, "]}", 2, 8u << 20);
    c->cur ^= 1;
    if (ok)
        c->state_seq++;
    return ok;
}

bool console_poll(console *c, uint64_t now_ns)
{
    tf_journal_slot *rec = (tf_journal_slot *)c->rec;
    if (!c->src.attached && now_ns - c->md_try_ns > 200000000ull) {
        c->md_try_ns = now_ns;
        if (oob_source_attach(&c->src, 0, 0) < 0)
            fprintf(stderr, "tfconsole: %s\n", tf_err_msg());
    }
    for (int got = 0; got < 65536; got++) {
        oob_read_rc rc = oob_source_read(&c->src, rec);
        if (rc == OOB_READ_OK) {
            take(c, rec);
        } else if (rc == OOB_READ_NEW_JOURNAL) {
            qs_store_clear(&c->store);
            memset(c->trade_total, 0, sizeof c->trade_total);
            c->resyncs++;
        } else if (rc != OOB_READ_GAP) {
            break;
        }
    }
    console_record_poll(c);
    console_pnl_sample(c, now_ns);
    bool news = build_state(c, now_ns);
    uint64_t period = 1000000000ull / c->cfg.export_.console.rate_hz;
    if (now_ns - c->frame_ns >= period) {
        c->frame_ns = now_ns;
        news |= build_frame(c);
    }
    return news;
}

uint32_t console_instruments(const console *c)
{
    return c->src.md.count < QS_MAX_INSTRUMENTS ? c->src.md.count : QS_MAX_INSTRUMENTS;
}

const char *console_symbol(const console *c, uint32_t id)
{
    return id < console_instruments(c) && c->src.md.info[id].symbol[0] ? c->src.md.info[id].symbol : NULL;
}

void console_hello(console *c, con_text *t, bool operator_)
{
    t->len = 0;
    con_printf(t, CON_FRAME_MAX,
               "{\"type\":\"hello\",\"instance\":\"%s\",\"journal\":\"%" PRIu64 "\",\"operator\":%s,\"instruments\":[",
               c->cfg.instance, c->src.journal_id, operator_ ? "true" : "false");
    bool first = true;
    for (uint32_t id = 0; id < console_instruments(c); id++) {
        const tf_md_instrument_info *in = oob_source_instrument(&c->src, id);
        if (!in)
            continue;
        con_printf(t, CON_FRAME_MAX,
                   "%s{\"id\":%u,\"symbol\":\"%s\",\"exchange\":\"%s\",\"price_precision\":%u,\"qty_precision\":%u}",
                   first ? "" : ",", id, in->symbol, in->venue, in->price_precision, in->qty_precision);
        first = false;
    }
    con_put(t, "]}", 2, CON_FRAME_MAX);
}

void console_history(console *c, con_text *t, uint32_t id, uint64_t after)
{
    t->len = 0;
    const tf_md_instrument_info *in = oob_source_instrument(&c->src, id);
    if (!in || id >= QS_MAX_INSTRUMENTS)
        return;
    const qs_bar *first;
    bool complete;
    uint32_t n = qs_store_bars(&c->store, id, 0, UINT64_MAX, c->store.hot_bars, &first, &complete);
    uint64_t total = c->trade_total[id], from = total > CON_TRADES ? total - CON_TRADES : 0;
    /* A gap: the browser drew trades up to `after`, and the oldest kept is
     * further on (journal sequences of other records lie between: a gap is
     * only when the first kept trade is beyond the browser's and something
     * of this instrument was dropped from the ring). */
    bool gap = after && from > 0 && c->trades[id][from % CON_TRADES].seq > after;
    con_printf(t, CON_FRAME_MAX, "{\"type\":\"history\",\"symbol\":\"%s\",\"gap\":%s,\"bars\":[", in->symbol,
               gap ? "true" : "false");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            con_put(t, ",", 1, CON_FRAME_MAX);
        con_put(t, first[i].json, first[i].json_len, CON_FRAME_MAX);
    }
    con_put(t, "],\"trades\":[", 12, CON_FRAME_MAX);
    bool any = false;
    for (uint64_t i = from; i < total; i++) {
        const con_trade *tr = &c->trades[id][i % CON_TRADES];
        if (tr->seq <= after || !tr->len)
            continue;
        if (any)
            con_put(t, ",", 1, CON_FRAME_MAX);
        con_put(t, tr->json, tr->len, CON_FRAME_MAX);
        any = true;
    }
    con_put(t, "],", 2, CON_FRAME_MAX);
    console_book_json(c, t, id);
    con_put(t, "}", 1, CON_FRAME_MAX);
}

void console_record_history(console *c, con_text *t, uint64_t after_fill_seq)
{
    t->len = 0;
    con_put(t, "{\"type\":\"record\",\"fills\":[", 26, CON_FRAME_MAX);
    console_fills(c, t, after_fill_seq);
    con_put(t, "],\"pnl\":[", 9, CON_FRAME_MAX);
    console_pnl(c, t, 0);
    con_put(t, "]}", 2, CON_FRAME_MAX);
}
