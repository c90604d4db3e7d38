/* tfsim exchange: the object, accounts, order records, the ClOrdID map,
 * the ring of finished orders, the orders dump and the counters (see
 * exchange.h and exchange_int.h for the design). Everything is allocated in
 * exchange_create; the pools are calloc'd and handed out in order, so pages
 * are touched only as orders arrive. Lookups: a ClOrdID is hashed with its
 * account (FNV-1a) into a bucket list; an OrderID names its slot directly. */
#include "tools/tfsim/exchange/exchange_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/json_text.h"
#include "lib/fix/fix_sign.h"
#include "shm/err.h"
#include "tools/tfsim/fmt.h"

exchange *ex_new(sim *s, const exchange_md_ops *md, const x_app_ops *app)
{
    exchange *x = calloc(1, sizeof *x);
    if (!x) {
        fprintf(stderr, "tfsim: out of memory for the exchange\n");
        return NULL;
    }
    x->s = s;
    x->app = app;
    if (md)
        x->md = *md;
    snprintf(x->comp_id, sizeof x->comp_id, "%s", s->fix.comp_id ? s->fix.comp_id : "TFSIM");
    x->maker_rate = (int64_t)llround(s->fix.maker_fee_bps * 1e4);
    x->taker_rate = (int64_t)llround(s->fix.taker_fee_bps * 1e4);
    if (s->fix.ed25519_pub && !(x->pubkey = tf_fix_key_load(s->fix.ed25519_pub, false))) {
        fprintf(stderr, "tfsim: --fix-ed25519-pub: %s\n", tf_err_msg());
        free(x);
        return NULL;
    }
    x->orders = calloc(EX_RECORDS, sizeof *x->orders);
    x->fin = calloc(EX_FINISHED_MAX, sizeof *x->fin);
    x->clids = calloc(EX_CLIDS, sizeof *x->clids);
    x->buckets = malloc(EX_BUCKETS * sizeof *x->buckets);
    x->scratch = calloc(EX_OPEN_MAX, sizeof *x->scratch);
    bool ok = x->orders && x->fin && x->clids && x->buckets && x->scratch;
    for (int i = 0; ok && i < EX_MAX_CONNS; i++) {
        x->conn[i].rbuf = malloc(EX_RBUF);
        x->conn[i].marks = calloc(EX_MARKS, sizeof *x->conn[i].marks);
        ok = x->conn[i].rbuf && x->conn[i].marks;
    }
    if (!ok) {
        fprintf(stderr, "tfsim: out of memory for the exchange's orders\n");
        exchange_free(x);
        return NULL;
    }
    memset(x->buckets, 0xff, EX_BUCKETS * sizeof *x->buckets);
    x->ord_free = x->clid_free = EX_NIL;
    for (int i = 0; i < EX_MAX_SESSIONS; i++)
        x->sess[i].conn = -1;
    return x;
}

void exchange_free(exchange *x)
{
    if (!x)
        return;
    for (int i = 0; i < EX_MAX_SESSIONS; i++)
        if (x->sess[i].used)
            tf_fix_session_free(&x->sess[i].fix);
    for (int i = 0; i < EX_MAX_CONNS; i++) {
        free(x->conn[i].rbuf);
        free(x->conn[i].marks);
    }
    tf_fix_key_free(x->pubkey);
    free(x->orders);
    free(x->fin);
    free(x->clids);
    free(x->buckets);
    free(x->scratch);
    free(x);
}

void exchange_set_quiet(exchange *x, bool quiet) { x->quiet = quiet; }
const exchange_counters *exchange_stats(const exchange *x) { return &x->c; }

/* ---- accounts ---------------------------------------------------------------- */

uint32_t ex_account(exchange *x, const char *name, size_t len)
{
    if (len >= sizeof x->accounts[0])
        len = sizeof x->accounts[0] - 1;
    for (uint32_t i = 0; i < x->naccounts; i++)
        if (strlen(x->accounts[i]) == len && memcmp(x->accounts[i], name, len) == 0)
            return i + 1;
    if (x->naccounts == EX_MAX_ACCOUNTS)
        return 0;
    memcpy(x->accounts[x->naccounts], name, len);
    x->accounts[x->naccounts][len] = 0;
    return ++x->naccounts;
}

/* ---- ClOrdID map ------------------------------------------------------------- */

static uint32_t clid_hash(uint32_t account, const char *id, size_t len)
{
    uint32_t h = 2166136261u ^ account;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)id[i]) * 16777619u;
    return (h ^ (h >> 15)) & (EX_BUCKETS - 1);
}

