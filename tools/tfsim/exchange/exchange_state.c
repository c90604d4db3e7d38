/* tfsim exchange: the orders across a restart (--fix-store DIR), so that a
 * restarted tfsim, like a venue, still has its accounts' resting orders and
 * answers status requests about finished ones by any ClOrdID they had.
 *
 * Design. DIR/orders.state is a small text file, one record a line, words
 * separated by one space; strings are written "=" followed by their bytes,
 * with bytes outside '!'..'~' and '%' as %XX (so none is empty or holds a
 * space):
 *
 *   tfsim-orders-state 2                       (1, without display, is read too)
 *   counters <order_seq> <exec_id>
 *   account <owner id> <=name>                 (owner ids 1.. in order)
 *   session <slot> <owner id> <=SenderCompID>
 *   order <O|F> <order_id> <owner id> <session slot> <=symbol> <side 0 buy|1 sell>
 *         <type 0 limit|1 market> <tif 0 GTC|1 IOC|2 FOK> <stp 0..3, match.h>
 *         <post_only 0|1> <status, 39> <price> <qty> <cum> <fees> <cost> <avg_px>
 *         <=current ClOrdID> <=original ClOrdID> <display: an iceberg's MaxFloor, 0 none>
 *                                                         (one line; 1e-8 units;
 *         cost = sum of price * qty of the fills; avg_px = cost / cum, for
 *         people: the load uses cost)
 *   clid <=ClOrdID>                            (the order's, oldest first)
 *   end <number of orders>
 *
 * Finished orders (F) come first, oldest first as in the ring, then the
 * open ones (O) by OrderID, i.e. in the order they were placed, so that a
 * ClOrdID used by several orders names the newest again once loaded. Save
 * writes DIR/orders.state.tmp, syncs it and renames it over the old file.
 * Load (into a fresh exchange, before any connection) puts every record
 * back in its slot, so OrderIDs stay; recreates the accounts and the
 * sessions (their sequence numbers come from their own store files); then
 * submits the open orders to the books again in their order, owner = the
 * account, with what they had filled (match_new.filled): they may trade at
 * once, and their reports wait in their sessions for the next Logon
 * (exchange_report.c, X_OP_RESTORE). A file of another version is refused;
 * so is a malformed one (the line says where). fix-lose-book: the
 * accounts, sessions and counters are loaded, no order (a venue that lost
 * its book in a crash). Cold code: stdio and malloc
 * are fine here. */
#include "tools/tfsim/exchange/exchange_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm/fixed.h"

#define MAGIC "tfsim-orders-state"

/* ---- save ----------------------------------------------------------------------- */

static void put_s(FILE *f, const char *p, size_t n)
{
    fputc('=', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= ' ' || c > '~' || c == '%')
            fprintf(f, "%%%02X", c);
        else
            fputc(c, f);
    }
}

/* Decimal digits of a 128-bit value (at most 39) into out, from
 * tf_u64_text in chunks of 19 digits; returns how many. */
static size_t u128_text(char *out, unsigned __int128 v)
{
    const uint64_t chunk = 10000000000000000000ull; /* 10^19 */
    if (v <= UINT64_MAX)
        return tf_u64_text(out, (uint64_t)v);
    size_t n = u128_text(out, v / chunk); /* nests at most twice: 2^128 < 10^39 */
    char tmp[20];
    size_t k = tf_u64_text(tmp, (uint64_t)(v % chunk));
    memset(out + n, '0', 19 - k);
    memcpy(out + n + 19 - k, tmp, k);
    return n + 19;
}

static void put_u128(FILE *f, unsigned __int128 v)
{
    char buf[40];
    fwrite(buf, 1, u128_text(buf, v), f);
}

static int by_order_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void put_order(const exchange *x, FILE *f, const x_order *o, uint32_t *chain)
{
    const sim_symbol *y = &x->s->sym[o->sym];
    fprintf(f, "order %c %llu %u %u ", o->open ? 'O' : 'F', (unsigned long long)o->order_id, o->account,
            o->session);
    put_s(f, y->name, strlen(y->name));
    fprintf(f, " %u %u %u %u %u %c %lld %lld %lld %lld ", o->side, o->type, o->tif, o->stp, o->post_only ? 1 : 0,
            o->status, (long long)o->price, (long long)o->qty, (long long)o->cum, (long long)o->fees);
    put_u128(f, (unsigned __int128)o->cost);
    fprintf(f, " %lld ", (long long)(o->cum ? (o->cost + o->cum / 2) / o->cum : 0));
    put_s(f, o->cur, o->cur_len);
    fputc(' ', f);
    put_s(f, o->orig, o->orig_len);
    fprintf(f, " %lld\n", (long long)o->display);
    uint32_t n = 0;
    for (uint32_t e = o->clids; e != EX_NIL && n < EX_CLIDS; e = x->clids[e].rnext)
        chain[n++] = e;
    while (n--) { /* the list is newest first */
        fputs("clid ", f);
        put_s(f, x->clids[chain[n]].id, x->clids[chain[n]].len);
        fputc('\n', f);
    }
}

