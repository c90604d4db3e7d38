/* Config section readers and cross-key checks: the rows the generic walker
 * cannot read alone (idle strategies, threads and their stages, feed
 * streams, instruments, risk limits per instrument and per strategy) and
 * the rules that span several keys (the order path's stages, URLs, secrets,
 * default paths under export.run_dir). Every failure goes through
 * tf__cfg_fail, so it carries the offending node's line and column.
 */
#include "lib/conf/config_internal.h"

#include <stdio.h>
#include <string.h>

#include <strings.h>

#include "lib/base/schedule.h"
#include "lib/fix/fix_store.h"
#include "shm/err.h"
#include "shm/fixed.h"
#include "shm/orders.h"

int tf__cfg_idle(tf__cfg_ctx *c, yaml_node_t *n, tf_cfg_idle *idle, const char *where)
{
    if (tf__cfg_str(n)) /* "idle: backoff": the strategy alone, default parameters */
        return tf__cfg_value(c, &tf__cfg_idle_keys[0], n, (char *)idle, where);
    if (n->type != YAML_MAPPING_NODE)
        return tf__cfg_fail(c, n, "%s must be a strategy name or a mapping, got a list", where);
    if (tf__cfg_map(c, n, tf__cfg_idle_keys, (char *)idle, where) != 0)
        return -1;
    if (idle->park_min_ns > idle->park_max_ns)
        return tf__cfg_fail(c, n, "%s: park_min_ns %llu is above park_max_ns %llu", where,
                            (unsigned long long)idle->park_min_ns, (unsigned long long)idle->park_max_ns);
    return 0;
}

int tf__cfg_stages(tf__cfg_ctx *c, yaml_node_t *n, tf_cfg_thread *t)
{
    char list[128];
    if (n->type != YAML_SEQUENCE_NODE)
        return tf__cfg_fail(c, n, "stages of thread '%s' must be a list, got %s", t->name, tf__cfg_got(c, n));
    if (tf__cfg_count(n) == 0)
        return tf__cfg_fail(c, n, "thread '%s' has no stages", t->name);
    if (tf__cfg_count(n) > TF_CFG_MAX_STAGES)
        return tf__cfg_fail(c, tf__cfg_node(c, n->data.sequence.items.start[TF_CFG_MAX_STAGES]),
                            "too many stages on thread '%s' (at most %d)", t->name, TF_CFG_MAX_STAGES);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *sn = tf__cfg_node(c, *it);
        const char *s = tf__cfg_str(sn);
        if (!s)
            return tf__cfg_fail(c, sn, "a stage must be a name, got %s", tf__cfg_got(c, sn));
        size_t i = 0;
        while (i < TF_STAGE_KIND_COUNT && strcmp(s, tf_config_known_stages[i]) != 0)
            i++;
        if (i == TF_STAGE_KIND_COUNT)
            return tf__cfg_fail(c, sn, "unknown stage %s (known: %s)", tf__cfg_got(c, sn),
                                tf__cfg_join(list, sizeof list, tf_config_known_stages, sizeof(char *)));
        if (c->placed[i].thread == t->name)
            return tf__cfg_fail(c, sn, "stage '%s' is listed twice on thread '%s' (lines %zu and %zu)",
                                s, t->name, c->placed[i].line, sn->start_mark.line + 1);
        if (c->placed[i].thread)
            return tf__cfg_fail(c, sn, "stage '%s' runs on two threads ('%s' line %zu and '%s' line %zu)",
                                s, c->placed[i].thread, c->placed[i].line, t->name,
                                sn->start_mark.line + 1);
        c->placed[i].thread = t->name;
        c->placed[i].line = sn->start_mark.line + 1;
        t->stages[t->stage_count++] = (tf_stage_kind)i;
    }
    return 0;
}