uint32_t ex_clid_find(const exchange *x, uint32_t account, const char *id, size_t len)
{
    if (len == 0 || len > EX_CLID_MAX)
        return EX_NIL;
    for (uint32_t e = x->buckets[clid_hash(account, id, len)]; e != EX_NIL; e = x->clids[e].hnext) {
        const x_clid *c = &x->clids[e];
        if (c->account == account && c->len == len && memcmp(c->id, id, len) == 0)
            return c->rec;
    }
    return EX_NIL;
}

static void clid_remove(exchange *x, uint32_t e)
{
    x_clid *c = &x->clids[e];
    uint32_t *p = &x->buckets[clid_hash(c->account, c->id, c->len)];
    while (*p != e)
        p = &x->clids[*p].hnext;
    *p = c->hnext;
    c->hnext = x->clid_free;
    x->clid_free = e;
}

static void rec_release(exchange *x, uint32_t r);

void ex_clid_add(exchange *x, uint32_t r, const char *id, size_t len)
{
    x_order *o = &x->orders[r];
    if (len == 0 || len > EX_CLID_MAX)
        return;
    if (x->clid_free == EX_NIL && x->clid_fresh == EX_CLIDS && x->fin_count > 0) {
        /* out of entries: the oldest finished order is forgotten early */
        uint32_t old = x->fin[x->fin_head];
        x->fin_head = (x->fin_head + 1) % EX_FINISHED_MAX;
        x->fin_count--;
        rec_release(x, old);
    }
    uint32_t e;
    if (x->clid_free != EX_NIL) {
        e = x->clid_free;
        x->clid_free = x->clids[e].hnext;
    } else if (x->clid_fresh < EX_CLIDS) {
        e = x->clid_fresh++;
    } else {
        return; /* not findable by this one */
    }
    x_clid *c = &x->clids[e];
    c->rec = r;
    c->account = o->account;
    c->len = (uint8_t)len;
    memcpy(c->id, id, len);
    uint32_t *b = &x->buckets[clid_hash(o->account, id, len)];
    c->hnext = *b;
    *b = e;
    c->rnext = o->clids;
    o->clids = e;
}

void ex_set_cur(x_order *o, const char *id, size_t len)
{
    if (len > EX_CLID_MAX)
        len = EX_CLID_MAX;
    memcpy(o->cur, id, len);
    o->cur_len = (uint8_t)len;
}

/* ---- records ----------------------------------------------------------------- */

static void rec_release(exchange *x, uint32_t r)
{
    x_order *o = &x->orders[r];
    for (uint32_t e = o->clids, next; e != EX_NIL; e = next) {
        next = x->clids[e].rnext;
        clid_remove(x, e);
    }
    o->order_id = 0;
    o->next_free = x->ord_free;
    x->ord_free = r;
}

uint32_t ex_rec_new(exchange *x)
{
    if (x->nopen >= EX_OPEN_MAX)
        return EX_NIL;
    uint32_t r;
    if (x->ord_free != EX_NIL) {
        r = x->ord_free;
        x->ord_free = x->orders[r].next_free;
    } else if (x->ord_fresh < EX_RECORDS) {
        r = x->ord_fresh++;
    } else if (x->fin_count > 0) {
        r = x->fin[x->fin_head];
        x->fin_head = (x->fin_head + 1) % EX_FINISHED_MAX;
        x->fin_count--;
        rec_release(x, r);
        x->ord_free = x->orders[r].next_free;
    } else {
        return EX_NIL;
    }
    x_order *o = &x->orders[r];
    memset(o, 0, offsetof(x_order, cur));
    o->order_id = (++x->order_seq << EX_SLOT_BITS) | r;
    o->clids = EX_NIL;
    o->next_free = EX_NIL;
    o->open = true;
    o->status = '0';
    x->nopen++;
    return r;
}

void ex_rec_finish(exchange *x, uint32_t r)
{
    x_order *o = &x->orders[r];
    if (!o->open)
        return;
    o->open = false;
    x->nopen--;
    if (x->fin_count == EX_FINISHED_MAX) {
        rec_release(x, x->fin[x->fin_head]);
        x->fin_head = (x->fin_head + 1) % EX_FINISHED_MAX;
        x->fin_count--;
    }
    x->fin[(x->fin_head + x->fin_count) % EX_FINISHED_MAX] = r;
    x->fin_count++;
}

x_order *ex_rec_by_order_id(exchange *x, uint64_t order_id, uint32_t account)
{
    uint64_t slot = order_id & ((1ull << EX_SLOT_BITS) - 1);
    if (order_id == 0 || slot >= EX_RECORDS)
        return NULL;
    x_order *o = &x->orders[slot];
    return o->order_id == order_id && o->account == account ? o : NULL;
}

/* ---- the dump and the counters ----------------------------------------------- */