static int save_state(const exchange *x, const char *dir, bool say)
{
    char path[512], tmp[520];
    snprintf(path, sizeof path, "%s/orders.state", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    uint64_t *open = malloc((size_t)(x->ord_fresh ? x->ord_fresh : 1) * sizeof *open);
    uint32_t *chain = malloc(EX_CLIDS * sizeof *chain);
    FILE *f = open && chain ? fopen(tmp, "w") : NULL;
    if (!f) {
        fprintf(stderr, "tfsim: cannot write %s: %s\n", tmp, open && chain ? strerror(errno) : "out of memory");
        free(open);
        free(chain);
        return -1;
    }
    fprintf(f, "%s %d\ncounters %llu %llu\n", MAGIC, EX_STATE_VERSION, (unsigned long long)x->order_seq,
            (unsigned long long)x->exec_id);
    for (uint32_t i = 0; i < x->naccounts; i++) {
        fprintf(f, "account %u ", i + 1);
        put_s(f, x->accounts[i], strlen(x->accounts[i]));
        fputc('\n', f);
    }
    for (int i = 0; i < EX_MAX_SESSIONS; i++) {
        if (!x->sess[i].used)
            continue;
        fprintf(f, "session %d %u ", i, x->sess[i].account);
        put_s(f, x->sess[i].comp_id, strlen(x->sess[i].comp_id));
        fputc('\n', f);
    }
    for (uint32_t k = 0; k < x->fin_count; k++)
        put_order(x, f, &x->orders[x->fin[(x->fin_head + k) % EX_FINISHED_MAX]], chain);
    uint32_t nopen = 0;
    for (uint32_t r = 0; r < x->ord_fresh; r++)
        if (x->orders[r].order_id && x->orders[r].open)
            open[nopen++] = x->orders[r].order_id;
    qsort(open, nopen, sizeof *open, by_order_id);
    for (uint32_t k = 0; k < nopen; k++)
        put_order(x, f, &x->orders[open[k] & ((1ull << EX_SLOT_BITS) - 1)], chain);
    fprintf(f, "end %u\n", x->fin_count + nopen);
    free(open);
    free(chain);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "tfsim: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (say && !x->quiet)
        fprintf(stderr, "tfsim: %u open and %u finished orders saved in %s\n", nopen, x->fin_count, path);
    return 0;
}

int exchange_save_state(const exchange *x, const char *dir) { return save_state(x, dir, true); }

int exchange_save_state_quietly(const exchange *x, const char *dir) { return save_state(x, dir, false); }

/* ---- load ----------------------------------------------------------------------- */

typedef struct loader {
    exchange *x;
    const char *path;
    unsigned line;
    char *save;                     /* strtok_r's */
    bool bad;
    int version;
} loader;

static char *word(loader *l)
{
    char *w = strtok_r(NULL, " \n", &l->save);
    if (!w)
        l->bad = true;
    return w ? w : "";
}

static long long num(loader *l, long long lo, long long hi)
{
    char *w = word(l), *end;
    errno = 0;
    long long v = strtoll(w, &end, 10);
    if (errno || end == w || *end || v < lo || v > hi)
        l->bad = true;
    return v;
}

static uint64_t unum(loader *l)
{
    char *w = word(l), *end;
    errno = 0;
    unsigned long long v = strtoull(w, &end, 10);
    if (errno || end == w || *end || *w == '-')
        l->bad = true;
    return v;
}

static __int128 num128(loader *l)
{
    const char *w = word(l);
    unsigned __int128 v = 0;
    if (!*w || strlen(w) > 38)
        l->bad = true;
    for (; *w; w++) {
        if (*w < '0' || *w > '9')
            l->bad = true;
        v = v * 10 + (unsigned)(*w - '0');
    }
    return (__int128)v;
}

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                  : -1;
}

