/* tfdump: print an engine's journal records, decoded by type, one a line.
 *
 *   tfdump [-n INSTANCE] [-d DIR] [-j JOURNAL_PATH] [--from SEQ|oldest|live]
 *          [-f|--follow] [-c COUNT] [--type NAME] [--raw] [-h]
 *
 * Attaches read-only to DIR/tradefan.INSTANCE.md (or JOURNAL_PATH; a
 * disk-backed journal's symlink or file works the same) and reads it with its
 * own tf_journal_reader, so it never slows the engine. Without -f it prints
 * what the journal holds from --from (default oldest) up to the head seen at
 * start; with -f it keeps following, polling every 1 ms while idle, until
 * Ctrl-C/SIGTERM, -c COUNT records, or the engine stops (cleanly or not) and
 * everything it wrote has been read.
 *
 * stdout, one line per record:
 *   seq=7 type=synth_tick src_seq=6 value=100.00000012 created=<mono ns>
 *         hop_ring_ns=<deq-enq> hop_journal_ns=<journaled-deq> due_to_journal_ns=<journaled-created>
 *   seq=1 type=engine_event kind=started pid=4242 time=<UTC> realtime_ns=... journal_head=0
 *   seq=8 type=trade symbol=BTCUSDT kind=trade id=12 price=43210.12 qty=0.01000 side=buy ...
 *   seq=9 type=bar symbol=BTCUSDT open_time=... rev=0 o=.. h=.. l=.. c=.. v=.. qv=.. vwap=.. n=..
 *         (also quote, depth, feed_event; prices at the instrument's precision, read
 *         from the engine's state segment when it is there, else raw units with a 'u')
 *   seq=9 type=unknown(9) len=16 hex=0df0...      (a type this build does not know)
 *   seq=3 type=order_event kind=fill order=12 req=.. strategy=2 symbol=BTCUSDT side=buy ...
 *         (--orders: the order journal, DIR/tradefan.INSTANCE.orders)
 *   --raw: seq=N type=NAME len=L hex=...          (every record undecoded)
 * stderr: "gap: missed sequences A..B (N records)" whenever the engine lapped
 * us (or --from asked for records no longer held), and at exit one line
 * "tfdump: N records printed, G gaps, M records missed".
 *
 * EXIT CODES
 *   0  done: read to the head, -c reached, interrupted, stdout closed, or
 *      (-f) the engine closed or died and everything was read
 *   1  usage error
 *   2  no engine / no journal: the journal segment is not there
 *   3  the journal has another layout version (engine and tools from other builds)
 *   4  not a TradeFan journal, truncated, corrupt, or unreadable (permissions)
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/catalog.h"
#include "shm/journal.h"
#include "shm/orders.h"
#include "shm/parents.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "tools/oob/md_view.h"
#include "tools/oob/tool_util.h"
#include "tools/oob/view.h"

#define IDLE_POLL_NS   1000000L     /* follow: sleep while the journal is idle */
#define OWNER_CHECK_NS 100000000ull /* follow: full liveness check (pid, boot) period */

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Signed difference b - a of two timestamps, or "-" when either is unset. */
static void put_delta(const char *name, uint64_t a, uint64_t b)
{
    if (a && b)
        printf(" %s=%" PRId64, name, (int64_t)(b - a));
    else
        printf(" %s=-", name);
}

static void put_hex(const tf_journal_slot *s, uint32_t max)
{
    uint32_t n = s->length < max ? s->length : max;
    printf(" len=%u%s hex=", s->length, s->length > max ? "(corrupt)" : "");
    for (uint32_t i = 0; i < n; i++)
        printf("%02x", s->payload[i]);
}

static void put_synth_tick(const tf_synth_tick *t)
{
    printf(" src_seq=%" PRIu64 " value=%s created=%" PRIu64, t->seq, view_fixed8(t->value),
           t->t_created_ns);
    put_delta("hop_ring_ns", t->t_enqueued_ns, t->t_dequeued_ns);
    put_delta("hop_journal_ns", t->t_dequeued_ns, t->t_journaled_ns);
    put_delta("due_to_journal_ns", t->t_created_ns, t->t_journaled_ns);
}

