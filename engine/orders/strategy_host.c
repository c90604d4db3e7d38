/* The strategy stage; see strategy_host.h. */
#include "engine/orders/strategy_host.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "shm/err.h"
#include "shm/orders.h"
#include "shm/parents.h"
#include "shm/records.h"

static uint64_t tf__submit(tf_strategy_host *h, uint32_t type, const void *b, size_t n)
{
    struct tf_request q = {.type = type, .source_id = h->host.strategy,
                           .client_seq = h->next_req_id, .t_sent_ns = tf_now_ns()};
    if (h->h_decide && h->called_ns && q.t_sent_ns >= h->called_ns)
        tf_hist_record(h->h_decide, q.t_sent_ns - h->called_ns);
    memcpy(q.body, b, n);
    if (!tf_spsc_offer(h->out, &q, sizeof q)) {
        if (h->c_ring_full)
            tf_counter_inc(h->c_ring_full, 1);
        return 0;
    }
    if (h->c_submitted)
        tf_counter_inc(h->c_submitted, 1);
    return h->next_req_id++;
}

static uint64_t tf__new(void *host, uint32_t instrument, int side, int type, int tif, int64_t price,
                        int64_t qty)
{
    tf_strategy_host *h = host;
    tf_req_order b = {.instrument = instrument, .side = (uint8_t)side, .type = (uint8_t)type,
                      .tif = (uint8_t)tif, .price = price, .qty = qty, .t_md_ns = h->current_md_ns};
    return tf__submit(h, TF_REQ_NEW, &b, sizeof b);
}

static uint64_t tf__cancel(void *host, uint64_t order_id)
{
    tf_req_order b = {.order_id = order_id, .t_md_ns = ((tf_strategy_host *)host)->current_md_ns};
    return tf__submit(host, TF_REQ_CANCEL, &b, sizeof b);
}

static uint64_t tf__replace(void *host, uint64_t order_id, int64_t price, int64_t qty)
{
    tf_req_order b = {.order_id = order_id, .price = price, .qty = qty,
                      .t_md_ns = ((tf_strategy_host *)host)->current_md_ns};
    return tf__submit(host, TF_REQ_REPLACE, &b, sizeof b);
}

static uint64_t tf__parent(void *host, const tf_algo_params *p)
{
    tf_req_algo b;
    tf_req_algo_params x;
    tf_algo_params_split(p, &b, &x);
    /* The parameters, then the parent with the next id: the gate pairs them. */
    if (!tf_spsc_can_offer(((tf_strategy_host *)host)->out) || !tf__submit(host, TF_REQ_ALGO_PARAMS, &x, sizeof x))
        return 0;
    return tf__submit(host, TF_REQ_ALGO_NEW, &b, sizeof b);
}

static uint64_t tf__control_parent(void *host, uint64_t parent_id, int action, int64_t qty, int64_t limit_price,
                                   uint64_t end_ns)
{
    tf_req_algo_control b = {.parent_id = parent_id, .action = (uint32_t)action, .qty = qty,
                             .limit_price = limit_price, .end_ns = end_ns};
    return tf__submit(host, TF_REQ_ALGO_CONTROL, &b, sizeof b);
}

/* The record's hops: every market-data record carries them. */
static const tf_md_hops *tf__hops(uint16_t type, const void *p)
{
    switch (type) {
    case TF_REC_MD_TRADE: return &((const tf_md_trade *)p)->hops;
    case TF_REC_MD_QUOTE: return &((const tf_md_quote *)p)->hops;
    case TF_REC_MD_DEPTH: return &((const tf_md_depth *)p)->hops;
    default: return NULL;
    }
}

void tf_strategy_host_on_md(tf_strategy_host *h, uint16_t type, const void *payload)
{
    const tf_md_hops *hops = tf__hops(type, payload);
    h->current_md_ns = hops ? hops->recv_ns : 0;
    h->called_ns = h->h_md_wait || h->h_decide ? tf_now_ns() : 0;
    if (h->h_md_wait && hops && h->called_ns >= hops->published_ns && hops->published_ns)
        tf_hist_record(h->h_md_wait, h->called_ns - hops->published_ns);
    h->plugin->on_market_data(h->self, type, payload);
    h->current_md_ns = 0;
    h->called_ns = 0;
}

void tf_strategy_host_adopt(tf_strategy_host *h, const tf_order *o)
{
    if (o->strategy != h->host.strategy || !h->plugin->on_order_event)
        return;
    tf_order_event ev = {.order_id = o->order_id, .client_req_id = o->client_req_id,
                         .strategy = o->strategy, .instrument = o->instrument, .kind = TF_EV_NEW,
                         .state = o->state, .side = o->side, .type = o->type, .tif = o->tif,
                         .flags = o->flags, .price = o->price, .qty = o->qty, .cum_qty = o->cum_qty,
                         .realtime_ns = o->updated_realtime_ns};
    h->plugin->on_order_event(h->self, &ev);
}

