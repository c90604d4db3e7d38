/* Sample in-engine strategy (include/tradefan/plugin.h): a quoting loop.
 *
 * Every `every`-th trade of `symbol` it either places a limit order
 * `offset_ticks` away from the trade price — buying and selling in turn,
 * so its position stays near flat — or, while that order still works,
 * cancels it. Parameters (orders.plugin_params): "symbol=BTCUSDT,every=10,
 * offset_ticks=5,qty_lots=10". With twap_lots=N,twap_s=S it also buys N
 * lots once, at its first trade, as a TWAP parent over S seconds (slices of
 * S/10 s, at the touch): how a plugin hands a large order to the algo
 * stage. Hot path: no allocation after init, no I/O. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "include/tradefan/plugin.h"
#include "shm/orders.h"
#include "shm/parents.h"
#include "shm/records.h"

typedef struct sample {
    const tf_plugin_host *host;
    uint32_t instrument;
    uint32_t every, offset_ticks, qty_lots;
    uint64_t trades;
    uint64_t working_id;      /* the order working now (0: none) */
    uint64_t pending_req;     /* a request not answered yet */
    int next_side;
    uint32_t twap_lots, twap_s;
    uint64_t twap_req;        /* the TWAP parent's request (0: not sent) */
} sample;

static int sample_param(const char *params, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = params; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            snprintf(out, cap, "%.*s", (int)(len - kl - 1), p + kl + 1);
            return 1;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static void *sample_init(const tf_plugin_host *host, const char *params)
{
    sample *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->host = host;
    s->every = 10;
    s->offset_ticks = 5;
    s->qty_lots = 10;
    char v[32] = "";
    s->instrument = UINT32_MAX;
    if (!sample_param(params, "symbol", v, sizeof v) && host->instrument_count)
        snprintf(v, sizeof v, "%s", host->instruments[0].symbol);
    for (uint32_t i = 0; i < host->instrument_count; i++)
        if (strcasecmp(host->instruments[i].symbol, v) == 0)
            s->instrument = i;
    if (s->instrument == UINT32_MAX) {
        fprintf(stderr, "sample_strategy: symbol \"%s\" is not an instrument of this engine\n", v);
        free(s);
        return NULL;
    }
    if (sample_param(params, "every", v, sizeof v))
        s->every = (uint32_t)strtoul(v, NULL, 10);
    if (sample_param(params, "offset_ticks", v, sizeof v))
        s->offset_ticks = (uint32_t)strtoul(v, NULL, 10);
    if (sample_param(params, "qty_lots", v, sizeof v))
        s->qty_lots = (uint32_t)strtoul(v, NULL, 10);
    if (sample_param(params, "twap_lots", v, sizeof v))
        s->twap_lots = (uint32_t)strtoul(v, NULL, 10);
    s->twap_s = 60;
    if (sample_param(params, "twap_s", v, sizeof v))
        s->twap_s = (uint32_t)strtoul(v, NULL, 10);
    if (s->twap_lots && (host->abi_version < 2 || !host->submit_parent || !s->twap_s)) {
        fprintf(stderr, "sample_strategy: twap_lots needs an ABI 2 engine and twap_s above 0\n");
        free(s);
        return NULL;
    }
    if (s->every == 0 || s->qty_lots == 0) {
        fprintf(stderr, "sample_strategy: every and qty_lots must be above 0\n");
        free(s);
        return NULL;
    }
    return s;
}

static void sample_on_md(void *self, uint16_t type, const void *record)
{
    sample *s = self;
    if (type != TF_REC_MD_TRADE)
        return;
    const tf_md_trade *t = record;
    const tf_plugin_instrument *in = &s->host->instruments[s->instrument];
    if (t->instrument == s->instrument && s->twap_lots && !s->twap_req) {
        uint64_t now = t->trade_time_ns; /* the venue's clock: the wall clock, near enough for a horizon */
        tf_algo_params p = {.kind = TF_ALGO_TWAP, .side = TF_BUY, .price_style = TF_ALGO_PX_TOUCH,
                            .instrument = s->instrument, .qty = (int64_t)s->twap_lots * in->lot_size,
                            .end_ns = now + (uint64_t)s->twap_s * 1000000000ull,
                            .slice_ns = (uint64_t)s->twap_s * 100000000ull,
                            .resubmit_ns = (uint64_t)s->twap_s * 50000000ull};
        s->twap_req = s->host->submit_parent(s->host->host, &p);
    }
    if (t->instrument != s->instrument || ++s->trades % s->every != 0 || s->pending_req)
        return;
    if (s->working_id) {
        s->pending_req = s->host->cancel(s->host->host, s->working_id);
        return;
    }
    int side = s->next_side;
    int64_t off = (int64_t)s->offset_ticks * in->tick_size;
    int64_t px = side == TF_BUY ? t->price - off : t->price + off;
    px -= px % in->tick_size;
    s->pending_req = s->host->submit_new(s->host->host, s->instrument, side, TF_LIMIT, TF_GTC, px,
                                         (int64_t)s->qty_lots * in->lot_size);
    if (s->pending_req)
        s->next_side = !side;
}

static void sample_on_event(void *self, const struct tf_order_event *ev)
{
    sample *s = self;
    if (ev->client_req_id == s->pending_req)
        s->pending_req = 0;
    if (ev->kind == TF_EV_ACCEPTED || (ev->kind == TF_EV_NEW && !s->working_id &&
                                       ev->instrument == s->instrument))
        s->working_id = ev->order_id; /* placed now, or still working after a restart */
    else if (ev->order_id == s->working_id &&
             (ev->state == TF_OS_FILLED || ev->state == TF_OS_CANCELED ||
              ev->state == TF_OS_REJECTED || ev->state == TF_OS_EXPIRED))
        s->working_id = 0;
}

static void sample_fini(void *self) { free(self); }

static const tf_plugin sample_plugin = {
    .abi_version = TF_PLUGIN_ABI_VERSION, .name = "sample_strategy", .init = sample_init,
    .on_market_data = sample_on_md, .on_order_event = sample_on_event, .fini = sample_fini};

const tf_plugin *tradefan_plugin(void);
const tf_plugin *tradefan_plugin(void) { return &sample_plugin; }