/* A string word into out[cap] (unescaped); its length. */
static size_t str(loader *l, char *out, size_t cap)
{
    const char *w = word(l);
    size_t n = 0;
    if (*w != '=') {
        l->bad = true;
        return 0;
    }
    for (w++; *w; n++) {
        int hi = *w == '%' ? hex(w[1]) : 0, lo = hi >= 0 && *w == '%' ? hex(w[2]) : 0;
        if (n == cap || hi < 0 || lo < 0) {
            l->bad = true;
            return 0;
        }
        out[n] = *w == '%' ? (char)(hi << 4 | lo) : *w;
        w += *w == '%' ? 3 : 1;
    }
    return n;
}

/* One order line; its slot, or EX_NIL when it is left out (a symbol not
 * served now) or bad (l->bad). */
static uint32_t load_order(loader *l, uint32_t *max_slot)
{
    exchange *x = l->x;
    char kind = *word(l), name[16], cur[EX_CLID_MAX], orig[EX_CLID_MAX];
    uint64_t id = unum(l);
    uint32_t account = (uint32_t)num(l, 1, x->naccounts), session = (uint32_t)num(l, 0, EX_MAX_SESSIONS - 1);
    size_t nl = str(l, name, sizeof name - 1);
    x_order t = {.order_id = id, .account = account, .session = (uint8_t)session};
    t.side = (uint8_t)num(l, MATCH_BUY, MATCH_SELL);
    t.type = (uint8_t)num(l, MATCH_LIMIT, MATCH_MARKET);
    t.tif = (uint8_t)num(l, MATCH_GTC, MATCH_FOK);
    t.stp = (uint8_t)num(l, 0, MATCH_STP_NONE);
    t.post_only = num(l, 0, 1) == 1;
    t.status = *word(l);
    t.price = num(l, 0, INT64_MAX);
    t.qty = num(l, 1, MATCH_QTY_MAX);
    t.cum = num(l, 0, t.qty);
    t.fees = num(l, INT64_MIN, INT64_MAX);
    t.cost = num128(l);
    num(l, 0, INT64_MAX); /* avg_px: for people */
    t.cur_len = (uint8_t)str(l, cur, sizeof cur);
    t.orig_len = (uint8_t)str(l, orig, sizeof orig);
    t.display = l->version >= 2 ? num(l, 0, t.qty) : 0; /* 1 had no icebergs */
    uint32_t slot = (uint32_t)(id & ((1ull << EX_SLOT_BITS) - 1));
    t.open = kind == 'O';
    if (l->bad || (kind != 'O' && kind != 'F') || !strchr("01248C", t.status) || !t.status || id == 0 ||
        slot >= EX_RECORDS || (id >> EX_SLOT_BITS) > x->order_seq || x->orders[slot].order_id ||
        !x->sess[session].used ||
        (t.open && (t.type != MATCH_LIMIT || t.tif != MATCH_GTC || t.price <= 0 || t.cum >= t.qty)) ||
        (t.open ? x->nopen == EX_OPEN_MAX : x->fin_count == EX_FINISHED_MAX)) {
        l->bad = true;
        return EX_NIL;
    }
    name[nl] = 0;
    int si = sim_find_symbol(x->s, name, nl);
    if (si < 0) {
        fprintf(stderr, "tfsim: %s: order %llu of %s left out: the symbol is not served now\n", l->path,
                (unsigned long long)id, name);
        return EX_NIL;
    }
    t.sym = (uint8_t)si;
    t.clids = EX_NIL;
    t.next_free = EX_NIL;
    memcpy(t.cur, cur, t.cur_len);
    memcpy(t.orig, orig, t.orig_len);
    x->orders[slot] = t;
    if (t.open)
        x->scratch[x->nopen++] = slot;
    else
        x->fin[x->fin_count++] = slot;
    if (slot + 1 > *max_slot)
        *max_slot = slot + 1;
    return slot;
}

