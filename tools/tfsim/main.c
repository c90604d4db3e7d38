/* tfsim: the local exchange simulator: Binance-format market data over
 * WebSocket/REST, and FIX 4.4 order entry into the same books.
 *
 *   tfsim [--port P] [--bind ADDR] [--port-file F] [--tls] [--symbols A,B]
 *         [--seed N] [--rate MSGS_PER_S] [--mix trade,aggTrade,bookTicker,depth,kline]
 *         [--messages N] [--duration S] [--replay FILE] [--record FILE]
 *         [--start-file F] [--ping-interval S] [--book-dump F]
 *         [--fix-port P] [--fix-bind ADDR] [--fix-port-file F] [--fix-comp-id ID]
 *         [--fix-store DIR] [--fix-reset] [--fix-username U] [--fix-password P]
 *         [--fix-ed25519-pub FILE] [--fix-tls] [--maker-fee-bps X] [--taker-fee-bps X]
 *         [--orders-dump FILE] [--echo-port P] [--echo-port-file F] [--busy-poll]
 *         [--t2t-out FILE] [--answer-out FILE] [--fault KIND[:k=v,...]]...
 *
 * Serves Binance spot streams (ws://ADDR:P/ws/<stream>, /stream?streams=a/b,
 * SUBSCRIBE/UNSUBSCRIBE) and GET /api/v3/depth on one port; --tls serves
 * wss/https with a self-signed certificate made at start. The schedule
 * starts when the first client connects: message i is due at start + i/rate
 * (--start-file gets start in CLOCK_MONOTONIC ns). --messages N stops
 * generating after N (prints "tfsim: generation done") but keeps serving, so
 * a test can compare books (--book-dump F writes them at exit).
 *
 * Order entry (FIX 4.4 acceptor, TargetCompID --fix-comp-id, default TFSIM):
 *   --fix-port P          listen for FIX on P (0, the default: no FIX; 0 with
 *                         --fix-port-file: any free port)
 *   --fix-bind ADDR       its IPv4 address (default: --bind)
 *   --fix-port-file F     write the FIX port there once listening
 *   --fix-store DIR       sequence numbers in DIR/<ours>-<theirs>.seq (default: memory),
 *                         and the orders in DIR/orders.state: written after every change,
 *                         before its reports are sent, and at a clean exit, loaded at start, so a restarted
 *                         tfsim still has its accounts' open orders (back in the books;
 *                         they may trade at once, the reports wait for the next Logon)
 *                         and answers status requests for finished ones; a file of
 *                         another version is refused (exit 2)
 *   --fix-reset           every Logon must carry ResetSeqNumFlag=Y, as Binance's
 *                         (without it one may: both sides start again at 1)
 *   --fix-username U, --fix-password P
 *                         the Logon's 553/554 must match
 *   --fix-ed25519-pub F   the Logon's RawData (95/96) must be an Ed25519 signature
 *                         (Binance style) verifying with this PEM public key
 *   --fix-tls             FIX over TLS with the self-signed certificate
 *   --maker-fee-bps X, --taker-fee-bps X
 *                         commission (12) on fills, in quote currency (default 10 each)
 *   --orders-dump F       at exit, every order known (open and finished) as one JSON
 *                         object a line: account, clordid, orig_clordid, order_id,
 *                         symbol, side, type, status (NEW, PARTIALLY_FILLED, FILLED,
 *                         CANCELED, REJECTED, EXPIRED), price, qty, display (icebergs
 *                         only), cum, avg_px, fees (decimals as strings)
 *   --echo-port P         a raw TCP echo server in the same loop (0: none; 0 with
 *                         --echo-port-file: any free port), the FIX benchmark's baseline
 *   --echo-port-file F    write the echo port there
 *   --busy-poll           the loop never sleeps (epoll_wait timeout 0)
 *   --t2t-out FILE        tick-to-trade stamps (make bench-t2t): CLOCK_MONOTONIC just
 *                         before each WebSocket write completing a trade or aggTrade
 *                         frame, and just after each FIX read, given to every D, F, G
 *                         and XCN framed from it; each such message takes the latest
 *                         trade write before it if no message took it yet. At exit FILE
 *                         gets a line "<ns> <MsgType> <t_write> <t_read>" (ns = read -
 *                         write) per sample, and stderr their count (at most 2^20 kept;
 *                         off: no cost)
 *   --answer-out FILE     the venue's own share of an order round trip (make bench-fix):
 *                         CLOCK_MONOTONIC just after the read that brought a D, F, G or
 *                         XCN and just before the next write to that connection; at exit
 *                         FILE gets "<t_read> <t_write>" per order (at most 2^20 kept)
 * Up to 16 FIX connections and 16 sessions (one per SenderCompID); the
 * account is the Logon's Username, else its SenderCompID. Messages: D, F,
 * G, XCN (Binance's cancel-and-new: 25033 1 STOP_ON_FAILURE or 2
 * ALLOW_FAILURE, 25034 CancelClOrdID), H, AF (585=7); 8 and 9 back.
 * SelfTradePreventionMode (25001): 1 NONE, 2 EXPIRE_TAKER (the default),
 * 3 EXPIRE_MAKER, 4 EXPIRE_BOTH. MaxFloor (111) on a limit D: an iceberg,
 * resting one tranche of that size at a time (a G keeps it; the exit
 * summary counts the refreshes). A Logon with 8013=Y cancels that session's
 * orders when its connection drops. Reports for a session that is down
 * wait for its ResendRequest after its next Logon; messages it sent that
 * were lost with a connection are not asked for again (the Logon's
 * MsgSeqNum is taken as is). SIGUSR1 drops every FIX connection at once
 * (what was queued for it goes out by resend after its next Logon).
 *
 * Faults (each repeatable):
 *   drop:every=N       close each connection after every N messages sent to it
 *   dup:every=N        send every Nth trade twice
 *   reorder:every=N    swap every Nth trade with the next one
 *   gap:every=N        skip update ids in every Nth depthUpdate (a book gap)
 *   malformed:every=N  an invalid JSON message every N messages
 *   truncate:every=N   a message cut in half every N messages
 *   oversize:every=N   a 2 MiB message every N messages
 *   stall:ms=M,every=N send nothing for M ms every N messages
 *   shutdown:after=N   serverShutdown after N messages, then close
 *   impact:perm=BP,temp=BP,decay_ms=MS  a market-impact model, not a fault:
 *                      each unit a FIX participant trades moves the fair price
 *                      by perm BP for good and temp BP decaying over decay_ms
 *                      (exponential time constant); the agent's book follows
 *   ws-fragment:every=N  every Nth message as three frames (text, two
 *                      continuations) with a ping between the first two
 *   ws-close:after=N   a WebSocket close frame (1001) after N messages;
 *                      nothing more is sent; the client must answer it
 *   ws-badframe:after=N  a frame with a reserved bit set after N messages
 *                      (a protocol breach: the client must close and return)
 *   fix-drop:every=N   close a FIX connection after every N application messages
 *                      received on it (the rest of that read is handled and
 *                      answered, then the connection closes without a Logout)
 *   fix-delay:ms=M     hold every application message tfsim sends (8, 9), and what
 *                      follows it on that connection, M ms before it is written
 *   fix-reject:every=N reject every Nth NewOrderSingle (103=99 "simulated reject")
 *   fix-garble:every=N corrupt the CheckSum of every Nth outgoing application
 *                      message (8 or 9; the resend is correct)
 *   fix-skip-seq:every=N skip one outgoing sequence number before every Nth
 *                      application message (the counterparty must resend-request)
 *   fix-refuse-logon:count=N refuse the first N Logons with a Logout
 * Venue behaviours (FIX):
 *   fix-session-reset:after=S[,flag=1]
 *                      a session boundary S s after start (once): every connected
 *                      session gets a Logout (58 "end of session") and is closed once
 *                      it is written; every session's numbers go back to 1 both ways:
 *                      flag=1 announced (our answer to the next Logon has 141=Y),
 *                      else silently (an old, higher Logon gets MsgSeqNum 1 back and
 *                      a ResendRequest). Open orders stay in the books (also those
 *                      of a Logon with 8013=Y: the boundary is no disconnect)
 *   fix-lose-book      with --fix-store: accounts, sessions and their numbers are
 *                      loaded, no order (open or finished): status requests for them
 *                      answer 39=8, cancels get 9 with 102=1
 *   fix-rewind-in:n=N  every session set up from --fix-store (at start, or at its
 *                      first Logon) expects N inbound numbers again (at least 1): its
 *                      next Logon asks for their resend (an older backup)
 *   fix-strict         a FIX 4.4 dictionary: a message with a tag above 956 (e.g.
 *                      8013, Binance's 25xxx) or a MsgType FIX 4.4 lacks (XCN) is
 *                      refused with a Reject (45, 371, 372, 373 0 or 11, 58) and not
 *                      acted on; a refused Logon never completes (Reject with
 *                      MsgSeqNum 1, then nothing until the client or the Logon
 *                      timeout closes it)
 *   fix-status-latest  H finds an order by its current ClOrdID or OrderID only (an
 *                      earlier ClOrdID of a replaced or canceled order: 39=8)
 *   fix-fill-after-cancel:every=N
 *                      every Nth F that cancels a resting order: after the Canceled
 *                      report, a fill (150=F, 39=4) of half what was left (whole
 *                      lots, at least one) at its price, as maker; the order's cum,
 *                      cost and fees include it
 * SIGINT/SIGTERM: exit cleanly, printing what was sent and injected (and the
 * FIX counters). Bad options: a one-line message and exit status 2. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/tfsim/sim.h"
#include "tools/oob/oob_process.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }
static void on_usr1(int sig) { (void)sig; sim_fix_drop_request = 1; }

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The callbacks main.c wires between the halves (ctx: the sim). */
static size_t depth_json(void *ctx, uint32_t si, uint32_t limit, char *out, size_t cap)
{
    return sim_depth_json(ctx, si, limit, out, cap);
}
static void md_book_done(void *ctx, int si) { sim_md_done(ctx, si); }
static void md_tick(void *ctx, uint64_t now_ns) { sim_md_tick(ctx, now_ns); }