static void put_engine_event(const tf_engine_event *e)
{
    const char *kind = e->kind == TF_ENGINE_STARTED    ? "started"
                       : e->kind == TF_ENGINE_STOPPING ? "stopping"
                                                       : NULL;
    if (kind)
        printf(" kind=%s", kind);
    else
        printf(" kind=%u", e->kind);
    char when[40] = "-";
    time_t secs = (time_t)(e->realtime_ns / 1000000000u);
    struct tm tm;
    if (e->realtime_ns && gmtime_r(&secs, &tm)) {
        size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(when + n, sizeof when - n, ".%03uZ", (unsigned)(e->realtime_ns / 1000000u % 1000u));
    }
    printf(" pid=%d time=%s realtime_ns=%" PRIu64 " journal_head=%" PRIu64, e->pid, when, e->realtime_ns,
           e->arg);
}

/* Instruments for prices at their precision: from the engine's state
 * segment when it is there (reloaded when a record names an unknown id). */
static md_view g_md;
static tf_segment g_state_seg;
static const tf_state_table *g_state;
static uint64_t g_md_reload_ns;

static void md_open(const char *dir, const char *instance)
{
    char path[256];
    if (tf_segment_path(path, sizeof path, dir, instance, TF_SEG_STATE) != 0 ||
        tf_segment_attach(&g_state_seg, path, TF_SEG_KIND_STATE) != TF_SEG_OK)
        return; /* prices print as raw units */
    g_state = tf_segment_region(&g_state_seg, TF_REGION_STATE, NULL);
    md_view_load(&g_md, g_state);
}

static void md_refresh(uint32_t id)
{
    if (!g_state || md_view_get(&g_md, id))
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (now - g_md_reload_ns < 1000000000u)
        return;
    g_md_reload_ns = now;
    md_view_load(&g_md, g_state);
}

/* A parent order's event (shm/orders.h: TF_EV_PARENT_*). */
static void put_parent_event(const tf_order_event *ev)
{
    uint32_t i = ev->instrument;
    printf(" symbol=%s side=%s", md_view_symbol(&g_md, i), ev->side ? "sell" : "buy");
    if (ev->kind == TF_EV_PARENT_ACCEPTED) {
        printf(" algo=%s", ev->reason < TF_ALGO_KIND_END ? tf_algo_kind_names[ev->reason] : "?");
        printf(" qty=%s", md_view_qty(&g_md, i, ev->qty));
        printf(" limit=%s", ev->price ? md_view_px(&g_md, i, ev->price) : "none");
    } else if (ev->kind == TF_EV_PARENT_CONTROL) {
        printf(" action=%s", ev->reason < TF_ALGO_ACT_END ? tf_algo_action_names[ev->reason] : "?");
        if (ev->qty)
            printf(" qty=%s", md_view_qty(&g_md, i, ev->qty));
        if (ev->price)
            printf(" limit=%s", md_view_px(&g_md, i, ev->price));
    } else {
        printf(" state=%s", ev->reason < TF_ALGO_STATE_END ? tf_algo_state_names[ev->reason] : "?");
        printf(" filled=%s", md_view_qty(&g_md, i, ev->cum_qty));
        printf(" avg_px=%s slippage_bp=%.3f", ev->last_px ? md_view_px(&g_md, i, ev->last_px) : "-",
               (double)ev->arg / 1000.0);
    }
}