static int by_order_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static const char *status_name(char st)
{
    switch (st) {
    case '0': return "NEW";
    case '1': return "PARTIALLY_FILLED";
    case '2': return "FILLED";
    case '4': return "CANCELED";
    case '8': return "REJECTED";
    case 'C': return "EXPIRED";
    default: return "UNKNOWN";
    }
}

static void json_dec8(FILE *f, int64_t v)
{
    char buf[40];
    fmt_buf b = {buf, buf + sizeof buf, 0};
    fmt_dec8(&b, v);
    fwrite(buf, 1, (size_t)(b.p - buf), f);
}

void exchange_dump_orders(const exchange *x, FILE *f)
{
    uint32_t n = 0;
    uint64_t *keys = malloc((size_t)(x->ord_fresh ? x->ord_fresh : 1) * sizeof *keys);
    if (!keys)
        return;
    for (uint32_t r = 0; r < x->ord_fresh; r++)
        if (x->orders[r].order_id)
            keys[n++] = x->orders[r].order_id;
    qsort(keys, n, sizeof *keys, by_order_id);
    for (uint32_t i = 0; i < n; i++) {
        const x_order *o = &x->orders[keys[i] & ((1ull << EX_SLOT_BITS) - 1)];
        const char *acct = o->account && o->account <= x->naccounts ? x->accounts[o->account - 1] : "";
        int64_t avg = o->cum ? (int64_t)((o->cost + o->cum / 2) / o->cum) : 0;
        fputs("{\"account\":", f);
        tf_json_fputs(f, acct, strlen(acct));
        fputs(",\"clordid\":", f);
        tf_json_fputs(f, o->cur, o->cur_len);
        fputs(",\"orig_clordid\":", f);
        tf_json_fputs(f, o->orig, o->orig_len);
        fprintf(f, ",\"order_id\":\"%llu\",\"symbol\":\"%s\",\"side\":\"%s\",\"type\":\"%s\",\"status\":\"%s\"",
                (unsigned long long)o->order_id, x->s->sym[o->sym].name, o->side == MATCH_BUY ? "BUY" : "SELL",
                o->type == MATCH_MARKET ? "MARKET" : "LIMIT", status_name(o->status));
        fputs(",\"price\":", f);
        json_dec8(f, o->type == MATCH_MARKET ? 0 : o->price);
        fputs(",\"qty\":", f);
        json_dec8(f, o->qty);
        if (o->display) {
            fputs(",\"display\":", f);
            json_dec8(f, o->display);
        }
        fputs(",\"cum\":", f);
        json_dec8(f, o->cum);
        fputs(",\"avg_px\":", f);
        json_dec8(f, avg);
        fputs(",\"fees\":", f);
        json_dec8(f, o->fees);
        fputs("}\n", f);
    }
    free(keys);
}

void exchange_print_stats(const exchange *x, FILE *f)
{
    const exchange_counters *c = &x->c;
    uint64_t refreshes = 0;
    for (uint32_t i = 0; i < x->s->nsym; i++)
        refreshes += x->s->sym[i].book ? match_refreshes(x->s->sym[i].book) : 0;
    fprintf(f,
            "tfsim: FIX: %llu sessions, %llu connections, %llu logons (%llu refused), %llu orders, %llu fills, "
            "%llu iceberg refreshes, "
            "%llu rejects, %llu cancels, %llu replaces, %llu cancel-news (XCN), %llu cancel rejects, "
            "%llu status requests, %llu reports (%llu not queued), %llu canceled on disconnect; faults: "
            "%llu drops, %llu delayed, %llu rejects, %llu garbled, %llu seq skips, %llu logons refused, "
            "%llu session boundaries, %llu strict refusals, %llu fills after cancel\n",
            (unsigned long long)c->sessions, (unsigned long long)c->connections, (unsigned long long)c->logons,
            (unsigned long long)c->logons_refused, (unsigned long long)c->orders, (unsigned long long)c->fills,
            (unsigned long long)refreshes, (unsigned long long)c->rejects, (unsigned long long)c->cancels, (unsigned long long)c->replaces,
            (unsigned long long)c->cancel_news, (unsigned long long)c->cancel_rejects,
            (unsigned long long)c->status_requests,
            (unsigned long long)c->reports, (unsigned long long)c->report_drops,
            (unsigned long long)c->cancel_on_disconnect,
            (unsigned long long)c->f_drops,
            (unsigned long long)c->f_delayed, (unsigned long long)c->f_rejects, (unsigned long long)c->f_garbled,
            (unsigned long long)c->f_skipped, (unsigned long long)c->f_refused,
            (unsigned long long)c->f_session_resets, (unsigned long long)c->f_strict,
            (unsigned long long)c->f_fill_after_cancel);
}

const exchange_counters *exchange_counters_of(const exchange *x) { return &x->c; }
