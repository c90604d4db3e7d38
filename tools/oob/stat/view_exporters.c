/* tfstat's out-of-band processes (tfexport-influx, tfexport-redis,
 * tfquery): each owns tradefan.<instance>.<name> with one TF_STATE_EXPORTER
 * slot, attached, read and closed per frame; one not running says so. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shm/common.h"
#include "shm/catalog.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "tools/oob/oob_process.h"
#include "tools/oob/stat/tfstat.h"

static const char *const exporter_segments[] = {"export-influx", "export-redis", "export-influx-orders",
                                                "export-redis-orders", "query"};
#define EXPORTER_COUNT 5

/* tfwatchdog's status segment: one line (text) or "watchdog":{...} (JSON);
 * nothing when it has never run. */
static void watchdog_row(render *r, const frame *fr, const char *inst)
{
    tf_watchdog_status w;
    tf_seg_owner o;
    if (!oob_status_read(fr->dir, inst, TF_WATCHDOG_SEGMENT, TF_STATE_WATCHDOG, &w, sizeof w, &o))
        return;
    char last[sizeof w.last_stage + 1];
    memcpy(last, w.last_stage, sizeof w.last_stage);
    last[sizeof w.last_stage] = 0;
    for (char *c = last; *c; c++)
        if (*c < ' ' || *c > '~' || *c == '"' || *c == '\\')
            *c = '?';
    const char *status = o == TF_OWNER_LIVE ? "live" : o == TF_OWNER_CLOSED ? "stopped" : "DEAD";
    if (r->json) {
        fprintf(r->f, ",\"watchdog\":{\"status\":\"%s\",\"stall_ms\":%llu,\"stalled_now\":%u,\"stalls\":%llu,"
                "\"last_stage\":\"%s\",\"worst_age_ns\":%llu,\"kills_sent\":%llu,\"kills_failed\":%llu}",
                status, (unsigned long long)(w.stall_ns / 1000000), w.stalled_now, (unsigned long long)w.stalls, last,
                (unsigned long long)w.worst_age_ns, (unsigned long long)w.kills_sent,
                (unsigned long long)w.kills_failed);
        return;
    }
    fprintf(r->f, "  %-14s %s%-7s%s stalled now %s%u%s   stalls %llu%s%s%s   oldest heartbeat %.1f ms   "
            "kill requests %llu (%llu not taken)\n", "watchdog",
            o == TF_OWNER_LIVE ? render_paint(r, GREEN) : render_paint(r, RED), status, render_paint(r, RESET),
            w.stalled_now ? render_paint(r, RED) : "", w.stalled_now, w.stalled_now ? render_paint(r, RESET) : "",
            (unsigned long long)w.stalls, w.stalls ? " (last: " : "", w.stalls ? last : "", w.stalls ? ")" : "",
            (double)w.worst_age_ns / 1e6, (unsigned long long)w.kills_sent, (unsigned long long)w.kills_failed);
}

/* A row per exporter. tfquery's record is the same, but its text reads it
 * differently (journal position, requests served, errors), so it has text
 * columns of its own and the exporters' text columns are hidden for it, and
 * the other way round (`hide`). */
enum { X_NAME, X_STATUS, X_CONNECTED, X_Q_POS, X_HEAD, X_Q_REQUESTS, X_Q_ERRORS, X_POSITION, X_LAG, X_BEHIND,
       X_EXPORTED, X_BATCHES, X_RETRIES, X_REJECTED, X_GAPS, X_GAP_RECORDS, X_END, X_COLS };