/* An order event: what happened, to which order, its terms after it. */
static void put_order_event(const tf_order_event *ev)
{
    uint32_t i = ev->instrument;
    printf(" kind=%s order=%" PRIu64 " req=%" PRIu64 " strategy=%u",
           ev->kind < TF_EV_KIND_COUNT ? tf_event_kind_names[ev->kind] : "?", ev->order_id,
           ev->client_req_id, ev->strategy);
    if (ev->kind <= TF_EV_EXPIRED || ev->kind == TF_EV_ILLEGAL || ev->kind == TF_EV_RESOLVED ||
        ev->kind == TF_EV_OUT_OF_BAND_FILL) {
        printf(" symbol=%s side=%s type=%s price=%s", md_view_symbol(&g_md, i), ev->side ? "sell" : "buy",
               ev->type ? "market" : "limit", md_view_px(&g_md, i, ev->price));
        printf(" qty=%s", md_view_qty(&g_md, i, ev->qty));
        printf(" filled=%s state=%s", md_view_qty(&g_md, i, ev->cum_qty),
               ev->state < TF_OS_COUNT ? tf_ord_state_names[ev->state] : "?");
    }
    if (ev->kind == TF_EV_FILL || ev->kind == TF_EV_OUT_OF_BAND_FILL) {
        printf(" last_px=%s", md_view_px(&g_md, i, ev->last_px));
        printf(" last_qty=%s fee=%s", md_view_qty(&g_md, i, ev->last_qty), view_fixed8(ev->fee));
        printf(" liquidity=%s", ev->reason == 1 ? "maker" : ev->reason == 2 ? "taker" : "-");
    } else if (ev->kind >= TF_EV_PARENT_ACCEPTED && ev->kind <= TF_EV_PARENT_STATE) {
        put_parent_event(ev);
        printf(" time=%s", md_view_time(ev->realtime_ns));
        return;
    } else if (ev->kind == TF_EV_POSITION) {
        printf(" symbol=%s qty=%s avg_px=%s", md_view_symbol(&g_md, i), md_view_qty(&g_md, i, ev->qty),
               md_view_px(&g_md, i, ev->price));
        printf(" realized=%s", view_fixed8(ev->arg));
        printf(" unrealized=%s", view_fixed8(ev->cum_qty));
        printf(" fees=%s mark=%s", view_fixed8(ev->fee), md_view_px(&g_md, i, ev->last_px));
    }
    if (ev->reason && ev->kind != TF_EV_FILL && ev->kind != TF_EV_OUT_OF_BAND_FILL)
        printf(" reason=%s", ev->kind == TF_EV_LIMIT_SET
                                 ? (ev->reason < TF_LIM_COUNT ? tf_limit_names[ev->reason] : "?")
                                 : (ev->reason < TF_RJ_REASON_COUNT ? tf_reject_reason_names[ev->reason] : "?"));
    if (ev->kind >= TF_EV_KILL && ev->kind != TF_EV_ILLEGAL && ev->kind != TF_EV_POSITION)
        printf(" arg=%" PRId64, ev->arg);
    if (ev->kind == TF_EV_ACCEPTED && ev->arg)
        printf(" parent=%" PRId64, ev->arg);
    printf(" time=%s", md_view_time(ev->realtime_ns));
}

/* One record, one line. `max` is the journal's payload size. */
static void print_record(const tf_journal_slot *s, uint32_t max, int raw)
{
    printf("seq=%" PRIu64 " type=", s->seq);
    if (s->type > TF_REC_NONE && s->type < TF_REC_TYPE_COUNT)
        printf("%s", tf_rec_type_name(s->type));
    else
        printf("unknown(%u)", s->type);
    if (!raw && s->type == TF_REC_SYNTH_TICK && s->length >= sizeof(tf_synth_tick) && s->length <= max) {
        tf_synth_tick t;
        memcpy(&t, s->payload, sizeof t);
        put_synth_tick(&t);
    } else if (!raw && s->type == TF_REC_ENGINE_EVENT && s->length >= sizeof(tf_engine_event) &&
               s->length <= max) {
        tf_engine_event e;
        memcpy(&e, s->payload, sizeof e);
        put_engine_event(&e);
    } else if (!raw && s->type >= TF_REC_MD_TRADE && s->type <= TF_REC_MD_FEED_EVENT && s->length <= max) {
        uint32_t id;
        memcpy(&id, s->payload, sizeof id); /* every md record starts with the instrument id */
        if (s->type != TF_REC_MD_FEED_EVENT)
            md_refresh(id);
        if (!md_view_record(stdout, &g_md, s->type, s->payload, s->length))
            put_hex(s, max);
    } else if (!raw && s->type == TF_REC_ORDER_EVENT && s->length >= sizeof(tf_order_event) &&
               s->length <= max) {
        tf_order_event ev;
        memcpy(&ev, s->payload, sizeof ev);
        md_refresh(ev.instrument);
        put_order_event(&ev);
    } else {
        put_hex(s, max);
    }
    putchar('\n');
}