/* The value of key in "kind:k=v,k=v" (one of the k=v items, so "n" is
 * not found inside the kind's name). */
static uint64_t kv(const char *spec, const char *key, int *found)
{
    size_t n = strlen(key);
    for (const char *p = strchr(spec, ':'); p; p = strchr(p + 1, ',')) {
        if (strncmp(p + 1, key, n) == 0 && p[1 + n] == '=') {
            *found = 1;
            return strtoull(p + 2 + n, NULL, 10);
        }
    }
    return 0;
}

/* spec is exactly this kind, with or without k=v items. */
static bool named(const char *spec, const char *kind)
{
    size_t n = strlen(kind);
    return strncmp(spec, kind, n) == 0 && (spec[n] == 0 || spec[n] == ':');
}

/* A fix-* fault: 0, or -1 when unknown or its number is missing or 0. */
static int parse_fix_fault(sim_fix_fault *xf, const char *spec)
{
    int f = 0;
    uint64_t v = 0;
    if (strncmp(spec, "fix-drop", 8) == 0) v = xf->drop_every = kv(spec, "every", &f);
    else if (strncmp(spec, "fix-delay", 9) == 0) v = xf->delay_ms = kv(spec, "ms", &f);
    else if (strncmp(spec, "fix-reject", 10) == 0) v = xf->reject_every = kv(spec, "every", &f);
    else if (strncmp(spec, "fix-garble", 10) == 0) v = xf->garble_every = kv(spec, "every", &f);
    else if (strncmp(spec, "fix-skip-seq", 12) == 0) v = xf->skip_seq_every = kv(spec, "every", &f);
    else if (strncmp(spec, "fix-refuse-logon", 16) == 0) v = xf->refuse_logons = kv(spec, "count", &f);
    else if (named(spec, "fix-session-reset")) {
        v = xf->session_reset_after_s = kv(spec, "after", &f);
        int g = 0;
        uint64_t flag = kv(spec, "flag", &g);
        xf->session_reset_flag = flag == 1;
        if (g && flag > 1)
            f = 0;
    } else if (named(spec, "fix-rewind-in")) v = xf->rewind_in = kv(spec, "n", &f);
    else if (named(spec, "fix-fill-after-cancel")) v = xf->fill_after_cancel = kv(spec, "every", &f);
    else if (strcmp(spec, "fix-lose-book") == 0) v = f = xf->lose_book = true;
    else if (strcmp(spec, "fix-strict") == 0) v = f = xf->strict = true;
    else if (strcmp(spec, "fix-status-latest") == 0) v = f = xf->status_latest = true;
    return f && v ? 0 : -1;
}

