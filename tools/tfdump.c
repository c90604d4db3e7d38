/* tfdump: print an engine's journal records, from a sequence or following
 * live, decoded by record type. Attaches read-only; never slows the engine.
 *
 *   tfdump [-n INSTANCE] [-d DIR] [-j JOURNAL] [--from SEQ|oldest|live]
 *          [-f|--follow] [-c COUNT] [--type NAME] [--raw]
 *
 * Gaps (the engine lapped us) go to stderr as "gap: ..." and are counted.
 * Exit codes: 0 ok, 1 usage, 2 no engine / no journal, 3 wrong layout
 * version, 4 not a TradeFan segment or corrupt.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/journal.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "tools/tool_util.h"

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void print_record(const tf_journal_slot *s, int raw)
{
    printf("seq=%" PRIu64 " type=%s", s->seq, tf_rec_type_name(s->type));
    if (s->type == TF_REC_SYNTH_TICK && s->length >= sizeof(tf_synth_tick) && !raw) {
        tf_synth_tick t;
        memcpy(&t, s->payload, sizeof t);
        printf(" src_seq=%" PRIu64 " value=%" PRId64 ".%08" PRId64 " created_ns=%" PRIu64
               " hop_ring_ns=%" PRIu64 " due_to_journal_ns=%" PRIu64,
               t.seq, t.value / 100000000, (t.value < 0 ? -t.value : t.value) % 100000000,
               t.t_created_ns, t.t_dequeued_ns - t.t_enqueued_ns, t.t_journaled_ns - t.t_created_ns);
    } else if (s->type == TF_REC_ENGINE_EVENT && s->length >= sizeof(tf_engine_event) && !raw) {
        tf_engine_event e;
        memcpy(&e, s->payload, sizeof e);
        const char *kind = e.kind == TF_ENGINE_STARTED ? "started"
                           : e.kind == TF_ENGINE_STOPPING ? "stopping" : "unknown";
        printf(" kind=%s pid=%d realtime_ns=%" PRIu64 " journal_head=%" PRIu64, kind, e.pid,
               e.realtime_ns, e.arg);
    } else {
        printf(" len=%u hex=", s->length);
        for (unsigned i = 0; i < s->length; i++)
            printf("%02x", s->payload[i]);
    }
    putchar('\n');
}

static void usage(FILE *f)
{
    fprintf(f, "usage: tfdump [-n INSTANCE] [-d DIR] [-j JOURNAL] [--from SEQ|oldest|live]\n"
               "              [-f|--follow] [-c COUNT] [--type NAME] [--raw]\n");
}

int main(int argc, char **argv)
{
    const char *instance = getenv("TRADEFAN_INSTANCE") ? getenv("TRADEFAN_INSTANCE") : "dev";
    const char *dir = "/dev/shm", *journal_path = NULL, *type_name = NULL;
    uint64_t from = TF_JOURNAL_FROM_OLDEST, count = UINT64_MAX;
    int follow = 0, raw = 0;
    static const struct option opts[] = {
        {"instance", required_argument, NULL, 'n'}, {"dir", required_argument, NULL, 'd'},
        {"journal", required_argument, NULL, 'j'},  {"from", required_argument, NULL, 'F'},
        {"follow", no_argument, NULL, 'f'},         {"count", required_argument, NULL, 'c'},
        {"type", required_argument, NULL, 't'},     {"raw", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
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
        case 't': type_name = optarg; break;
        case 'c':
            count = strtoull(optarg, &end, 10);
            if (*end || !*optarg) { fprintf(stderr, "tfdump: bad --count '%s'\n", optarg); return 1; }
            break;
        case 'F':
            if (strcmp(optarg, "oldest") == 0) from = TF_JOURNAL_FROM_OLDEST;
            else if (strcmp(optarg, "live") == 0) from = TF_JOURNAL_FROM_LIVE;
            else {
                from = strtoull(optarg, &end, 10);
                if (*end || !*optarg || from == 0) {
                    fprintf(stderr, "tfdump: --from takes a sequence >= 1, oldest or live\n");
                    return 1;
                }
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    int type_filter = -1;
    if (type_name) {
        for (int t = 0; t < TF_REC_TYPE_COUNT; t++)
            if (strcmp(type_name, tf_rec_type_name((uint32_t)t)) == 0)
                type_filter = t;
        if (type_filter < 0) {
            fprintf(stderr, "tfdump: unknown record type '%s'\n", type_name);
            return 1;
        }
    }
    char path[256];
    if (!journal_path) {
        if (tf_segment_path(path, sizeof path, dir, instance, "md") != 0) {
            fprintf(stderr, "tfdump: %s\n", tf_err_msg());
            return 1;
        }
        journal_path = path;
    }
    tf_segment seg;
    tf_seg_status st = tf_segment_attach(&seg, journal_path, TF_SEG_KIND_JOURNAL);
    if (st != TF_SEG_OK) {
        if (st == TF_SEG_NOT_THERE)
            fprintf(stderr, "tfdump: no journal for engine '%s' in %s (is it running? start it with `make run`)\n",
                    instance, dir);
        else
            fprintf(stderr, "tfdump: %s\n", tf_err_msg());
        return tool_exit_code(st);
    }
    tf_journal j;
    if (tf_journal_attach(&j, &seg) != 0) {
        fprintf(stderr, "tfdump: %s\n", tf_err_msg());
        tf_segment_close(&seg);
        return 4;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, on_signal);

    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, from);
    tf_journal_slot *slot = malloc(j.slot_size);
    if (!slot) {
        tf_segment_close(&seg);
        return 1;
    }
    uint64_t printed = 0;
    while (printed < count && !stop_requested) {
        tf_journal_read_rc rc = tf_journal_read(&r, slot);
        if (rc == TF_JR_OK) {
            if (type_filter < 0 || slot->type == type_filter) {
                print_record(slot, raw);
                printed++;
            }
            continue;
        }
        if (rc == TF_JR_GAP) {
            fprintf(stderr, "gap: missed sequences %" PRIu64 "..%" PRIu64 " (%" PRIu64 " records)\n",
                    r.last_gap_from, r.last_gap_to, r.last_gap_to - r.last_gap_from + 1);
            continue;
        }
        /* Caught up. */
        if (!follow)
            break;
        if (tf_segment_owner(&seg, tf_now_ns(), NULL) != TF_OWNER_LIVE &&
            tf_journal_head(&j) < r.next_seq) {
            fprintf(stderr, "tfdump: the engine has stopped and everything is read\n");
            break;
        }
        fflush(stdout);
        usleep(1000);
    }
    fflush(stdout);
    fprintf(stderr, "tfdump: %" PRIu64 " records printed, %" PRIu64 " gaps, %" PRIu64 " records missed\n",
            printed, r.gap_events, r.gap_records);
    free(slot);
    tf_segment_close(&seg);
    return 0;
}