/* Attach the journal; on failure say why (like tfstat) and return the exit code. */
static int open_journal(tf_segment *seg, tf_journal *j, const char *path, int explicit_path,
                        const char *dir, const char *instance)
{
    tf_seg_status st = view_attach(seg, "tfdump", path, TF_SEG_KIND_JOURNAL);
    if (st == TF_SEG_NOT_THERE) {
        char stats[256], target[256];
        struct stat sb;
        ssize_t n;
        if (explicit_path)
            fprintf(stderr, "tfdump: no journal at %s\n", path);
        else if ((n = readlink(path, target, sizeof target - 1)) > 0)
            fprintf(stderr,
                    "tfdump: %s links to %.*s, which is not there (disk journal moved or removed?)\n",
                    path, (int)n, target);
        else if (tf_segment_path(stats, sizeof stats, dir, instance, TF_SEG_STATS) == 0 &&
                 stat(stats, &sb) == 0)
            fprintf(stderr, "tfdump: engine '%s' in %s has no md journal (%s is not there)\n", instance,
                    dir, path);
        else
            view_no_engine("tfdump", instance, dir);
        return 2;
    }
    if (st != TF_SEG_OK)
        return tool_exit_code(st);
    if (tf_journal_attach(j, seg) != 0) {
        fprintf(stderr, "tfdump: %s\n", tf_err_msg());
        tf_segment_close(seg);
        return 4;
    }
    return 0;
}

/* Follow mode, caught up: has the writer stopped for good? Then say so. */
static int writer_gone(const tf_segment *seg, const tf_journal_reader *r, uint64_t *next_check)
{
    uint64_t now = tf_now_ns();
    int closed = tf_load_32(&seg->hdr->owner_state) == TF_OWNER_STATE_CLOSED;
    tf_seg_owner o = TF_OWNER_LIVE;
    if (closed)
        o = TF_OWNER_CLOSED;
    else if (now >= *next_check) { /* kill(0) and /proc reads: not every millisecond */
        *next_check = now + OWNER_CHECK_NS;
        o = tf_segment_owner(seg, now, NULL);
    }
    if (o == TF_OWNER_LIVE)
        return 0;
    tf_fence_acquire(); /* the owner state before the head: a last append is seen */
    if (tf_journal_head(&r->j) >= r->next_seq)
        return 0;
    if (o == TF_OWNER_CLOSED)
        fprintf(stderr, "tfdump: the engine closed the journal and everything is read\n");
    else
        fprintf(stderr,
                "tfdump: engine pid %d is gone without closing the journal (crashed or killed); "
                "everything it wrote is read\n",
                seg->hdr->owner_pid);
    return 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tfdump [-n INSTANCE] [-d DIR] [-j JOURNAL_PATH] [--from SEQ|oldest|live]\n"
            "              [-f|--follow] [-c COUNT] [--type NAME] [--raw] [--orders] [-h]\n"
            "  -n, --instance NAME  engine instance (default $TRADEFAN_INSTANCE, else dev)\n"
            "  -d, --dir DIR        segment directory (default /dev/shm)\n"
            "  -j, --journal PATH   read this journal file instead of DIR/tradefan.INSTANCE.md\n"
            "      --from WHERE     first sequence: a number, oldest (default) or live (next written)\n"
            "  -f, --follow         keep reading new records until Ctrl-C or the engine stops\n"
            "  -c, --count N        stop after N records printed\n"
            "      --type NAME      only records of this type (synth_tick, engine_event or a number)\n"
            "      --raw            do not decode: hex payloads\n"
            "      --orders         the order journal (DIR/tradefan.INSTANCE.orders) instead of md\n"
            "exit: 0 ok, 1 usage, 2 no engine/journal, 3 wrong layout version, 4 not a journal or "
            "corrupt\n");
}