static int parse_fault(sim *s, const char *spec)
{
    int f = 0;
    sim_fault *x = &s->fault;
    if (strncmp(spec, "fix", 3) == 0) f = parse_fix_fault(&s->fix.fault, spec) == 0;
    else if (named(spec, "impact")) {
        /* impact:perm=BP,temp=BP,decay_ms=MS: not a fault, a market property, parsed here with the faults' syntax */
        const char *v;
        if ((v = strstr(spec, "perm=")))
            s->impact.perm_bp = strtod(v + 5, NULL);
        if ((v = strstr(spec, "temp=")))
            s->impact.temp_bp = strtod(v + 5, NULL);
        if ((v = strstr(spec, "decay_ms=")))
            s->impact.decay_ms = strtod(v + 9, NULL);
        f = s->impact.perm_bp > 0 || s->impact.temp_bp > 0;
    } else if (named(spec, "ws-fragment")) x->ws_fragment_every = kv(spec, "every", &f);
    else if (named(spec, "ws-close")) x->ws_close_after = kv(spec, "after", &f);
    else if (named(spec, "ws-badframe")) x->ws_badframe_after = kv(spec, "after", &f);
    else if (strncmp(spec, "drop", 4) == 0) x->drop_every = kv(spec, "every", &f);
    else if (strncmp(spec, "dup", 3) == 0) x->dup_every = kv(spec, "every", &f);
    else if (strncmp(spec, "reorder", 7) == 0) x->reorder_every = kv(spec, "every", &f);
    else if (strncmp(spec, "gap", 3) == 0) x->gap_every = kv(spec, "every", &f);
    else if (strncmp(spec, "malformed", 9) == 0) x->malformed_every = kv(spec, "every", &f);
    else if (strncmp(spec, "truncate", 8) == 0) x->truncate_every = kv(spec, "every", &f);
    else if (strncmp(spec, "oversize", 8) == 0) x->oversize_every = kv(spec, "every", &f);
    else if (strncmp(spec, "stall", 5) == 0) {
        x->stall_every = kv(spec, "every", &f);
        int g = 0;
        x->stall_ms = kv(spec, "ms", &g);
        f &= g;
    } else if (strncmp(spec, "shutdown", 8) == 0) x->shutdown_after = kv(spec, "after", &f);
    if (!f) {
        fprintf(stderr, "tfsim: bad --fault '%s' (e.g. drop:every=1000, stall:ms=500,every=2000, "
                        "shutdown:after=5000, fix-delay:ms=50, fix-refuse-logon:count=1, "
                        "fix-session-reset:after=30,flag=1, fix-strict)\n", spec);
        return -1;
    }
    return 0;
}

