#include "tools/oob/hot_store.h"

#include <stdlib.h>
#include <string.h>

#include <inttypes.h>
#include <stdio.h>

#include "shm/fixed.h"
#include "shm/journal.h"
#include "tools/oob/redis_cmds.h"

int qs_store_init(qs_store *st, uint32_t hot_bars, uint32_t hot_trades)
{
    memset(st, 0, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    st->hot_bars = hot_bars;
    st->hot_trades = hot_trades;
    for (uint32_t i = 0; i < QS_MAX_INSTRUMENTS; i++) {
        st->s[i].bars = calloc(hot_bars, sizeof(qs_bar));
        st->s[i].trades = calloc(hot_trades, sizeof(qs_trade));
        if (!st->s[i].bars || !st->s[i].trades)
            return -1;
    }
    return 0;
}

void qs_store_free(qs_store *st)
{
    for (uint32_t i = 0; i < QS_MAX_INSTRUMENTS; i++) {
        free(st->s[i].bars);
        free(st->s[i].trades);
    }
    pthread_mutex_destroy(&st->lock);
}

void qs_store_clear(qs_store *st)
{
    for (uint32_t i = 0; i < QS_MAX_INSTRUMENTS; i++) {
        st->s[i].bar_count = 0;
        st->s[i].trade_total = 0;
        st->s[i].oldest_complete_ns = 0;
    }
}

static void render_bar(qs_bar *q, const tf_md_bar *b, const tf_md_instrument_info *in)
{
    q->bar = *b;
    q->json_len = (uint16_t)redis_bar_json(q->json, sizeof q->json, b, in);
}

static void add_bar(qs_store *st, const tf_md_bar *b, const tf_md_instrument_info *in)
{
    if (b->instrument >= QS_MAX_INSTRUMENTS || (b->flags & TF_BAR_FROM_VENUE))
        return;
    qs_series *s = &st->s[b->instrument];
    /* Find its place from the newest end (bars come nearly in order). */
    uint32_t i = s->bar_count;
    while (i > 0 && s->bars[i - 1].bar.open_time_ns > b->open_time_ns)
        i--;
    if (i > 0 && s->bars[i - 1].bar.open_time_ns == b->open_time_ns) {
        render_bar(&s->bars[i - 1], b, in); /* a revision */
        return;
    }
    if (s->bar_count == st->hot_bars) {
        if (i == 0)
            return; /* older than everything kept */
        memmove(&s->bars[0], &s->bars[1], (size_t)(i - 1) * sizeof *s->bars);
        i--;
    } else {
        memmove(&s->bars[i + 1], &s->bars[i], (size_t)(s->bar_count - i) * sizeof *s->bars);
        s->bar_count++;
    }
    render_bar(&s->bars[i], b, in);
    /* Memory is complete from its oldest bar on (nothing older is kept). */
    s->oldest_complete_ns = s->bars[0].bar.open_time_ns;
}

void qs_store_add(qs_store *st, const tf_journal_slot *rec, const tf_md_instrument_info *in)
{
    st->records++;
    if (!in)
        return;
    if (rec->type == TF_REC_MD_BAR) {
        add_bar(st, (const tf_md_bar *)rec->payload, in);
    } else if (rec->type == TF_REC_MD_TRADE) {
        const tf_md_trade *t = (const tf_md_trade *)rec->payload;
        if (t->instrument >= QS_MAX_INSTRUMENTS)
            return;
        qs_series *s = &st->s[t->instrument];
        qs_trade *q = &s->trades[s->trade_total++ % st->hot_trades];
        q->trade = *t;
        char px[48], qty[48];
        tf_fixed_format(px, sizeof px, t->price, in->price_precision);
        tf_fixed_format(qty, sizeof qty, t->qty, in->qty_precision);
        int n = snprintf(q->json, sizeof q->json,
                         "{\"id\":%" PRIu64 ",\"price\":\"%s\",\"qty\":\"%s\",\"side\":\"%s\",\"time\":%" PRIu64 "}",
                         t->trade_id, px, qty, t->flags & TF_MD_BUYER_MAKER ? "sell" : "buy",
                         (uint64_t)(t->trade_time_ns / 1000000u));
        q->json_len = n > 0 && (size_t)n < sizeof q->json ? (uint16_t)n : 0;
    }
}

uint32_t qs_store_bars(const qs_store *st, uint32_t instrument, uint64_t start_ns, uint64_t end_ns,
                       uint32_t limit, const qs_bar **first, bool *complete)
{
    const qs_series *s = &st->s[instrument];
    *complete = s->bar_count && start_ns >= s->oldest_complete_ns;
    uint32_t lo = 0, hi = s->bar_count;
    while (lo < s->bar_count && s->bars[lo].bar.open_time_ns < start_ns)
        lo++;
    while (hi > lo && s->bars[hi - 1].bar.open_time_ns > end_ns)
        hi--;
    if (hi - lo > limit)
        lo = hi - limit;
    *first = &s->bars[lo];
    return hi - lo;
}

uint32_t qs_store_trade_count(const qs_store *st, uint32_t instrument, uint32_t limit)
{
    const qs_series *s = &st->s[instrument];
    uint64_t have = s->trade_total < st->hot_trades ? s->trade_total : st->hot_trades;
    return have < limit ? (uint32_t)have : limit;
}

const qs_trade *qs_store_trade(const qs_store *st, uint32_t instrument, uint32_t n, uint32_t i)
{
    const qs_series *s = &st->s[instrument];
    return &s->trades[(s->trade_total - n + i) % st->hot_trades];
}
