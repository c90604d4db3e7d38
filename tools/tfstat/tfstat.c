/* tfstat: look inside an engine — running, cleanly stopped or crashed.
 *
 *   tfstat [-n INSTANCE] [-d DIR] [-w] [-i SECONDS] [-c COUNT] [--once]
 *          [--json] [--check] [--no-color] [-h]
 *
 * Attaches read-only to DIR/tradefan.INSTANCE.{stats,state,rings,requests,md}
 * (AeronStat-style) and prints the engine's status, threads (duty cycle,
 * heartbeat), stages, counters with rates, latency histograms, rings, the
 * journal, the state slots and the distinct-error log. Only the stats segment
 * is required; a missing optional segment shows as "not present".
 *
 * Rates and duty cycles are differences between two samples: 200 ms apart in
 * print-once mode, one refresh interval apart when watching (-w, or -c COUNT
 * frames). A watch redraws in place on a terminal and prints frames separated
 * by a blank line otherwise; Ctrl-C ends it. When the engine stops and a new
 * one replaces its segments, a watch attaches to the new ones.
 *
 * EXIT CODES
 *   0  printed; the engine may be LIVE, CLOSED or DEAD (a crashed engine's
 *      segments are shown, with a DEAD banner, for post-mortem)
 *   1  usage error; with --check: anything but a LIVE engine whose heartbeat
 *      is younger than 2 s (no engine, stopped, crashed, stuck, unreadable)
 *   2  no engine: DIR/tradefan.INSTANCE.stats is not there
 *   3  a segment has another layout version (engine and tools from other builds)
 *   4  not a TradeFan segment, truncated, corrupt, or unreadable (permissions)
 * A problem in an optional segment is shown in its section, and the exit
 * code is then 3 or 4 as above.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/oob/tool_util.h"
#include "tools/oob/stat/tfstat.h"

#define CHECK_MAX_AGE_NS   2000000000ull /* --check: heartbeat younger than this */
#define FIRST_SAMPLE_GAP_S 0.2           /* print-once: the two samples for rates */

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}
static int use_color;

/* The sections in the order each output shows them. */
typedef void section_fn(render *r, const frame *fr);
static section_fn *const text_sections[] = {
    section_header, section_threads, section_stages, section_counters, section_hists, section_rings,
    section_journal, section_state, section_orders, section_parents, section_venue, section_exporters,
    section_errors,
};

/* ---- modes ------------------------------------------------------------------ */

/* --check: exit 0 only for a LIVE engine with a fresh heartbeat. */
static int run_check(const char *dir, const char *inst)
{
    char path[256];
    tf_segment seg;
    if (tf_segment_path(path, sizeof path, dir, inst, TF_SEG_STATS) != 0) {
        fprintf(stderr, "tfstat: %s\n", tf_err_msg());
        return 1;
    }
    tf_seg_status st = view_attach(&seg, "tfstat", path, TF_SEG_KIND_STATS);
    if (st == TF_SEG_NOT_THERE)
        view_no_engine("tfstat", inst, dir);
    if (st != TF_SEG_OK)
        return 1;
    uint64_t age = 0;
    tf_seg_owner o = tf_segment_owner(&seg, tf_now_ns(), &age);
    int pid = seg.hdr->owner_pid;
    tf_segment_close(&seg);
    if (o == TF_OWNER_LIVE && age < CHECK_MAX_AGE_NS) {
        printf("engine '%s' LIVE, pid %d, heartbeat %s ago\n", inst, pid, fmt_dur(age));
        return 0;
    }
    if (o == TF_OWNER_DEAD)
        fprintf(stderr,
                "tfstat: engine '%s' is DEAD: engine pid %d is gone without closing its segments "
                "(crashed or killed)\n",
                inst, pid);
    else if (o == TF_OWNER_CLOSED)
        fprintf(stderr, "tfstat: engine '%s' is CLOSED (cleanly stopped)\n", inst);
    else
        fprintf(stderr, "tfstat: engine '%s' (pid %d) is LIVE but its heartbeat is %s old: stuck?\n",
                inst, pid, fmt_dur(age));
    return 1;
}