int tf__cfg_threads(tf__cfg_ctx *c, yaml_node_t *n)
{
    tf_config *cfg = c->cfg;
    if (n->type != YAML_SEQUENCE_NODE)
        return tf__cfg_fail(c, n, "threads must be a list, got %s", tf__cfg_got(c, n));
    if (tf__cfg_count(n) == 0)
        return tf__cfg_fail(c, n, "threads must list at least one thread");
    if (tf__cfg_count(n) > TF_CFG_MAX_THREADS)
        return tf__cfg_fail(c, tf__cfg_node(c, n->data.sequence.items.start[TF_CFG_MAX_THREADS]),
                            "too many threads (at most %d)", TF_CFG_MAX_THREADS);
    for (uint32_t i = 0; i < tf__cfg_count(n); i++) {
        yaml_node_t *tn = tf__cfg_node(c, n->data.sequence.items.start[i]);
        tf_cfg_thread *t = &cfg->threads[i];
        char where[24];
        snprintf(where, sizeof where, "threads[%u]", i);
        *t = tf__cfg_default_thread;
        if (tf__cfg_map(c, tn, tf__cfg_thread_keys, (char *)t, where) != 0)
            return -1;
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(cfg->threads[j].name, t->name) == 0)
                return tf__cfg_fail(c, tf__cfg_find(c, tn, "name"), "thread name '%s' is used twice "
                                    "(threads[%u] and threads[%u])", t->name, j, i);
        cfg->thread_count = i + 1;
    }
    return 0;
}

int tf__cfg_streams(tf__cfg_ctx *c, yaml_node_t *n, uint32_t *bits, const char *name)
{
    char list[128];
    if (n->type != YAML_SEQUENCE_NODE || tf__cfg_count(n) == 0)
        return tf__cfg_fail(c, n, "%s must be a non-empty list of stream names, got %s", name,
                            tf__cfg_got(c, n));
    *bits = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *sn = tf__cfg_node(c, *it);
        const char *s = tf__cfg_str(sn);
        uint32_t i = 0;
        while (s && i < TF_STREAM_COUNT && strcmp(s, tf_feed_stream_names[i]) != 0)
            i++;
        if (!s || i == TF_STREAM_COUNT)
            return tf__cfg_fail(c, sn, "unknown stream %s in %s (known: %s)", tf__cfg_got(c, sn), name,
                                tf__cfg_join(list, sizeof list, tf_feed_stream_names, sizeof(char *)));
        if (*bits & (1u << i))
            return tf__cfg_fail(c, sn, "stream '%s' is listed twice in %s", s, name);
        *bits |= 1u << i;
    }
    if ((*bits & (1u << TF_STREAM_DEPTH_100MS)) && (*bits & (1u << TF_STREAM_DEPTH_1S)))
        return tf__cfg_fail(c, n, "%s: choose one of depth@100ms and depth (both feed the same book)", name);
    return 0;
}

/* One instrument after its mapping was read: decimals to units, sanity, uniqueness. */
/* What the config makes us send must be in the venue's dictionary
 * (exchange.profile): refused here, at start, rather than by a strict
 * venue at every Logon. */
static int tf__cfg_check_profile(tf__cfg_ctx *c, yaml_node_t *at, const tf_cfg_exchange *xc)
{
    uint32_t p = xc->profile;
    const char *name = tf_exchange_profile_names[p < TF_PROFILE_COUNT ? p : 0];
    bool tfsim = p == TF_PROFILE_TFSIM;
    if (xc->cancel_on_disconnect && p != TF_PROFILE_COINBASE && !tfsim)
        return tf__cfg_fail(c, at, "exchange.cancel_on_disconnect sends tag 8013 (CancelOrdersOnDisconnect), "
                                   "which venue profile %s does not accept (coinbase and tfsim do)", name);
    if (xc->replace == TF_REPLACE_CANCEL_NEW && p != TF_PROFILE_BINANCE && !tfsim)
        return tf__cfg_fail(c, at, "exchange.replace cancel_new sends Binance's XCN message and tags 25033/25034, "
                                   "which venue profile %s does not accept (binance and tfsim do)", name);
    if (xc->logon == TF_LOGON_ED25519 && p != TF_PROFILE_BINANCE && !tfsim)
        return tf__cfg_fail(c, at, "exchange.logon ed25519 sends Binance's tag 25035, which venue profile %s "
                                   "does not accept (binance and tfsim do)", name);
    return 0;
}