static int parse_mix(sim *s, const char *list)
{
    s->mix = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        if (strcmp(t, "trade") == 0) s->mix |= SK_TRADE;
        else if (strcmp(t, "aggTrade") == 0) s->mix |= SK_AGG;
        else if (strcmp(t, "bookTicker") == 0) s->mix |= SK_BOOK_TICKER;
        else if (strcmp(t, "depth") == 0) s->mix |= SK_DEPTH_100MS | SK_DEPTH_1S;
        else if (strcmp(t, "kline") == 0) s->mix |= SK_KLINE;
        else {
            fprintf(stderr, "tfsim: unknown --mix kind '%s' (trade, aggTrade, bookTicker, depth, kline)\n", t);
            return -1;
        }
    }
    return 0;
}

static int parse_symbols(sim *s, const char *list)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    s->nsym = 0;
    for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
        if (s->nsym == SIM_MAX_SYMBOLS || strlen(t) >= sizeof s->sym[0].name) {
            fprintf(stderr, "tfsim: at most %d symbols of up to 15 characters\n", SIM_MAX_SYMBOLS);
            return -1;
        }
        snprintf(s->sym[s->nsym++].name, sizeof s->sym[0].name, "%s", t);
    }
    if (!s->nsym)
        fprintf(stderr, "tfsim: --symbols needs at least one symbol\n");
    return s->nsym ? 0 : -1;
}

