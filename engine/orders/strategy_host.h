/* The strategy stage: hosts one in-engine strategy plugin
 * (include/tradefan/plugin.h). It follows the market-data journal from the
 * live end and the order journal for its strategy's events, calls the
 * plugin, and passes what it submits to the risk gate over an SPSC ring,
 * each request stamped with the market-data record that caused it (so the
 * OMS measures tick-to-order). Client request ids start at the wall clock
 * in ns, so they keep increasing across restarts. */
#ifndef TF_ENGINE_STRATEGY_HOST_H
#define TF_ENGINE_STRATEGY_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "engine/md/instruments.h"
#include "engine/runtime/stage.h"
#include "include/tradefan/plugin.h"
#include "shm/journal.h"
#include "shm/orders.h"
#include "shm/ring.h"
#include "shm/stats.h"

typedef struct tf_strategy_host {
    void *dl;
    const tf_plugin *plugin;
    void *self;
    tf_plugin_host host;
    tf_plugin_instrument instruments[TF_MAX_INSTRUMENTS];
    tf_ring *out;
    const tf_journal *md, *orders;
    tf_journal_reader md_reader, order_reader;
    bool following;
    uint8_t *rec;
    uint64_t next_req_id;
    uint64_t current_md_ns;          /* recv_ns of the record being handled (the tick's origin) */
    uint64_t called_ns;              /* when the plugin was called with it (0: not in a call) */
    uint64_t *c_md, *c_submitted, *c_ring_full, *c_events;
    tf_hist *h_md_wait, *h_decide;   /* journal -> plugin called, called -> request sent */
} tf_strategy_host;

/* Cold: dlopen the plugin, check its ABI, call init. */
int tf_strategy_host_init(tf_stage *stage, tf_strategy_host *h, const tf_config *cfg,
                          const tf_instruments *ins, tf_stats *stats, tf_ring *out,
                          const tf_journal *md, const tf_journal *orders);
void tf_strategy_host_close(tf_strategy_host *h);
/* Restart (cold): tell the plugin about one of its orders still open after
 * the journal replay — an event of kind TF_EV_NEW with the order's state. */
void tf_strategy_host_adopt(tf_strategy_host *h, const tf_order *o);
/* Hand one market-data record to the plugin (benches call this directly). */
void tf_strategy_host_on_md(tf_strategy_host *h, uint16_t type, const void *payload);

#endif