static int tf__cfg_instrument_item(tf__cfg_ctx *c, yaml_node_t *in, void *elem, uint32_t i, const char *where)
{
    tf_config *cfg = c->cfg;
    tf_cfg_instrument *ins = elem;
    if (tf__cfg_decimal(c, in, "tick_size", ins->tick_size_text, ins->price_precision, where,
                        &ins->tick_size) != 0 ||
        tf__cfg_decimal(c, in, "lot_size", ins->lot_size_text, ins->qty_precision, where,
                        &ins->lot_size) != 0 ||
        tf__cfg_decimal(c, in, "min_notional", ins->min_notional_text, ins->price_precision, where,
                        &ins->min_notional) != 0 ||
        tf__cfg_decimal(c, in, "max_price", ins->max_price_text, ins->price_precision, where,
                        &ins->max_price) != 0)
        return -1;
    if (ins->tick_size <= 0)
        return tf__cfg_fail(c, tf__cfg_find(c, in, "tick_size"), "%s.tick_size must be above 0", where);
    if (ins->lot_size <= 0)
        return tf__cfg_fail(c, tf__cfg_find(c, in, "lot_size"), "%s.lot_size must be above 0", where);
    for (uint32_t j = 0; j < i; j++)
        if (strcasecmp(cfg->instruments[j].symbol, ins->symbol) == 0 &&
            strcmp(cfg->instruments[j].venue, ins->venue) == 0)
            return tf__cfg_fail(c, tf__cfg_find(c, in, "symbol"), "instrument %s on %s is listed twice "
                                "(instruments[%u] and instruments[%u])", ins->symbol, ins->venue, j, i);
    return 0;
}

int tf__cfg_instruments(tf__cfg_ctx *c, yaml_node_t *n)
{
    tf_config *cfg = c->cfg;
    return tf__cfg_list(c, n, "instruments", TF_CFG_MAX_INSTRUMENTS, cfg->instruments,
                        sizeof *cfg->instruments, &tf__cfg_default_instrument, tf__cfg_instrument_keys,
                        tf__cfg_instrument_item, &cfg->instrument_count);
}

/* Limits of one instrument: it must be configured, once; decimals at its precision. */
static int tf__cfg_risk_instrument_item(tf__cfg_ctx *c, yaml_node_t *in, void *elem, uint32_t i,
                                        const char *where)
{
    tf_cfg_risk *r = &c->cfg->risk;
    tf_cfg_risk_instrument *ri = elem;
    const tf_cfg_instrument *ins = NULL;
    for (uint32_t k = 0; k < c->cfg->instrument_count; k++)
        if (strcasecmp(c->cfg->instruments[k].symbol, ri->symbol) == 0) {
            ins = &c->cfg->instruments[k];
            ri->instrument = k;
        }
    if (!ins)
        return tf__cfg_fail(c, tf__cfg_find(c, in, "symbol"), "%s.symbol %s is not in instruments", where,
                            ri->symbol);
    for (uint32_t j = 0; j < i; j++)
        if (r->instruments[j].instrument == ri->instrument)
            return tf__cfg_fail(c, tf__cfg_find(c, in, "symbol"), "%s: %s already has limits", where,
                                ri->symbol);
    if (tf__cfg_decimal(c, in, "min_qty", ri->min_qty_text, ins->qty_precision, where, &ri->min_qty) ||
        tf__cfg_decimal(c, in, "max_order_qty", ri->max_order_qty_text, ins->qty_precision, where,
                        &ri->max_order_qty) ||
        tf__cfg_decimal(c, in, "max_position", ri->max_position_text, ins->qty_precision, where,
                        &ri->max_position) ||
        tf__cfg_decimal(c, in, "max_order_notional", ri->max_order_notional_text, TF_MONEY_PRECISION,
                        where, &ri->max_order_notional))
        return -1;
    return 0;
}

int tf__cfg_risk_instruments(tf__cfg_ctx *c, yaml_node_t *n)
{
    tf_cfg_risk *r = &c->cfg->risk;
    return tf__cfg_list(c, n, "risk.instruments", TF_CFG_MAX_INSTRUMENTS, r->instruments,
                        sizeof *r->instruments, &tf__cfg_default_risk_instrument, tf__cfg_risk_instrument_keys,
                        tf__cfg_risk_instrument_item, &r->instrument_count);
}

/* One strategy's limits: a unique id; money decimals. */
static int tf__cfg_strategy_item(tf__cfg_ctx *c, yaml_node_t *sn, void *elem, uint32_t i, const char *where)
{
    tf_cfg_risk *r = &c->cfg->risk;
    tf_cfg_strategy *st = elem;
    for (uint32_t j = 0; j < i; j++)
        if (r->strategies[j].id == st->id)
            return tf__cfg_fail(c, tf__cfg_find(c, sn, "id"), "%s: strategy id %u is listed twice", where,
                                st->id);
    if (tf__cfg_decimal(c, sn, "max_order_notional", st->max_order_notional_text, TF_MONEY_PRECISION,
                        where, &st->max_order_notional) ||
        tf__cfg_decimal(c, sn, "max_position_notional", st->max_position_notional_text,
                        TF_MONEY_PRECISION, where, &st->max_position_notional) ||
        tf__cfg_decimal(c, sn, "daily_loss_limit", st->daily_loss_limit_text, TF_MONEY_PRECISION,
                        where, &st->daily_loss_limit))
        return -1;
    return 0;
}