/* Sleep, cut short by a signal. */
static void nap(double seconds)
{
    struct timespec ts = {.tv_sec = (time_t)seconds,
                          .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (!stop_requested && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* One frame to stdout. A terminal watch redraws in place: home the cursor,
 * clear each line's tail and everything below, so the screen never blanks. */
static void emit(const tf_view *v, const view_sample *cur, const view_sample *prev, const char *dir,
                 int json, int redraw, long shown)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = redraw ? open_memstream(&buf, &len) : stdout;
    if (!f)
        f = stdout, redraw = 0;
    if (!redraw && shown && !json)
        fputc('\n', f);
    render r = {.f = f, .json = json, .color = use_color};
    frame fr;
    frame_init(&fr, v, cur, prev, dir);
    if (json) {
        tfstat_json_frame(f, v, cur, prev, dir);
    } else {
        for (size_t i = 0; i < TF_ARRAY_LEN(text_sections); i++)
            text_sections[i](&r, &fr);
    }
    if (redraw) {
        fclose(f);
        fputs("\033[H", stdout);
        for (char *line = buf, *nl; line < buf + len; line = nl + 1) {
            nl = memchr(line, '\n', (size_t)(buf + len - line));
            if (!nl)
                nl = buf + len;
            fwrite(line, 1, (size_t)(nl - line), stdout);
            fputs("\033[K\n", stdout);
        }
        fputs("\033[J", stdout);
        free(buf);
    }
    fflush(stdout);
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: tfstat [-n INSTANCE] [-d DIR] [-w] [-i SECONDS] [-c COUNT] [--once]\n"
        "              [--json] [--check] [--no-color] [-h]\n"
        "  -n, --instance NAME  engine instance (default $TRADEFAN_INSTANCE, else dev)\n"
        "  -d, --dir DIR        segment directory (default /dev/shm)\n"
        "  -w, --watch          refresh every -i seconds until Ctrl-C (or -c frames)\n"
        "  -i, --interval SECS  watch period, fractions allowed (default 1)\n"
        "  -c, --count N        print N frames, then exit (implies -w)\n"
        "      --once           print one frame (the default)\n"
        "      --json           one JSON object per frame, for scripts\n"
        "      --check          health check: exit 0 only if LIVE with a heartbeat under 2 s, else 1\n"
        "      --no-color       no ANSI colours (also: NO_COLOR set, or stdout not a terminal)\n"
        "exit: 0 ok (LIVE, CLOSED or DEAD shown), 1 usage/--check failed, 2 no engine,\n"
        "      3 wrong layout version, 4 not a TradeFan segment or corrupt\n");
}

int main(int argc, char **argv)
{
    const char *inst = getenv("TRADEFAN_INSTANCE") && *getenv("TRADEFAN_INSTANCE")
                           ? getenv("TRADEFAN_INSTANCE")
                           : "dev";
    const char *dir = "/dev/shm";
    int watch = 0, once = 0, json = 0, check = 0, no_color = 0;
    double interval = 1.0;
    long frames = 0;
    static const struct option opts[] = {
        {"instance", required_argument, NULL, 'n'},
        {"dir", required_argument, NULL, 'd'},
        {"watch", no_argument, NULL, 'w'},
        {"interval", required_argument, NULL, 'i'},
        {"count", required_argument, NULL, 'c'},
        {"once", no_argument, NULL, 'o'},
        {"json", no_argument, NULL, 'j'},
        {"check", no_argument, NULL, 'k'},
        {"no-color", no_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "n:d:wi:c:h", opts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'n': inst = optarg; break;
        case 'd': dir = optarg; break;
        case 'w': watch = 1; break;
        case 'o': once = 1; break;
        case 'j': json = 1; break;
        case 'k': check = 1; break;
        case 'C': no_color = 1; break;
        case 'i':
            interval = strtod(optarg, &end);
            if (end == optarg || *end || !(interval >= 0.01 && interval <= 86400)) {
                fprintf(stderr, "tfstat: -i wants seconds between 0.01 and 86400, not '%s'\n", optarg);
                return 1;
            }
            break;
        case 'c':
            frames = strtol(optarg, &end, 10);
            if (end == optarg || *end || frames <= 0) {
                fprintf(stderr, "tfstat: -c wants a frame count >= 1, not '%s'\n", optarg);
                return 1;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tfstat: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 1;
    }
    if (check)
        return run_check(dir, inst);
    if (frames)
        watch = 1;
    if (once)
        watch = 0, frames = 1;
    if (!watch)
        frames = 1;
    int tty = isatty(STDOUT_FILENO);
    use_color = tty && !no_color && !json && !getenv("NO_COLOR");

    static tf_view v, fresh;
    int rc = view_open(&v, "tfstat", dir, inst);
    if (rc != 0) {
        view_close(&v);
        return rc;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: a signal cuts the sleep short */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int redraw = watch && tty && !json;
    if (redraw)
        fputs("\033[H\033[2J", stdout);
    static view_sample a, b;
    view_sample *cur = &a, *prev = &b;
    view_take_sample(&v, prev);
    nap(FIRST_SAMPLE_GAP_S);
    for (long shown = 0; !stop_requested;) {
        view_take_sample(&v, cur);
        emit(&v, cur, prev, dir, json, redraw, shown);
        if (frames && ++shown >= frames)
            break;
        nap(interval);
        /* A stopped engine replaced by a new one: follow the new one. */
        if (tf_segment_owner(&v.stats_seg, tf_now_ns(), NULL) != TF_OWNER_LIVE &&
            view_replaced(&v, dir, inst)) {
            if (view_open(&fresh, "tfstat", dir, inst) == 0) {
                view_close(&v);
                v = fresh;
                memset(&fresh, 0, sizeof fresh);
                view_take_sample(&v, prev);
                nap(FIRST_SAMPLE_GAP_S);
                continue;
            }
            view_close(&fresh);
        }
        view_sample *t = prev;
        prev = cur;
        cur = t;
    }
    for (int i = 0; i < VIEW_OPTIONAL; i++)
        if (v.problem[i][0])
            fprintf(stderr, "tfstat: %s segment unusable: %s\n", view_opt_name(i), v.problem[i]);
    view_close(&v);
    return v.worst;
}