static int tf__poll(tf_stage *self, uint64_t now)
{
    tf_strategy_host *h = self->ctx;
    (void)now;
    if (!h->following) {
        tf_journal_reader_init(&h->md_reader, h->md, TF_JOURNAL_FROM_LIVE);
        if (h->orders)
            tf_journal_reader_init(&h->order_reader, h->orders, TF_JOURNAL_FROM_LIVE);
        h->following = true;
    }
    int work = 0;
    tf_journal_slot *s = (tf_journal_slot *)h->rec;
    for (int n = 0; n < 64; n++) {
        tf_journal_read_rc rc = tf_journal_read(&h->order_reader, s);
        if (rc == TF_JR_EMPTY || !h->orders)
            break;
        if (rc != TF_JR_OK || s->type != TF_REC_ORDER_EVENT)
            continue;
        const tf_order_event *ev = (const tf_order_event *)s->payload;
        if (ev->strategy != h->host.strategy || !h->plugin->on_order_event)
            continue;
        work++;
        if (h->c_events)
            tf_counter_inc(h->c_events, 1);
        h->plugin->on_order_event(h->self, ev);
    }
    for (int n = 0; n < 64; n++) {
        tf_journal_read_rc rc = tf_journal_read(&h->md_reader, s);
        if (rc == TF_JR_EMPTY)
            break;
        if (rc != TF_JR_OK)
            continue;
        work++;
        if (h->c_md)
            tf_counter_inc(h->c_md, 1);
        tf_strategy_host_on_md(h, s->type, s->payload);
    }
    return work;
}

int tf_strategy_host_init(tf_stage *stage, tf_strategy_host *h, const tf_config *cfg,
                          const tf_instruments *ins, tf_stats *stats, tf_ring *out,
                          const tf_journal *md, const tf_journal *orders)
{
    memset(h, 0, sizeof *h);
    h->out = out;
    h->md = md;
    h->orders = orders;
    h->next_req_id = tf_realtime_ns();
    h->rec = calloc(1, md->slot_size > (orders ? orders->slot_size : 0) ? md->slot_size
                                                                         : orders->slot_size);
    if (!h->rec)
        return TF_ERR("strategy: out of memory");
    h->dl = dlopen(cfg->orders.plugin, RTLD_NOW | RTLD_LOCAL);
    if (!h->dl) {
        free(h->rec);
        return TF_ERR("strategy plugin %s: %s", cfg->orders.plugin, dlerror());
    }
    tf_plugin_entry entry = (tf_plugin_entry)dlsym(h->dl, "tradefan_plugin");
    h->plugin = entry ? entry() : NULL;
    if (!h->plugin || h->plugin->abi_version < 1 || h->plugin->abi_version > TF_PLUGIN_ABI_VERSION || !h->plugin->init ||
        !h->plugin->on_market_data) {
        int rc = TF_ERR("strategy plugin %s: %s", cfg->orders.plugin,
                        !entry ? "no tradefan_plugin symbol"
                        : !h->plugin ? "tradefan_plugin returned NULL"
                                     : "ABI version or callbacks do not match this engine (ABI 1 or 2)");
        tf_strategy_host_close(h);
        return rc;
    }
    for (uint32_t i = 0; i < ins->count; i++) {
        const tf_instrument *in = &ins->items[i];
        tf_plugin_instrument *pi = &h->instruments[i];
        pi->id = i;
        pi->price_precision = in->price_precision;
        pi->qty_precision = in->qty_precision;
        memcpy(pi->symbol, in->symbol, sizeof pi->symbol);
        pi->tick_size = in->tick_size;
        pi->lot_size = in->lot_size;
        pi->min_notional = in->min_notional;
    }
    h->host = (tf_plugin_host){.abi_version = TF_PLUGIN_ABI_VERSION,
                               .strategy = cfg->orders.plugin_strategy,
                               .instrument_count = ins->count, .instruments = h->instruments,
                               .host = h, .submit_new = tf__new, .cancel = tf__cancel,
                               .replace = tf__replace, .submit_parent = tf__parent,
                               .control_parent = tf__control_parent};
    h->self = h->plugin->init(&h->host, cfg->orders.plugin_params);
    if (!h->self) {
        tf_strategy_host_close(h);
        return TF_ERR("strategy plugin %s refused its parameters \"%s\"", cfg->orders.plugin,
                      cfg->orders.plugin_params);
    }
    if (stats && stage) {
        const tf_counter_reg regs[] = {
            {&h->c_md, TF_CTR_STRATEGY_MD_RECORDS, NULL},
            {&h->c_submitted, TF_CTR_STRATEGY_SUBMITTED, NULL},
            {&h->c_ring_full, TF_CTR_STRATEGY_RING_FULL, NULL},
            {&h->c_events, TF_CTR_STRATEGY_ORDER_EVENTS, NULL},
        };
        if (tf_stats_add_counters(stats, stage->owner, regs, TF_ARRAY_LEN(regs)) != 0 ||
            !(h->h_md_wait = tf_stats_add_hist(stats, stage->owner, TF_HIST_STRATEGY_MD_WAIT_NS, NULL)) ||
            !(h->h_decide = tf_stats_add_hist(stats, stage->owner, TF_HIST_STRATEGY_DECIDE_NS, NULL))) {
            tf_strategy_host_close(h);
            return -1; /* the message names the counter; the engine adds the stage */
        }
    }
    if (stage) {
        stage->poll = tf__poll;
        stage->drain = NULL;
        stage->ctx = h;
    }
    return 0;
}

void tf_strategy_host_close(tf_strategy_host *h)
{
    if (h->plugin && h->self && h->plugin->fini)
        h->plugin->fini(h->self);
    if (h->dl)
        dlclose(h->dl);
    free(h->rec);
    memset(h, 0, sizeof *h);
}
