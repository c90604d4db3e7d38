#include "tools/query/store.h"

#include <stdlib.h>
#include <string.h>

#include "shm/journal.h"

int qs_store_init(qs_store *st, uint32_t hot_bars, uint32_t hot_trades)
{
    memset(st, 0, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    st->hot_bars = hot_bars;
    st->hot_trades = hot_trades;
    for (uint32_t i = 0; i < QS_MAX_INSTRUMENTS; i++) {
        st->s[i].bars = calloc(hot_bars, sizeof(tf_md_bar));
        st->s[i].trades = calloc(hot_trades, sizeof(tf_md_trade));
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

static void add_bar(qs_store *st, const tf_md_bar *b)
{
    if (b->instrument >= QS_MAX_INSTRUMENTS || (b->flags & TF_BAR_FROM_VENUE))
        return;
    qs_series *s = &st->s[b->instrument];
    /* Find its place from the newest end (bars come nearly in order). */
    uint32_t i = s->bar_count;
    while (i > 0 && s->bars[i - 1].open_time_ns > b->open_time_ns)
        i--;
    if (i > 0 && s->bars[i - 1].open_time_ns == b->open_time_ns) {
        s->bars[i - 1] = *b; /* a revision */
        return;
    }
    if (s->bar_count == st->hot_bars) {
        if (i == 0)
            return; /* older than everything kept */
        memmove(&s->bars[0], &s->bars[1], (size_t)(i - 1) * sizeof *b);
        i--;
    } else {
        memmove(&s->bars[i + 1], &s->bars[i], (size_t)(s->bar_count - i) * sizeof *b);
        s->bar_count++;
    }
    s->bars[i] = *b;
    /* Memory is complete from its oldest bar on, once it has dropped one
     * (before that, from the first bar it ever saw). */
    s->oldest_complete_ns = s->bars[0].open_time_ns;
}

void qs_store_add(qs_store *st, const tf_journal_slot *rec)
{
    st->records++;
    if (rec->type == TF_REC_MD_BAR) {
        add_bar(st, (const tf_md_bar *)rec->payload);
    } else if (rec->type == TF_REC_MD_TRADE) {
        const tf_md_trade *t = (const tf_md_trade *)rec->payload;
        if (t->instrument >= QS_MAX_INSTRUMENTS)
            return;
        qs_series *s = &st->s[t->instrument];
        s->trades[s->trade_total++ % st->hot_trades] = *t;
    }
}

uint32_t qs_store_bars(const qs_store *st, uint32_t instrument, uint64_t start_ns, uint64_t end_ns,
                       uint32_t limit, const tf_md_bar **first, bool *complete)
{
    const qs_series *s = &st->s[instrument];
    *complete = s->bar_count && start_ns >= s->oldest_complete_ns;
    uint32_t lo = 0, hi = s->bar_count;
    while (lo < s->bar_count && s->bars[lo].open_time_ns < start_ns)
        lo++;
    while (hi > lo && s->bars[hi - 1].open_time_ns > end_ns)
        hi--;
    if (hi - lo > limit)
        lo = hi - limit;
    *first = &s->bars[lo];
    return hi - lo;
}

uint32_t qs_store_trades(const qs_store *st, uint32_t instrument, uint32_t limit, tf_md_trade *out)
{
    const qs_series *s = &st->s[instrument];
    uint64_t have = s->trade_total < st->hot_trades ? s->trade_total : st->hot_trades;
    uint32_t n = have < limit ? (uint32_t)have : limit;
    for (uint32_t i = 0; i < n; i++)
        out[i] = s->trades[(s->trade_total - n + i) % st->hot_trades];
    return n;
}