int tf__cfg_strategies(tf__cfg_ctx *c, yaml_node_t *n)
{
    tf_cfg_risk *r = &c->cfg->risk;
    return tf__cfg_list(c, n, "risk.strategies", TF_CFG_MAX_STRATEGIES - 1, r->strategies,
                        sizeof *r->strategies, NULL, tf__cfg_strategy_keys, tf__cfg_strategy_item,
                        &r->strategy_count);
}

/* The order path's stages come as a set; money limits to units. */
static int tf__cfg_order_checks(tf__cfg_ctx *c, yaml_node_t *root)
{
    tf_config *cfg = c->cfg;
    bool strategy = tf_config_has_stage(cfg, TF_STAGE_STRATEGY);
    bool risk = tf_config_has_stage(cfg, TF_STAGE_RISK);
    bool oms = tf_config_has_stage(cfg, TF_STAGE_OMS);
    bool paper = tf_config_has_stage(cfg, TF_STAGE_PAPER);
    bool exio = tf_config_has_stage(cfg, TF_STAGE_EXIO);
    yaml_node_t *th = tf__cfg_find(c, root, "threads");
    bool venue = paper || exio;
    if (paper && exio)
        return tf__cfg_fail(c, th, "one venue stage: paper (dry run) or exio (FIX to the exchange), not both");
    if ((risk || oms || venue) && !(risk && oms && venue))
        return tf__cfg_fail(c, th, "the order path needs the stages risk, oms and a venue (paper or exio) "
                                   "together (every order passes the risk gate; the OMS needs a venue)");
    if (strategy && !risk)
        return tf__cfg_fail(c, th, "the strategy stage needs the order path (risk, oms, paper or exio)");
    if (cfg->orders.algo_iceberg == TF_ALGO_ICEBERG_NATIVE && (!exio || cfg->exchange.iceberg == TF_ICEBERG_NONE))
        return tf__cfg_fail(c, tf__cfg_find(c, root, "orders") ? tf__cfg_find(c, root, "orders") : root,
                            "orders.algo_iceberg native asks the venue for its own icebergs: it needs the exio "
                            "stage and exchange.iceberg max_floor (the venue's word that it takes them)");
    if (tf_config_has_stage(cfg, TF_STAGE_ALGO) && !risk)
        return tf__cfg_fail(c, th, "the algo stage needs the order path (risk, oms, paper or exio)");
    yaml_node_t *xn = tf__cfg_find(c, root, "exchange");
    tf_cfg_exchange *xc = &cfg->exchange;
    if (xc->reconnect_min_ns > xc->reconnect_max_ns)
        return tf__cfg_fail(c, xn ? xn : root, "exchange.reconnect_min_ms is above exchange.reconnect_max_ms");
    if (xc->logon == TF_LOGON_ED25519 && !xc->key_file[0])
        return tf__cfg_fail(c, xn ? xn : root, "exchange.logon ed25519 needs exchange.key_file (a PEM private key)");
    if (strlen(xc->sender_comp_id) >= TF_FIX_COMP_ID_MAX || strlen(xc->target_comp_id) >= TF_FIX_COMP_ID_MAX)
        return tf__cfg_fail(c, xn ? xn : root, "exchange: CompIDs are at most %u characters", TF_FIX_COMP_ID_MAX - 1);
    if (xc->message_burst == 0)
        xc->message_burst = xc->messages_per_s;
    if (tf__cfg_check_profile(c, xn ? xn : root, xc) != 0)
        return -1;
    /* The Logon's signing key is checked here, when the config is read, so
     * an exposed key stops the engine at start instead of at its first
     * Logon (exio loads it later through lib/fix). */
    if (xc->key_file[0] && tf_config_private_file_check(xc->key_file, "exchange.key_file") != 0) {
        yaml_node_t *kn = xn ? tf__cfg_find(c, xn, "key_file") : NULL;
        return tf__cfg_fail(c, kn ? kn : xn ? xn : root, "%s", tf_err_msg());
    }
    if (xc->schedule_start[0] || xc->schedule_end[0]) {
        static tf_schedule sched; /* ~24 KB of transitions: not on the stack */
        char why[160];
        if (tf_schedule_parse(&sched, xc->schedule_start, xc->schedule_end, xc->schedule_zone, why, sizeof why) != 0)
            return tf__cfg_fail(c, tf__cfg_find(c, xn, "schedule") ? tf__cfg_find(c, xn, "schedule") : xn,
                                "exchange.schedule: %s", why);
    }
    if (!xc->store_dir[0] &&
        snprintf(xc->store_dir, sizeof xc->store_dir, "%.200s/fix", cfg->export_.run_dir) >= (int)sizeof xc->store_dir)
        return tf__cfg_fail(c, xn ? xn : root, "exchange.store_dir: export.run_dir is too long");
    if (strategy && !cfg->orders.plugin[0])
        return tf__cfg_fail(c, tf__cfg_find(c, root, "orders") ? tf__cfg_find(c, root, "orders") : th,
                            "the strategy stage needs orders.plugin (a shared object)");
    yaml_node_t *on = tf__cfg_find(c, root, "orders");
    yaml_node_t *rn = tf__cfg_find(c, root, "risk");
    if (tf__cfg_decimal(c, on ? on : root, "maker_fee_bps", cfg->orders.maker_fee_bps_text, 2, "orders",
                        &cfg->orders.maker_fee_cbps) ||
        tf__cfg_decimal(c, on ? on : root, "taker_fee_bps", cfg->orders.taker_fee_bps_text, 2, "orders",
                        &cfg->orders.taker_fee_cbps) ||
        tf__cfg_decimal(c, rn ? rn : root, "max_gross_exposure", cfg->risk.max_gross_exposure_text,
                        TF_MONEY_PRECISION, "risk", &cfg->risk.max_gross_exposure) ||
        tf__cfg_decimal(c, rn ? rn : root, "daily_loss_limit", cfg->risk.daily_loss_limit_text,
                        TF_MONEY_PRECISION, "risk", &cfg->risk.daily_loss_limit))
        return -1;
    if (risk)
        for (uint32_t i = 0; i < cfg->instrument_count; i++)
            if (cfg->instruments[i].price_precision > TF_MONEY_PRECISION)
                return tf__cfg_fail(c, th, "instruments[%u]: the order path handles price_precision up "
                                       "to %u", i, TF_MONEY_PRECISION);
    if (!cfg->orders.id_file[0] &&
        snprintf(cfg->orders.id_file, sizeof cfg->orders.id_file, "%.200s/order_ids",
                 cfg->export_.run_dir) >= (int)sizeof cfg->orders.id_file)
        return tf__cfg_fail(c, on ? on : root, "orders.id_file: export.run_dir is too long");
    if (!cfg->backup.dir[0] &&
        snprintf(cfg->backup.dir, sizeof cfg->backup.dir, "%.200s/backups", cfg->export_.run_dir) >=
            (int)sizeof cfg->backup.dir)
        return tf__cfg_fail(c, root, "backup.dir: export.run_dir is too long");
    if (!cfg->orders.algo_store[0] &&
        snprintf(cfg->orders.algo_store, sizeof cfg->orders.algo_store, "%.200s/algo_parents",
                 cfg->export_.run_dir) >= (int)sizeof cfg->orders.algo_store)
        return tf__cfg_fail(c, on ? on : root, "orders.algo_store: export.run_dir is too long");
    return 0;
}