int main(int argc, char **argv)
{
    const char *instance = getenv("TRADEFAN_INSTANCE") && *getenv("TRADEFAN_INSTANCE")
                               ? getenv("TRADEFAN_INSTANCE")
                               : "dev";
    const char *dir = "/dev/shm", *journal_path = NULL;
    uint64_t from = TF_JOURNAL_FROM_OLDEST, count = UINT64_MAX;
    int follow = 0, raw = 0, orders = 0;
    long type_filter = -1;
    static const struct option opts[] = {
        {"instance", required_argument, NULL, 'n'}, {"dir", required_argument, NULL, 'd'},
        {"journal", required_argument, NULL, 'j'},  {"from", required_argument, NULL, 'F'},
        {"follow", no_argument, NULL, 'f'},         {"count", required_argument, NULL, 'c'},
        {"type", required_argument, NULL, 't'},     {"raw", no_argument, NULL, 'r'},
        {"orders", no_argument, NULL, 'o'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "n:d:j:fc:h", opts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'n': instance = optarg; break;
        case 'd': dir = optarg; break;
        case 'j': journal_path = optarg; break;
        case 'f': follow = 1; break;
        case 'r': raw = 1; break;
        case 'o': orders = 1; break;
        case 'c':
            count = strtoull(optarg, &end, 10);
            if (!*optarg || *end || *optarg == '-' || count == 0) {
                fprintf(stderr, "tfdump: -c wants a record count >= 1, not '%s'\n", optarg);
                return 1;
            }
            break;
        case 'F':
            if (strcmp(optarg, "oldest") == 0) {
                from = TF_JOURNAL_FROM_OLDEST;
            } else if (strcmp(optarg, "live") == 0) {
                from = TF_JOURNAL_FROM_LIVE;
            } else {
                from = strtoull(optarg, &end, 10);
                if (!*optarg || *end || *optarg == '-' || from == 0 || from == TF_JOURNAL_FROM_LIVE) {
                    fprintf(stderr, "tfdump: --from wants a sequence >= 1, oldest or live, not '%s'\n",
                            optarg);
                    return 1;
                }
            }
            break;
        case 't':
            for (uint32_t t = 1; t < TF_REC_TYPE_COUNT; t++)
                if (strcmp(optarg, tf_rec_type_name(t)) == 0)
                    type_filter = t;
            if (type_filter < 0) {
                type_filter = strtol(optarg, &end, 10);
                if (!*optarg || *end || type_filter < 0 || type_filter > 65535) {
                    fprintf(stderr, "tfdump: unknown record type '%s' (known:", optarg);
                    for (uint32_t t = 1; t < TF_REC_TYPE_COUNT; t++)
                        fprintf(stderr, " %s", tf_rec_type_name(t));
                    fprintf(stderr, ", or a number)\n");
                    return 1;
                }
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tfdump: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 1;
    }
    char path[256];
    int explicit_path = journal_path != NULL;
    if (!explicit_path) {
        if (tf_segment_path(path, sizeof path, dir, instance, orders ? TF_SEG_ORDERS : TF_SEG_MD) != 0) {
            fprintf(stderr, "tfdump: %s\n", tf_err_msg());
            return 1;
        }
        journal_path = path;
    }
    tf_segment seg;
    tf_journal j;
    int rc = open_journal(&seg, &j, journal_path, explicit_path, dir, instance);
    if (rc != 0)
        return rc;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a signal cuts the idle sleep short */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL); /* reader of stdout gone: stop, still summarise */

    if (!raw)
        md_open(dir, instance);
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, from);
    uint64_t end_seq = tf_journal_head(&j); /* without -f: stop at the head seen now */
    if (!follow && from != TF_JOURNAL_FROM_LIVE && r.next_seq > end_seq + 1)
        fprintf(stderr,
                "tfdump: sequence %" PRIu64 " is not written yet (head %" PRIu64 "); use -f to wait\n",
                r.next_seq, end_seq);
    tf_journal_slot *slot = malloc(j.slot_size);
    if (!slot) {
        fprintf(stderr, "tfdump: out of memory\n");
        tf_segment_close(&seg);
        return 1;
    }
    uint64_t printed = 0, next_check = 0;
    uint32_t max = tf_journal_payload_max(&j);
    while (printed < count && !stop_requested && (follow || r.next_seq <= end_seq)) {
        tf_journal_read_rc res = tf_journal_read(&r, slot);
        if (res == TF_JR_OK) {
            if (type_filter < 0 || slot->type == type_filter) {
                print_record(slot, max, raw);
                printed++;
            }
        } else if (res == TF_JR_GAP) {
            fflush(stdout); /* keep stdout and stderr in order on a terminal */
            fprintf(stderr, "gap: missed sequences %" PRIu64 "..%" PRIu64 " (%" PRIu64 " records)\n",
                    r.last_gap_from, r.last_gap_to, r.last_gap_to - r.last_gap_from + 1);
        } else if (!follow || writer_gone(&seg, &r, &next_check)) {
            break; /* caught up */
        } else {
            fflush(stdout);
            struct timespec ts = {0, IDLE_POLL_NS};
            nanosleep(&ts, NULL);
        }
    }
    fflush(stdout);
    fprintf(stderr,
            "tfdump: %" PRIu64 " records printed, %" PRIu64 " gaps, %" PRIu64 " records missed\n",
            printed, r.gap_events, r.gap_records);
    free(slot);
    if (g_state)
        tf_segment_close(&g_state_seg);
    tf_segment_close(&seg);
    return 0;
}