/* Faults that are not stream messages, on the global message count. */
static void inject(sim *s, uint64_t now)
{
    const sim_fault *f = &s->fault;
    uint64_t n = s->generated;
    if (f->malformed_every && n % f->malformed_every == 0) {
        static const char bad[] = "{\"e\":\"trade\",\"E\":17,\"s\":\"BTCUSDT\",\"t\":,\"p\":\"1\"";
        sim_publish_raw(s, bad, sizeof bad - 1);
        s->c_malformed++;
    }
    if (f->truncate_every && n % f->truncate_every == 0) {
        static const char whole[] = "{\"e\":\"aggTrade\",\"E\":1672515782136,\"s\":\"BTCUSDT\",\"a\":1,\"p\":\"1.0\"}";
        sim_publish_raw(s, whole, sizeof whole / 2);
        s->c_truncated++;
    }
    if (f->oversize_every && n % f->oversize_every == 0) {
        size_t big = 2u << 20;
        char *b = malloc(big);
        if (b) {
            memset(b, 'x', big);
            memcpy(b, "{\"e\":\"trade\",\"pad\":\"", 20);
            memcpy(b + big - 2, "\"}", 2);
            sim_publish_raw(s, b, big);
            free(b);
            s->c_oversize++;
        }
    }
    if (f->stall_every && n % f->stall_every == 0) {
        s->stall_until_ns = now + f->stall_ms * 1000000ull;
        s->c_stall++;
    }
    if (f->shutdown_after && n == f->shutdown_after) {
        char msg[96];
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int len = snprintf(msg, sizeof msg, "{\"e\":\"serverShutdown\",\"E\":%llu}",
                           (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000u);
        sim_publish_raw(s, msg, (size_t)len);
        for (int i = 0; i < SIM_MAX_SESSIONS; i++)
            if (s->sess[i].used)
                s->sess[i].next_drop = UINT64_MAX - 1;
        s->c_shutdown++;
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tfsim [--port P] [--bind ADDR] [--port-file F] [--tls] [--symbols A,B] [--seed N]\n"
            "             [--rate MSGS_PER_S] [--mix trade,aggTrade,bookTicker,depth,kline] [--messages N]\n"
            "             [--duration S] [--replay FILE] [--record FILE] [--start-file F]\n"
            "             [--ping-interval S] [--book-dump F]\n"
            "             [--fix-port P] [--fix-bind ADDR] [--fix-port-file F] [--fix-comp-id ID]\n"
            "             [--fix-store DIR] [--fix-reset] [--fix-username U] [--fix-password P]\n"
            "             [--fix-ed25519-pub FILE] [--fix-tls] [--maker-fee-bps X] [--taker-fee-bps X]\n"
            "             [--orders-dump FILE] [--echo-port P] [--echo-port-file F] [--busy-poll]\n"
            "             [--t2t-out FILE] [--answer-out FILE] [--fault KIND[:k=v,...]]...\n"
            "faults: drop dup reorder gap malformed truncate oversize stall shutdown ws-fragment ws-close ws-badframe fix-drop fix-delay\n"
            "        fix-reject fix-garble fix-skip-seq fix-refuse-logon fix-session-reset:after=S[,flag=1]\n"
            "        fix-lose-book fix-rewind-in:n=N fix-strict fix-status-latest\n"
            "        fix-fill-after-cancel:every=N (see tools/tfsim/main.c)\n");
}

/* A whole decimal number within [lo, hi], else a one-line message (exit 2). */
static int num_opt(const char *name, const char *v, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < lo || n > hi) {
        fprintf(stderr, "tfsim: --%s must be a whole number from %lld to %lld, not '%s'\n", name, lo, hi, v);
        return -1;
    }
    *out = n;
    return 0;
}

static int fee_opt(const char *name, const char *v, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !(d > -1000 && d < 1000)) {
        fprintf(stderr, "tfsim: --%s must be a number of basis points between -1000 and 1000, not '%s'\n", name, v);
        return -1;
    }
    *out = d;
    return 0;
}