/* Rules that span several keys. */
int tf__cfg_cross_checks(tf__cfg_ctx *c, yaml_node_t *root)
{
    const tf_config *cfg = c->cfg;
    if (tf_config_has_stage(cfg, TF_STAGE_FEED) && cfg->instrument_count == 0)
        return tf__cfg_fail(c, tf__cfg_find(c, root, "threads"),
                            "the feed stage needs at least one entry in instruments");
    if (cfg->feed.reconnect_min_ns > cfg->feed.reconnect_max_ns)
        return tf__cfg_fail(c, tf__cfg_find(c, root, "feed"),
                            "feed.reconnect_min_ms is above feed.reconnect_max_ms");
    if (strncmp(cfg->feed.url, "ws://", 5) != 0 && strncmp(cfg->feed.url, "wss://", 6) != 0)
        return tf__cfg_fail(c, tf__cfg_find(c, root, "feed"), "feed.url must start with ws:// or wss://, got \"%s\"",
                            cfg->feed.url);
    if (cfg->feed.rx_timestamps && cfg->feed.transport != TF_FEED_TRANSPORT_LWS)
        return tf__cfg_fail(c, tf__cfg_find(c, root, "feed"),
                            "feed.rx_timestamps reads the kernel's stamps beside libwebsockets' reads: it needs "
                            "feed.transport: lws");
    if (strncmp(cfg->feed.rest_url, "http://", 7) != 0 && strncmp(cfg->feed.rest_url, "https://", 8) != 0)
        return tf__cfg_fail(c, tf__cfg_find(c, root, "feed"),
                            "feed.rest_url must start with http:// or https://, got \"%s\"", cfg->feed.rest_url);
    const tf_cfg_export *ex = &cfg->export_;
    yaml_node_t *exn = tf__cfg_find(c, root, "export");
    if (strncmp(ex->influx.url, "http://", 7) != 0 && strncmp(ex->influx.url, "https://", 8) != 0)
        return tf__cfg_fail(c, exn, "export.influx.url must start with http:// or https://, got \"%s\"",
                            ex->influx.url);
    if (ex->influx.retry_min_ns > ex->influx.retry_max_ns)
        return tf__cfg_fail(c, exn, "export.influx.retry_min_ms is above export.influx.retry_max_ms");
    if (ex->redis.retry_min_ns > ex->redis.retry_max_ns)
        return tf__cfg_fail(c, exn, "export.redis.retry_min_ms is above export.redis.retry_max_ms");
    if (ex->influx.downsample && ex->influx.retention_policy[0])
        return tf__cfg_fail(c, exn, "export.influx.downsample chooses the retention policies (tf_raw, tf_bars, "
                                    "autogen): remove export.influx.retention_policy \"%s\"",
                            ex->influx.retention_policy);
    if (ex->influx.downsample && ex->influx.bars_days && ex->influx.bars_days < ex->influx.raw_days)
        return tf__cfg_fail(c, exn, "export.influx.bars_days (%u) is shorter than raw_days (%u): the bars "
                                    "would go before the raw data they are made of", ex->influx.bars_days,
                            ex->influx.raw_days);
    if (ex->influx.api == 2 && (!ex->influx.org[0] || (!ex->influx.token.file[0] && !ex->influx.token.env[0])))
        return tf__cfg_fail(c, exn, "export.influx.api 2 (InfluxDB 2.x) needs export.influx.org and "
                                    "export.influx.token ({file: ...} or {env: ...})");
    if (ex->influx.api == 2 && (ex->influx.downsample || ex->influx.local))
        return tf__cfg_fail(c, exn, "export.influx.api 2: set local false and downsample false (InfluxDB 2.x "
                                    "downsamples with tasks, not continuous queries; README: Beyond one box)");
    if (ex->redis.cluster && ex->redis.db != 0)
        return tf__cfg_fail(c, exn, "export.redis.db is %u but a Redis Cluster has only database 0 "
                                    "(export.redis.cluster is true)", ex->redis.db);
    if (ex->redis.cluster && ex->redis.local)
        return tf__cfg_fail(c, exn, "export.redis.cluster needs export.redis.local false: the supervisor "
                                    "starts one Redis, not a cluster");
    const struct { const tf_cfg_secret *s; const char *name; } secrets[] = {
        {&ex->influx.password, "export.influx.password"}, {&ex->influx.token, "export.influx.token"},
        {&ex->redis.password, "export.redis.password"},
        {&ex->query.token, "export.query.token"}, {&ex->console.token, "export.console.token"},
        {&ex->console.operator_token, "export.console.operator_token"}};
    for (size_t i = 0; i < sizeof secrets / sizeof *secrets; i++)
        if (secrets[i].s->file[0] && secrets[i].s->env[0])
            return tf__cfg_fail(c, exn, "%s: give file or env, not both", secrets[i].name);
    if (!ex->run_dir[0])
        snprintf(c->cfg->export_.run_dir, sizeof ex->run_dir, "run/%s", cfg->instance);
    return tf__cfg_order_checks(c, root);
}

const tf__cfg_readers tf__cfg_section_readers = {
    .idle = tf__cfg_idle,
    .stages = tf__cfg_stages,
    .threads = tf__cfg_threads,
    .streams = tf__cfg_streams,
    .instruments = tf__cfg_instruments,
    .risk_instruments = tf__cfg_risk_instruments,
    .strategies = tf__cfg_strategies,
};
