/* TradeFan Engine — in-engine strategy plugin ABI (version 1).
 *
 * A plugin is a shared object the engine loads at start (orders.plugin in
 * the config) and runs on the strategy stage's thread: it sees every
 * market-data record the feed journals, the order events of its own
 * strategy id, and submits orders through `host` — into the same risk gate
 * every other order passes. This is the lowest tick-to-order path; a
 * strategy in another process uses the client library (tradefan/client.h).
 *
 * Rules (the hot path's): callbacks must not block, allocate, lock or log;
 * they run between other stages' work on the same thread. Prices and
 * quantities are integers in the instrument's units (see
 * tf_plugin_instrument); records are the structs of shm/records.h and
 * shm/orders.h.
 *
 * The object exports one symbol, `tradefan_plugin`, returning its table. */
#ifndef TRADEFAN_PLUGIN_H
#define TRADEFAN_PLUGIN_H

#include <stdint.h>

struct tf_algo_params;

/* 2 appended the parent-order calls to tf_plugin_host; a plugin built for
 * ABI 1 still loads (it never reads them). */
#define TF_PLUGIN_ABI_VERSION 2u

typedef struct tf_plugin_instrument {
    uint32_t id;
    uint8_t price_precision, qty_precision;
    char symbol[16];
    int64_t tick_size, lot_size, min_notional;   /* price / qty units */
} tf_plugin_instrument;

typedef struct tf_plugin_host {
    uint32_t abi_version;
    uint32_t strategy;                 /* the strategy id this plugin's orders carry */
    uint32_t instrument_count;
    const tf_plugin_instrument *instruments;
    void *host;                        /* pass back to the calls below */
    /* Each returns the client request id (> 0), or 0 when the ring to the
     * risk gate is full (counted; try again on a later record). The
     * outcome arrives as order events: accepted (with the order id) or
     * rejected (with the reason). */
    uint64_t (*submit_new)(void *host, uint32_t instrument, int side, int type, int tif,
                           int64_t price, int64_t qty);
    uint64_t (*cancel)(void *host, uint64_t order_id);
    uint64_t (*replace)(void *host, uint64_t order_id, int64_t price, int64_t qty);
    /* ABI 2: parent orders (shm/parents.h: an execution algorithm the
     * engine's algo stage runs; needs the `algo` stage). The answer is a
     * parent_accepted event (the parent's id in order_id) or a rejection;
     * its progress comes as parent_state events, its children as orders
     * whose accepted event carries the parent in `arg`. submit_parent takes
     * two request ids (the parameters, then the parent) and returns the
     * parent's. control_parent: tf_algo_action; AMEND's 0 = unchanged. */
    uint64_t (*submit_parent)(void *host, const struct tf_algo_params *params);
    uint64_t (*control_parent)(void *host, uint64_t parent_id, int action, int64_t qty, int64_t limit_price,
                               uint64_t end_ns);
} tf_plugin_host;

struct tf_order_event;

typedef struct tf_plugin {
    uint32_t abi_version;              /* TF_PLUGIN_ABI_VERSION */
    const char *name;
    /* Cold: parameters from orders.plugin_params; NULL refuses to start
     * (write why to stderr). */
    void *(*init)(const tf_plugin_host *host, const char *params);
    /* Every market-data record: `type` a tf_rec_type, `record` its struct. */
    void (*on_market_data)(void *self, uint16_t type, const void *record);
    /* Every event of this strategy's orders. At start, each of its orders
     * still open after a restart (rebuilt from the order journal) comes once
     * as an event of kind new (TF_EV_NEW) carrying the order's state. */
    void (*on_order_event)(void *self, const struct tf_order_event *ev);
    void (*fini)(void *self);
} tf_plugin;

typedef const tf_plugin *(*tf_plugin_entry)(void);

#endif