static int comp_id_opt(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n >= 32 || strpbrk(v, "\x01=")) {
        fprintf(stderr, "tfsim: --fix-comp-id must be 1 to 31 characters without '=' or SOH\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static sim s;
    s.port = 9443;
    s.bind = "127.0.0.1";
    s.seed = 1;
    s.rate = 1000;
    s.ping_s = 20;
    s.mix = SK_ALL;
    s.fix.maker_fee_bps = s.fix.taker_fee_bps = 10;
    parse_symbols(&s, "BTCUSDT,ETHUSDT,SOLUSDT");
    enum {
        O_FIX_PORT = 256, O_FIX_BIND, O_FIX_PORT_FILE, O_FIX_COMP_ID, O_FIX_STORE, O_FIX_RESET, O_FIX_USER,
        O_FIX_PASS, O_FIX_PUB, O_FIX_TLS, O_MAKER_FEE, O_TAKER_FEE, O_ORDERS_DUMP, O_ECHO_PORT, O_ECHO_PORT_FILE,
        O_BUSY_POLL, O_T2T_OUT, O_ANSWER_OUT,
    };
    static const struct option opts[] = {
        {"port", 1, NULL, 'p'},        {"bind", 1, NULL, 'b'},       {"port-file", 1, NULL, 'P'},
        {"tls", 0, NULL, 't'},         {"symbols", 1, NULL, 's'},    {"seed", 1, NULL, 'S'},
        {"rate", 1, NULL, 'r'},        {"mix", 1, NULL, 'm'},        {"messages", 1, NULL, 'n'},
        {"duration", 1, NULL, 'd'},    {"replay", 1, NULL, 'R'},     {"record", 1, NULL, 'W'},
        {"start-file", 1, NULL, 'T'},  {"ping-interval", 1, NULL, 'i'}, {"book-dump", 1, NULL, 'B'},
        {"fault", 1, NULL, 'f'},       {"help", 0, NULL, 'h'},
        {"fix-port", 1, NULL, O_FIX_PORT},           {"fix-bind", 1, NULL, O_FIX_BIND},
        {"fix-port-file", 1, NULL, O_FIX_PORT_FILE}, {"fix-comp-id", 1, NULL, O_FIX_COMP_ID},
        {"fix-store", 1, NULL, O_FIX_STORE},         {"fix-reset", 0, NULL, O_FIX_RESET},
        {"fix-username", 1, NULL, O_FIX_USER},       {"fix-password", 1, NULL, O_FIX_PASS},
        {"fix-ed25519-pub", 1, NULL, O_FIX_PUB},     {"fix-tls", 0, NULL, O_FIX_TLS},
        {"maker-fee-bps", 1, NULL, O_MAKER_FEE},     {"taker-fee-bps", 1, NULL, O_TAKER_FEE},
        {"orders-dump", 1, NULL, O_ORDERS_DUMP},     {"echo-port", 1, NULL, O_ECHO_PORT},
        {"echo-port-file", 1, NULL, O_ECHO_PORT_FILE}, {"busy-poll", 0, NULL, O_BUSY_POLL},
        {"t2t-out", 1, NULL, O_T2T_OUT},
        {"answer-out", 1, NULL, O_ANSWER_OUT},
        {NULL, 0, NULL, 0}};
    int ch;
    long long v;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'p': if (num_opt("port", optarg, 0, 65535, &v)) return 2; s.port = (int)v; break;
        case 'b': s.bind = optarg; break;
        case 'P': s.port_file = optarg; break;
        case 't': s.tls = true; break;
        case 's': if (parse_symbols(&s, optarg)) return 2; break;
        case 'S': s.seed = strtoull(optarg, NULL, 10); break;
        case 'r': if (num_opt("rate", optarg, 1, 100000000, &v)) return 2; s.rate = (uint64_t)v; break;
        case 'm': if (parse_mix(&s, optarg)) return 2; break;
        case 'n': s.messages = strtoull(optarg, NULL, 10); break;
        case 'd': s.duration = atof(optarg); break;
        case 'R': s.replay_file = optarg; break;
        case 'W': s.record_file = optarg; break;
        case 'T': s.start_file = optarg; break;
        case 'i': s.ping_s = strtoull(optarg, NULL, 10); break;
        case 'B': s.book_dump = optarg; break;
        case 'f': if (parse_fault(&s, optarg)) return 2; break;
        case O_FIX_PORT: if (num_opt("fix-port", optarg, 0, 65535, &v)) return 2; s.fix.port = (int)v; break;
        case O_FIX_BIND: s.fix.bind = optarg; break;
        case O_FIX_PORT_FILE: s.fix.port_file = optarg; break;
        case O_FIX_COMP_ID: if (comp_id_opt(optarg)) return 2; s.fix.comp_id = optarg; break;
        case O_FIX_STORE: s.fix.store_dir = optarg; break;
        case O_FIX_RESET: s.fix.reset = true; break;
        case O_FIX_USER: s.fix.username = optarg; break;
        case O_FIX_PASS: s.fix.password = optarg; break;
        case O_FIX_PUB: s.fix.ed25519_pub = optarg; break;
        case O_FIX_TLS: s.fix.tls = true; break;
        case O_MAKER_FEE: if (fee_opt("maker-fee-bps", optarg, &s.fix.maker_fee_bps)) return 2; break;
        case O_TAKER_FEE: if (fee_opt("taker-fee-bps", optarg, &s.fix.taker_fee_bps)) return 2; break;
        case O_ORDERS_DUMP: s.fix.orders_dump = optarg; break;
        case O_ECHO_PORT: if (num_opt("echo-port", optarg, 0, 65535, &v)) return 2; s.fix.echo_port = (int)v; break;
        case O_ECHO_PORT_FILE: s.fix.echo_port_file = optarg; break;
        case O_BUSY_POLL: s.fix.busy_poll = true; break;
        case O_T2T_OUT: s.t2t_out = optarg; break;
        case O_ANSWER_OUT: s.answer_out = optarg; break;
        case 'h': usage(stdout); return 0;
        default:
            fprintf(stderr, "tfsim: unknown option or missing value: '%s' (--help lists the options)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tfsim: unexpected argument '%s' (options only; --help lists them)\n", argv[optind]);
        return 2;
    }
    bool fix_on = s.fix.port > 0 || s.fix.port_file;
    if (!fix_on && (s.fix.tls || s.fix.username || s.fix.password || s.fix.ed25519_pub || s.fix.store_dir ||
                    s.fix.reset || s.fix.comp_id || s.fix.bind)) {
        fprintf(stderr, "tfsim: the --fix-* options need --fix-port (or --fix-port-file)\n");
        return 2;
    }
    if (!s.fix.store_dir && (s.fix.fault.lose_book || s.fix.fault.rewind_in)) {
        fprintf(stderr, "tfsim: --fault fix-lose-book and fix-rewind-in act on what --fix-store kept: they need it\n");
        return 2;
    }
    if (s.fix.store_dir && ((mkdir(s.fix.store_dir, 0750) != 0 && errno != EEXIST) ||
                            access(s.fix.store_dir, W_OK | X_OK) != 0)) {
        fprintf(stderr, "tfsim: --fix-store %s: not a folder tfsim can write (%s)\n", s.fix.store_dir,
                strerror(errno));
        return 2;
    }
    if (s.replay_file && !(s.replay = fopen(s.replay_file, "r"))) {
        fprintf(stderr, "tfsim: cannot read %s\n", s.replay_file);
        return 2;
    }
    if (s.record_file && !(s.record = fopen(s.record_file, "w"))) {
        fprintf(stderr, "tfsim: cannot write %s\n", s.record_file);
        return 2;
    }
    s.msg = malloc(SIM_MSG_MAX);
    if (!s.msg || sim_gen_init(&s) != 0 || (s.t2t_out && !(s.t2t = sim_t2t_open(s.t2t_out))) ||
        (s.answer_out && !(s.answer = sim_answer_open(s.answer_out))))
        return 1;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = 0;
    /* The wiring: each half reaches the other (and the server the market)
     * only through these. */
    const sim_server_ops server_ops = {.depth_json = depth_json, .ctx = &s};
    const exchange_md_ops md_ops = {.book_done = md_book_done, .tick = md_tick, .ctx = &s};
    if (sim_server_start(&s, &server_ops) != 0 || sim_fix_start(&s, &md_ops) != 0) {
        rc = 2;
        goto out;
    }
    fprintf(stderr, "tfsim: listening on %s://%s:%d (symbols:", s.tls ? "wss" : "ws", s.bind, s.port);
    for (uint32_t i = 0; i < s.nsym; i++)
        fprintf(stderr, " %s", s.sym[i].name);
    fprintf(stderr, ", %llu msgs/s, seed %llu)\n", (unsigned long long)s.rate, (unsigned long long)s.seed);
    if (s.port_file)
        oob_write_number_file(s.port_file, (uint64_t)s.port);
    uint64_t t0 = mono_ns();
    double per_ns = (double)s.rate / 1e9;
    while (!stop) {
        sim_service(&s);
        uint64_t now = mono_ns();
        if (s.duration > 0 && (double)(now - t0) / 1e9 >= s.duration)
            break;
        if (!s.started && sim_active_sessions(&s)) {
            s.started = true;
            s.start_ns = now;
            if (s.start_file)
                oob_write_number_file(s.start_file, s.start_ns);
        }
        if (s.started && !s.gen_done) {
            uint64_t due = (uint64_t)((double)(now - s.start_ns) * per_ns) + 1;
            for (int budget = 0; s.generated < due && budget < 4096; budget++) {
                int more = sim_gen_next(&s, now);
                if (more) {
                    s.generated++;
                    inject(&s, now);
                }
                if (!more || (s.messages && s.generated >= s.messages)) {
                    s.gen_done = true;
                    sim_gen_flush(&s);
                    fprintf(stderr, "tfsim: generation done (%llu messages)\n", (unsigned long long)s.generated);
                    break;
                }
            }
        }
        /* Idle: wait (for FIX or echo input at most) until the next message
         * is due, at most 1 ms. */
        uint64_t next = s.started && !s.gen_done ? s.start_ns + (uint64_t)((double)s.generated / per_ns) : now + 1000000;
        uint64_t d = 0;
        if (next > now + 50000)
            d = next - now > 1000000 ? 1000000 : next - now - 20000;
        sim_fix_wait(&s, d);
    }
    sim_t2t_close(s.t2t, true);
    s.t2t = NULL;
    sim_answer_close(s.answer, true);
    s.answer = NULL;
    if (s.book_dump) {
        FILE *f = fopen(s.book_dump, "w");
        if (f) {
            sim_book_dump(&s, f);
            fclose(f);
        }
    }
    fprintf(stderr,
            "tfsim: %llu messages generated, %llu clients; faults: %llu drops, %llu dups, %llu reorders, "
            "%llu gaps, %llu malformed, %llu truncated, %llu oversized, %llu stalls, %llu shutdowns; "
            "%llu slow clients cut\n",
            (unsigned long long)s.generated, (unsigned long long)s.c_clients, (unsigned long long)s.c_dropped,
            (unsigned long long)s.c_dup, (unsigned long long)s.c_reorder, (unsigned long long)s.c_gap,
            (unsigned long long)s.c_malformed, (unsigned long long)s.c_truncated,
            (unsigned long long)s.c_oversize, (unsigned long long)s.c_stall, (unsigned long long)s.c_shutdown,
            (unsigned long long)s.c_slow_cut);
out:
    sim_fix_stop(&s);
    sim_server_stop(&s);
    sim_gen_free(&s);
    for (int i = 0; i < SIM_MAX_SESSIONS; i++) {
        free(s.sess[i].buf);
        free(s.sess[i].trade_ends);
    }
    sim_t2t_close(s.t2t, false);
    sim_answer_close(s.answer, false);
    free(s.held);
    free(s.msg);
    free(s.line);
    if (s.record)
        fclose(s.record);
    if (s.replay)
        fclose(s.replay);
    if (s.cert_dir[0]) {
        char p[128];
        snprintf(p, sizeof p, "%s/cert.pem", s.cert_dir);
        unlink(p);
        snprintf(p, sizeof p, "%s/key.pem", s.cert_dir);
        unlink(p);
        rmdir(s.cert_dir);
    }
    return rc;
}
