/* Order-journal records → Redis commands (see redis_cmds.h, "The trading
 * record"). Idempotent like the market-data commands: hashes are
 * overwritten or their fields deleted, and a fill's stream id is derived
 * from the journal, so a resent batch changes nothing twice. */
#include <stdio.h>
#include <string.h>

#include "shm/orders.h"
#include "shm/parents.h"
#include "tools/oob/redis_cmds.h"
#include "tools/oob/resp.h"

static size_t put_fixed(char *out, size_t cap, int64_t v, unsigned precision)
{
    return tf_fixed_format(out, cap, v, precision);
}

/* {"order_id":..,"strategy":..,"side":"buy",...} of the order after the event. */
static size_t order_json(char *out, size_t cap, const tf_order_event *ev, const tf_md_instrument_info *in)
{
    char px[48], qty[48], filled[48];
    put_fixed(px, sizeof px, ev->price, in->price_precision);
    put_fixed(qty, sizeof qty, ev->qty, in->qty_precision);
    put_fixed(filled, sizeof filled, ev->cum_qty, in->qty_precision);
    int n = snprintf(out, cap,
                     "{\"order_id\":%llu,\"client_req_id\":%llu,\"strategy\":%u,\"symbol\":\"%s\",\"side\":\"%s\","
                     "\"type\":\"%s\",\"price\":\"%s\",\"qty\":\"%s\",\"filled\":\"%s\",\"status\":\"%s\","
                     "\"updated_ns\":%llu}",
                     (unsigned long long)ev->order_id, (unsigned long long)ev->client_req_id, ev->strategy,
                     in->symbol, ev->side ? "sell" : "buy", ev->type ? "market" : "limit", px, qty, filled,
                     ev->state < TF_OS_COUNT ? tf_ord_state_names[ev->state] : "?",
                     (unsigned long long)ev->realtime_ns);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* HSET key field value: one command. */
static void hset(resp_buf *b, const char *key, const char *field, const char *value, size_t n)
{
    cmd c;
    cmd_begin(&c, b);
    arg_s(&c, "HSET");
    arg_s(&c, key);
    arg_s(&c, field);
    arg(&c, value, n);
    cmd_end(&c);
}

static bool final_state(uint8_t s)
{
    return s == TF_OS_FILLED || s == TF_OS_CANCELED || s == TF_OS_REJECTED || s == TF_OS_EXPIRED;
}

static int order_cmds(const redis_cmds *rc, resp_buf *b, const tf_order_event *ev, const tf_md_instrument_info *in)
{
    if (!ev->order_id)
        return 0; /* refused before it became an order: nothing open */
    char k[RC_KEY_MAX], id[24], json[512];
    redis_key(k, sizeof k, "orders:open", rc->instance, in->venue, in->symbol, NULL);
    snprintf(id, sizeof id, "%llu", (unsigned long long)ev->order_id);
    cmd c;
    cmd_begin(&c, b);
    if (final_state(ev->state)) {
        arg_s(&c, "HDEL");
        arg_s(&c, k);
        arg_s(&c, id);
    } else {
        size_t n = order_json(json, sizeof json, ev, in);
        if (!n) {
            b->len = c.start;
            return 0;
        }
        arg_s(&c, "HSET");
        arg_s(&c, k);
        arg_s(&c, id);
        arg(&c, json, n);
    }
    cmd_end(&c);
    return 1;
}

static int fill_cmds(redis_cmds *rc, resp_buf *b, const tf_order_event *ev, uint64_t seq,
                     const tf_md_instrument_info *in)
{
    char k[RC_KEY_MAX], sid[48];
    redis_key(k, sizeof k, "orders:fills", rc->instance, in->venue, in->symbol, NULL);
    /* Stream ids grow with the journal: its ms, then its sequence. */
    uint64_t ms = ev->realtime_ns / 1000000u;
    if (ms < rc->fills_ms)
        ms = rc->fills_ms;
    rc->fills_ms = ms;
    snprintf(sid, sizeof sid, "%llu-%llu", (unsigned long long)ms, (unsigned long long)seq);
    cmd c;
    cmd_begin(&c, b);
    arg_s(&c, "XADD");
    arg_s(&c, k);
    arg_s(&c, "MAXLEN");
    arg_s(&c, "~");
    arg_i(&c, rc->trades_maxlen);
    arg_s(&c, sid);
    arg_s(&c, "order_id");
    arg_i(&c, (int64_t)ev->order_id);
    arg_s(&c, "strategy");
    arg_i(&c, ev->strategy);
    arg_s(&c, "side");
    arg_s(&c, ev->side ? "sell" : "buy");
    arg_s(&c, "price");
    arg_fixed(&c, ev->last_px, in->price_precision);
    arg_s(&c, "qty");
    arg_fixed(&c, ev->last_qty, in->qty_precision);
    arg_s(&c, "fee");
    arg_fixed(&c, ev->fee, TF_MONEY_PRECISION);
    arg_s(&c, "liquidity");
    arg_s(&c, ev->reason == 1 ? "maker" : ev->reason == 2 ? "taker" : "unknown");
    arg_s(&c, "time_ns");
    arg_i(&c, (int64_t)ev->realtime_ns);
    cmd_end(&c);
    return 1;
}

/* positions:{<instance>:<exchange>:<symbol>} field <strategy>, and
 * pnl:{<instance>}:<strategy> field <exchange>:<symbol>: the latest after
 * each fill. */
static int position_cmds(const redis_cmds *rc, resp_buf *b, const tf_order_event *ev, const tf_md_instrument_info *in)
{
    char qty[48], avg[48], mark[48], real[48], unreal[48], fees[48], json[512], k[RC_KEY_MAX], f[96];
    put_fixed(qty, sizeof qty, ev->qty, in->qty_precision);
    put_fixed(avg, sizeof avg, ev->price, in->price_precision);
    put_fixed(mark, sizeof mark, ev->last_px, in->price_precision);
    put_fixed(real, sizeof real, ev->arg, TF_MONEY_PRECISION);
    put_fixed(unreal, sizeof unreal, ev->cum_qty, TF_MONEY_PRECISION);
    put_fixed(fees, sizeof fees, ev->fee, TF_MONEY_PRECISION);
    int n = snprintf(json, sizeof json,
                     "{\"strategy\":%u,\"symbol\":\"%s\",\"qty\":\"%s\",\"avg_price\":\"%s\",\"mark_price\":\"%s\","
                     "\"realized\":\"%s\",\"unrealized\":\"%s\",\"fees\":\"%s\",\"updated_ns\":%llu}",
                     ev->strategy, in->symbol, qty, avg, mark, real, unreal, fees,
                     (unsigned long long)ev->realtime_ns);
    if (n <= 0 || (size_t)n >= sizeof json)
        return 0;
    char s[12];
    snprintf(s, sizeof s, "%u", ev->strategy);
    redis_key(k, sizeof k, "positions", rc->instance, in->venue, in->symbol, NULL);
    hset(b, k, s, json, (size_t)n);
    redis_key(k, sizeof k, "pnl", rc->instance, s, NULL, NULL);
    snprintf(f, sizeof f, "%s:%s", in->venue, in->symbol);
    hset(b, k, f, json, (size_t)n);
    return 2;
}

/* parents:{<instance>}:<strategy> field <parent id>: a parent's latest
 * (JSON), written on every parent event; a finished parent stays with its
 * final state. */
static int parent_cmds(const redis_cmds *rc, resp_buf *b, const tf_order_event *ev, const tf_md_instrument_info *in)
{
    char a[48], c2[48], json[384], k[RC_KEY_MAX], f[24], s[12];
    int n;
    if (ev->kind == TF_EV_PARENT_STATE) {
        put_fixed(a, sizeof a, ev->cum_qty, in->qty_precision);
        put_fixed(c2, sizeof c2, ev->last_px, in->price_precision);
        n = snprintf(json, sizeof json,
                     "{\"parent_id\":%llu,\"symbol\":\"%s\",\"side\":\"%s\",\"state\":\"%s\",\"filled\":\"%s\","
                     "\"avg_price\":\"%s\",\"slippage_bp\":%.3f,\"updated_ns\":%llu}",
                     (unsigned long long)ev->order_id, in->symbol, ev->side ? "sell" : "buy",
                     ev->reason < TF_ALGO_STATE_END ? tf_algo_state_names[ev->reason] : "?", a, c2,
                     (double)ev->arg / 1000.0, (unsigned long long)ev->realtime_ns);
    } else {
        put_fixed(a, sizeof a, ev->qty, in->qty_precision);
        put_fixed(c2, sizeof c2, ev->price, in->price_precision);
        n = snprintf(json, sizeof json,
                     "{\"parent_id\":%llu,\"symbol\":\"%s\",\"side\":\"%s\",\"%s\":\"%s\",\"qty\":\"%s\","
                     "\"limit_price\":\"%s\",\"updated_ns\":%llu}",
                     (unsigned long long)ev->order_id, in->symbol, ev->side ? "sell" : "buy",
                     ev->kind == TF_EV_PARENT_ACCEPTED ? "algo" : "action",
                     ev->kind == TF_EV_PARENT_ACCEPTED
                         ? (ev->reason < TF_ALGO_KIND_END ? tf_algo_kind_names[ev->reason] : "?")
                         : (ev->reason < TF_ALGO_ACT_END ? tf_algo_action_names[ev->reason] : "?"),
                     a, c2, (unsigned long long)ev->realtime_ns);
    }
    if (n <= 0 || (size_t)n >= sizeof json)
        return 0;
    snprintf(s, sizeof s, "%u", ev->strategy);
    redis_key(k, sizeof k, "parents", rc->instance, s, NULL, NULL);
    snprintf(f, sizeof f, "%llu", (unsigned long long)ev->order_id);
    hset(b, k, f, json, (size_t)n);
    return 1;
}

int redis_cmds_order(redis_cmds *rc, resp_buf *b, const tf_journal_slot *rec, const tf_md_instrument_info *in)
{
    if (rec->length < sizeof(tf_order_event))
        return 0;
    tf_order_event ev;
    memcpy(&ev, rec->payload, sizeof ev);
    if (ev.kind == TF_EV_POSITION)
        return position_cmds(rc, b, &ev, in);
    if (ev.kind >= TF_EV_PARENT_ACCEPTED && ev.kind <= TF_EV_PARENT_STATE)
        return in ? parent_cmds(rc, b, &ev, in) : 0;
    if (ev.kind == TF_EV_OUT_OF_BAND_FILL)
        return fill_cmds(rc, b, &ev, rec->seq, in);
    if (ev.kind == 0 || (ev.kind > TF_EV_EXPIRED && ev.kind != TF_EV_RESOLVED))
        return 0;
    int n = order_cmds(rc, b, &ev, in);
    if (ev.kind == TF_EV_FILL)
        n += fill_cmds(rc, b, &ev, rec->seq, in);
    return n;
}