/* What a line says; false when it is bad. */
static bool load_line(loader *l, char *line, uint32_t *rec, uint32_t *orders, uint32_t *max_slot, bool *end)
{
    exchange *x = l->x;
    const char *what = strtok_r(line, " \n", &l->save);
    if (!what)
        return false;
    if (strcmp(what, "counters") == 0) {
        x->order_seq = unum(l);
        x->exec_id = unum(l);
    } else if (strcmp(what, "account") == 0) {
        uint32_t i = (uint32_t)num(l, 1, EX_MAX_ACCOUNTS);
        if (x->naccounts == EX_MAX_ACCOUNTS)
            return false;
        size_t n = str(l, x->accounts[x->naccounts], sizeof x->accounts[0] - 1);
        if (l->bad || i != x->naccounts + 1)
            return false;
        x->accounts[x->naccounts++][n] = 0;
    } else if (strcmp(what, "session") == 0) {
        int i = (int)num(l, 0, EX_MAX_SESSIONS - 1);
        uint32_t account = (uint32_t)num(l, 0, x->naccounts);
        char id[TF_FIX_COMP_ID_MAX];
        size_t n = str(l, id, sizeof id - 1);
        if (l->bad || x->sess[i].used || ex_session_init(x, i, id, n) != 0)
            return false;
        x->sess[i].account = account;
    } else if (strcmp(what, "order") == 0) {
        (*orders)++;
        if (x->s->fix.fault.lose_book) { /* the venue lost its book: the line and its clids are skipped */
            *rec = EX_NIL;
            return true;
        }
        *rec = load_order(l, max_slot);
    } else if (strcmp(what, "clid") == 0) {
        char id[EX_CLID_MAX];
        size_t n = str(l, id, sizeof id);
        if (*rec != EX_NIL && !l->bad)
            ex_clid_add(x, *rec, id, n);
    } else if (strcmp(what, "end") == 0) {
        *end = (uint32_t)num(l, 0, EX_RECORDS) == *orders;
        return !l->bad && *end;
    } else {
        return false;
    }
    return !l->bad && !strtok_r(NULL, " \n", &l->save);
}

int exchange_load_state(exchange *x, const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/orders.state", dir);
    FILE *f = fopen(path, "r");
    if (!f && errno == ENOENT)
        return 1;
    if (!f) {
        fprintf(stderr, "tfsim: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int version = -1;
    char magic[32] = "";
    if (getline(&line, &cap, f) <= 0 || sscanf(line, "%31s %d", magic, &version) != 2 ||
        strcmp(magic, MAGIC) != 0 || version < 1 || version > EX_STATE_VERSION) {
        if (strcmp(magic, MAGIC) == 0)
            fprintf(stderr, "tfsim: %s is of version %d; this tfsim reads versions 1 to %d: refusing "
                            "it (move it away to start without those orders)\n", path, version, EX_STATE_VERSION);
        else
            fprintf(stderr, "tfsim: %s is not a tfsim orders file (move it away to start without it)\n", path);
        free(line);
        fclose(f);
        return -1;
    }
    loader l = {.x = x, .path = path, .line = 1, .version = version};
    uint32_t rec = EX_NIL, orders = 0, max_slot = 0;
    bool end = false, failed = false;
    while (!end && !failed && getline(&line, &cap, f) > 0) {
        l.line++;
        failed = !load_line(&l, line, &rec, &orders, &max_slot, &end);
    }
    free(line);
    fclose(f);
    if (!end) {
        if (failed)
            fprintf(stderr, "tfsim: %s: line %u is not what a tfsim orders file holds (move the file away to "
                            "start without those orders)\n", path, l.line);
        else
            fprintf(stderr, "tfsim: %s ends early, after line %u (move it away to start without those orders)\n",
                    path, l.line);
        return -1;
    }
    /* the slots below the highest one used that are free */
    x->ord_fresh = max_slot;
    for (uint32_t r = max_slot; r-- > 0;)
        if (!x->orders[r].order_id) {
            x->orders[r].next_free = x->ord_free;
            x->ord_free = r;
        }
    /* the open orders back into the books, in the order they were placed */
    uint32_t nopen = x->nopen, traded = 0;
    uint64_t fills = x->c.fills;
    for (uint32_t k = 0; k < nopen; k++) {
        uint32_t r = (uint32_t)x->scratch[k];
        x_order *o = &x->orders[r];
        if (!o->open)
            continue;
        uint64_t before = x->c.fills;
        match_new n = {.owner = o->account, .tag = (uint64_t)r + 1, .side = o->side, .type = o->type,
                       .tif = o->tif, .stp = o->stp, .post_only = o->post_only, .price = o->price,
                       .qty = o->qty, .filled = o->cum, .display = o->display};
        x->op = X_OP_RESTORE;
        x->op_rec = r;
        match_submit(x->s->sym[o->sym].book, &n);
        x->op = X_OP_NONE;
        md_done(x, o->sym);
        traded += x->c.fills != before;
    }
    if (!x->quiet && x->s->fix.fault.lose_book)
        fprintf(stderr, "tfsim: %s: %u orders forgotten (fix-lose-book); %u accounts\n", path, orders,
                x->naccounts);
    else if (!x->quiet)
        fprintf(stderr, "tfsim: %s: %u open orders back in the books (%u traded at once: %llu fills), %u finished "
                        "ones remembered, %u accounts\n", path, nopen, traded,
                (unsigned long long)(x->c.fills - fills), x->fin_count, x->naccounts);
    return 0;
}