static const rcol exporter_cols[X_COLS] = {
    [X_NAME] = {.fmt = RF_STR}, /* JSON: the member's name */
    [X_STATUS] = {.pre = " ", .width = -7, .key = "status", .fmt = RF_STR},
    [X_CONNECTED] = {.pre = " ", .key = "connected", .fmt = RF_U64},
    [X_Q_POS] = {.pre = " journal ", .fmt = RF_U64},
    [X_HEAD] = {.pre = "/", .key = "journal_head", .fmt = RF_U64},
    [X_Q_REQUESTS] = {.pre = "   requests ", .fmt = RF_U64},
    [X_Q_ERRORS] = {.pre = "   errors ", .fmt = RF_U64},
    [X_POSITION] = {.key = "position", .fmt = RF_U64},
    [X_LAG] = {.pre = "   lag ", .key = "lag_records", .fmt = RF_U64},
    [X_BEHIND] = {.pre = " records, behind ", .key = "behind_ns", .fmt = RF_U64},
    [X_EXPORTED] = {.pre = " s   exported ", .key = "exported", .fmt = RF_U64},
    [X_BATCHES] = {.pre = "   batches ", .key = "batches", .fmt = RF_U64},
    [X_RETRIES] = {.pre = "   retries ", .key = "retries", .fmt = RF_U64},
    [X_REJECTED] = {.pre = "   rejected ", .key = "rejected", .fmt = RF_U64},
    [X_GAPS] = {.pre = "   gaps ", .key = "gaps", .fmt = RF_U64},
    [X_GAP_RECORDS] = {.pre = " (", .key = "gap_records", .fmt = RF_U64},
    [X_END] = {.pre = " records)", .fmt = RF_STR},
};
static const int exporter_json_order[] = {X_STATUS, X_CONNECTED, X_POSITION, X_HEAD, X_LAG, X_BEHIND,
                                          X_EXPORTED, X_BATCHES, X_RETRIES, X_REJECTED, X_GAPS,
                                          X_GAP_RECORDS, -1};

void section_exporters(render *r, const frame *fr)
{
    const char *inst = fr->v->stats_seg.hdr->instance;
    rtable t = {.title = "exporters (out of band)", .cols = exporter_cols, .ncols = X_COLS, .name_width = 14,
                .keyed = 1, .json_order = exporter_json_order};
    if (r->json)
        fputs(",\"exporters\":{", r->f);
    else
        fprintf(r->f, "\n%s\n", t.title);
    for (int i = 0; i < EXPORTER_COUNT; i++) {
        tf_exporter_status st = {0};
        tf_seg_owner o = TF_OWNER_DEAD;
        const char *name = exporter_segments[i];
        int running = oob_status_read(fr->dir, inst, name, TF_STATE_EXPORTER, &st, sizeof st, &o);
        if (!running && (r->json || strstr(name, "-orders")))
            continue; /* the order-journal followers run only with an order path */
        int query = strcmp(name, "query") == 0;
        uint64_t lag = st.journal_head + 1 > st.position ? st.journal_head + 1 - st.position : 0;
        char behind[32];
        snprintf(behind, sizeof behind, "%.1f", (double)st.behind_ns / 1e9);
        rcell c[X_COLS] = {
            [X_NAME] = {.s = name},
            [X_STATUS] = {.s = o == TF_OWNER_LIVE ? "live" : o == TF_OWNER_CLOSED ? "closed" : "dead",
                          .text = !running ? "not running"
                                  : o == TF_OWNER_LIVE ? "live" : o == TF_OWNER_CLOSED ? "stopped" : "DEAD"},
            [X_CONNECTED] = {.u = st.connected, .text = st.connected ? "connected" : "NOT CONNECTED"},
            [X_Q_POS] = {.u = st.position ? st.position - 1 : 0},
            [X_HEAD] = {.u = st.journal_head},
            [X_Q_REQUESTS] = {.u = st.exported},
            [X_Q_ERRORS] = {.u = st.rejected},
            [X_POSITION] = {.u = st.position},
            [X_LAG] = {.u = lag},
            [X_BEHIND] = {.u = st.behind_ns, .text = behind},
            [X_EXPORTED] = {.u = st.exported},
            [X_BATCHES] = {.u = st.batches},
            [X_RETRIES] = {.u = st.retries},
            [X_REJECTED] = {.u = st.rejected},
            [X_GAPS] = {.u = st.gaps},
            [X_GAP_RECORDS] = {.u = st.gap_records},
        };
        for (int k = X_CONNECTED; k < X_COLS; k++) /* which text: the query's, an exporter's, or none */
            c[k].hide = !running || (k >= X_Q_POS && k <= X_Q_ERRORS) != query;
        render_row(r, &t, c);
    }
    if (r->json)
        fputc('}', r->f);
    watchdog_row(r, fr, inst);
}
