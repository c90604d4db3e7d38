/* tfsim: the local exchange simulator (market-data half).
 *
 *   tfsim [--port P] [--bind ADDR] [--port-file F] [--tls] [--symbols A,B]
 *         [--seed N] [--rate MSGS_PER_S] [--mix trade,aggTrade,bookTicker,depth,kline]
 *         [--messages N] [--duration S] [--replay FILE] [--record FILE]
 *         [--start-file F] [--ping-interval S] [--book-dump F]
 *         [--fault KIND[:k=v,...]]...
 *
 * Serves Binance spot streams (ws://ADDR:P/ws/<stream>, /stream?streams=a/b,
 * SUBSCRIBE/UNSUBSCRIBE) and GET /api/v3/depth on one port; --tls serves
 * wss/https with a self-signed certificate made at start. The schedule
 * starts when the first client connects: message i is due at start + i/rate
 * (--start-file gets start in CLOCK_MONOTONIC ns). --messages N stops
 * generating after N (prints "tfsim: generation done") but keeps serving, so
 * a test can compare books. Faults (each repeatable):
 *   drop:every=N       close each connection after every N messages sent to it
 *   dup:every=N        send every Nth trade twice
 *   reorder:every=N    swap every Nth trade with the next one
 *   gap:every=N        skip update ids in every Nth depthUpdate (a book gap)
 *   malformed:every=N  an invalid JSON message every N messages
 *   truncate:every=N   a message cut in half every N messages
 *   oversize:every=N   a 2 MiB message every N messages
 *   stall:ms=M,every=N send nothing for M ms every N messages
 *   shutdown:after=N   serverShutdown after N messages, then close
 * SIGINT/SIGTERM: exit cleanly, printing what was sent and injected. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/tfsim/sim.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t kv(const char *spec, const char *key, int *found)
{
    const char *p = strstr(spec, key);
    size_t n = strlen(key);
    if (!p || p[n] != '=')
        return 0;
    *found = 1;
    return strtoull(p + n + 1, NULL, 10);
}

static int parse_fault(sim *s, const char *spec)
{
    int f = 0;
    sim_fault *x = &s->fault;
    if (strncmp(spec, "drop", 4) == 0) x->drop_every = kv(spec, "every", &f);
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
                        "shutdown:after=5000)\n", spec);
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

static void usage(void)
{
    fprintf(stderr,
            "usage: tfsim [--port P] [--bind ADDR] [--port-file F] [--tls] [--symbols A,B] [--seed N]\n"
            "             [--rate MSGS_PER_S] [--mix trade,aggTrade,bookTicker,depth,kline] [--messages N]\n"
            "             [--duration S] [--replay FILE] [--record FILE] [--start-file F]\n"
            "             [--ping-interval S] [--book-dump F] [--fault KIND[:k=v,...]]...\n");
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
    parse_symbols(&s, "BTCUSDT,ETHUSDT,SOLUSDT");
    static const struct option opts[] = {
        {"port", 1, NULL, 'p'},        {"bind", 1, NULL, 'b'},       {"port-file", 1, NULL, 'P'},
        {"tls", 0, NULL, 't'},         {"symbols", 1, NULL, 's'},    {"seed", 1, NULL, 'S'},
        {"rate", 1, NULL, 'r'},        {"mix", 1, NULL, 'm'},        {"messages", 1, NULL, 'n'},
        {"duration", 1, NULL, 'd'},    {"replay", 1, NULL, 'R'},     {"record", 1, NULL, 'W'},
        {"start-file", 1, NULL, 'T'},  {"ping-interval", 1, NULL, 'i'}, {"book-dump", 1, NULL, 'B'},
        {"fault", 1, NULL, 'f'},       {"help", 0, NULL, 'h'},       {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'p': s.port = atoi(optarg); break;
        case 'b': s.bind = optarg; break;
        case 'P': s.port_file = optarg; break;
        case 't': s.tls = true; break;
        case 's': if (parse_symbols(&s, optarg)) return 1; break;
        case 'S': s.seed = strtoull(optarg, NULL, 10); break;
        case 'r': s.rate = strtoull(optarg, NULL, 10); break;
        case 'm': if (parse_mix(&s, optarg)) return 1; break;
        case 'n': s.messages = strtoull(optarg, NULL, 10); break;
        case 'd': s.duration = atof(optarg); break;
        case 'R': s.replay_file = optarg; break;
        case 'W': s.record_file = optarg; break;
        case 'T': s.start_file = optarg; break;
        case 'i': s.ping_s = strtoull(optarg, NULL, 10); break;
        case 'B': s.book_dump = optarg; break;
        case 'f': if (parse_fault(&s, optarg)) return 1; break;
        case 'h': usage(); return 0;
        default: usage(); return 1;
        }
    }
    if (optind < argc || s.rate == 0 || s.rate > 100000000 || s.port < 0 || s.port > 65535) {
        usage();
        return 1;
    }
    if (s.replay_file && !(s.replay = fopen(s.replay_file, "r"))) {
        fprintf(stderr, "tfsim: cannot read %s\n", s.replay_file);
        return 1;
    }
    if (s.record_file && !(s.record = fopen(s.record_file, "w"))) {
        fprintf(stderr, "tfsim: cannot write %s\n", s.record_file);
        return 1;
    }
    s.msg = malloc(SIM_MSG_MAX);
    if (!s.msg)
        return 1;
    sim_gen_init(&s);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = 0;
    if (sim_server_start(&s) != 0) {
        rc = 2;
        goto out;
    }
    fprintf(stderr, "tfsim: listening on %s://%s:%d (symbols:", s.tls ? "wss" : "ws", s.bind, s.port);
    for (uint32_t i = 0; i < s.nsym; i++)
        fprintf(stderr, " %s", s.sym[i].name);
    fprintf(stderr, ", %llu msgs/s, seed %llu)\n", (unsigned long long)s.rate, (unsigned long long)s.seed);
    if (s.port_file) {
        FILE *f = fopen(s.port_file, "w");
        if (f) {
            fprintf(f, "%d\n", s.port);
            fclose(f);
        }
    }
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
            if (s.start_file) {
                FILE *f = fopen(s.start_file, "w");
                if (f) {
                    fprintf(f, "%llu\n", (unsigned long long)s.start_ns);
                    fclose(f);
                }
            }
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
        /* Idle: sleep until the next message is due (at most 1 ms). */
        uint64_t next = s.started && !s.gen_done ? s.start_ns + (uint64_t)((double)s.generated / per_ns) : now + 1000000;
        if (next > now + 50000) {
            uint64_t d = next - now > 1000000 ? 1000000 : next - now - 20000;
            struct timespec ts = {0, (long)d};
            nanosleep(&ts, NULL);
        }
    }
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
    sim_server_stop(&s);
    for (int i = 0; i < SIM_MAX_SESSIONS; i++)
        free(s.sess[i].buf);
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
