/* tfstat's exchange I/O stage: one line per FIX session (state, heartbeat
 * age, last order round trip, messages, rejects, connects, garbled
 * messages, resend requests, rate-limit holds) and the stage's order
 * figures; from the stats segment's exio counters, found by their names in
 * the catalogue (shm/catalog.h; the session ones labelled session=N).
 * Then, for each session not logged on, its problem in words from its
 * state slot ("fix/<n>", tf_venue_session_status): halted after the venue
 * reset its sequence numbers (and what to do), a refused Logon with the
 * venue's reason, why it last went down, outside the schedule's hours
 * (JSON: every session's last problem, with its time). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shm/catalog.h"
#include "shm/orders.h"
#include "shm/records.h"
#include "shm/state.h"
#include "tools/oob/stat/tfstat.h"

#define VENUE_VIEW_SESSIONS 8
#define NO_COUNTER TF_CTR_COUNT

/* A line per session; the JSON keys are the counters' catalogue names
 * without "fix_" (filled in by venue_cols()). */
enum { V_SESSION, V_STATE, V_HB, V_RTT, V_IN, V_OUT, V_REJECTS, V_CONNECTS, V_GARBLED, V_RESENDS, V_LIMITED,
       V_COLS };
static const rcol session_cols[V_COLS] = {
    [V_SESSION] = {.key = "session", .fmt = RF_U64},
    [V_STATE] = {"state", -12, " ", "state", RF_STR},
    [V_HB] = {"hb_age", 8, " ", NULL, RF_U64},
    [V_RTT] = {"order_rtt", 10, " ", NULL, RF_U64},
    [V_IN] = {"msgs_in", 10, " ", NULL, RF_U64},
    [V_OUT] = {"msgs_out", 10, " ", NULL, RF_U64},
    [V_REJECTS] = {"rejects", 7, " ", NULL, RF_U64},
    [V_CONNECTS] = {"connects", 8, " ", NULL, RF_U64},
    [V_GARBLED] = {"garbled", 7, " ", NULL, RF_U64},
    [V_RESENDS] = {"resends", 7, " ", NULL, RF_U64},
    [V_LIMITED] = {"limited", 7, " ", NULL, RF_U64},
};
static const tf_counter_id session_ctr[V_COLS] = {
    [V_SESSION] = NO_COUNTER,
    [V_STATE] = TF_CTR_FIX_SESSION_STATE,
    [V_HB] = TF_CTR_FIX_HEARTBEAT_AGE_MS,
    [V_RTT] = TF_CTR_FIX_ORDER_RTT_NS,
    [V_IN] = TF_CTR_FIX_MESSAGES_IN,
    [V_OUT] = TF_CTR_FIX_MESSAGES_OUT,
    [V_REJECTS] = TF_CTR_FIX_REJECTS_RECEIVED,
    [V_CONNECTS] = TF_CTR_FIX_CONNECTS,
    [V_GARBLED] = TF_CTR_FIX_GARBLED,
    [V_RESENDS] = TF_CTR_FIX_RESEND_REQUESTS,
    [V_LIMITED] = TF_CTR_FIX_RATE_LIMITED,
};

/* The stage's order figures: text one line, JSON members of "venue". */
enum { X_SENT, X_REPORTS, X_VENUE_REJ, X_DUPS, X_RECOVERED, X_RECONCILED, X_OUT_OF_BAND, X_UNKNOWN_NOW,
       X_UNKNOWN_ALL, X_END, X_HALTED, X_COLS };
static const rcol stage_cols[X_COLS] = {
    [X_SENT] = {.pre = "  orders sent ", .fmt = RF_U64},
    [X_REPORTS] = {.pre = ", reports ", .fmt = RF_U64},
    [X_VENUE_REJ] = {.pre = ", venue rejects ", .fmt = RF_U64},
    [X_DUPS] = {.pre = ", duplicate fills ignored ", .fmt = RF_U64},
    [X_RECOVERED] = {.pre = ", fills recovered ", .fmt = RF_U64},
    [X_RECONCILED] = {.pre = ", reconciled ", .fmt = RF_U64},
    [X_OUT_OF_BAND] = {.pre = ", out-of-band fills ", .fmt = RF_U64},
    [X_UNKNOWN_NOW] = {.pre = ", fate unknown now ", .fmt = RF_U64},
    [X_UNKNOWN_ALL] = {.pre = " (ever ", .fmt = RF_U64},
    [X_END] = {.pre = ")", .fmt = RF_STR},
    [X_HALTED] = {.pre = ", sessions halted ", .fmt = RF_U64},
};
static const tf_counter_id stage_ctr[X_COLS] = {
    [X_SENT] = TF_CTR_FIX_ORDERS_SENT,
    [X_REPORTS] = TF_CTR_FIX_REPORTS,
    [X_VENUE_REJ] = TF_CTR_FIX_VENUE_REJECTS,
    [X_DUPS] = TF_CTR_FIX_DUPLICATE_FILLS,
    [X_RECOVERED] = TF_CTR_FIX_RECOVERED_FILLS,
    [X_RECONCILED] = TF_CTR_FIX_ORDERS_RECONCILED,
    [X_OUT_OF_BAND] = TF_CTR_FIX_OUT_OF_BAND_FILLS,
    [X_UNKNOWN_NOW] = TF_CTR_FIX_ORDERS_UNKNOWN_NOW,
    [X_UNKNOWN_ALL] = TF_CTR_FIX_ORDERS_FATE_UNKNOWN,
    [X_END] = NO_COUNTER,
    [X_HALTED] = TF_CTR_FIX_SESSIONS_HALTED,
};
static const int stage_json_order[] = {X_SENT, X_REPORTS, X_DUPS, X_RECOVERED, X_RECONCILED, X_OUT_OF_BAND,
                                       X_UNKNOWN_NOW, X_UNKNOWN_ALL, X_VENUE_REJ, X_HALTED, -1};

/* cols = tmpl, with the JSON key of each counter's column its catalogue
 * name without the "fix_" prefix. */
static void venue_cols(rcol *cols, const rcol *tmpl, const tf_counter_id *ctr, int n)
{
    for (int k = 0; k < n; k++) {
        cols[k] = tmpl[k];
        if (ctr[k] != NO_COUNTER && !cols[k].key)
            cols[k].key = tf_counter_catalog[ctr[k]].name + 4;
    }
}

/* The column of counter id in ctr[n], or -1. */
static int column_of(const tf_counter_id *ctr, int n, tf_counter_id id)
{
    for (int k = 0; k < n; k++)
        if (ctr[k] == id)
            return k;
    return -1;
}

typedef struct venue_view {
    uint32_t sessions;                 /* highest session index seen + 1 */
    uint64_t s[VENUE_VIEW_SESSIONS][V_COLS];
    uint64_t x[X_COLS];
} venue_view;

/* 0 when the engine runs no exio stage. */
static int venue_view_load(venue_view *vv, const tf_view *v, const view_sample *cur)
{
    memset(vv, 0, sizeof *vv);
    int any = 0;
    for (uint32_t i = 0; i < view_counters(v); i++) {
        const tf_counter_meta *m = &v->stats.dir->counters[i];
        const tf_metric_def *def = tf_counter_lookup(VIEW_STR(m->name));
        if (!def)
            continue;
        tf_counter_id id = (tf_counter_id)(def - tf_counter_catalog);
        unsigned si;
        if (sscanf(VIEW_STR(m->labels), "session=%u", &si) == 1 && si < VENUE_VIEW_SESSIONS) {
            int k = column_of(session_ctr, V_COLS, id);
            if (k < 0)
                continue;
            vv->s[si][k] = cur->counters[i];
            if (si + 1 > vv->sessions)
                vv->sessions = si + 1;
            any = 1;
        } else {
            int k = column_of(stage_ctr, X_COLS, id);
            if (k < 0)
                continue;
            vv->x[k] = cur->counters[i];
            any = 1;
        }
    }
    return any;
}

/* Each session's problem in words; JSON: "problems":[...]. */
static void problems(render *r, const frame *fr, uint32_t sessions)
{
    const tf_view *v = fr->v;
    if (r->json)
        fputs(",\"problems\":[", r->f);
    int first = 1;
    for (uint32_t i = 0; i < sessions && v->state; i++) {
        char key[TF_STATE_KEY];
        snprintf(key, sizeof key, "fix/%u", i);
        const tf_state_slot *slot = tf_state_find(v->state, TF_STATE_VENUE_SESSION, key);
        tf_venue_session_status st;
        if (!slot || tf_state_read(slot, &st, sizeof st, 1000, NULL) != TF_STATE_OK)
            continue;
        st.problem[sizeof st.problem - 1] = 0; /* another process wrote it */
        if (!st.halted && st.in_schedule && !st.problem[0])
            continue;
        /* Text: only while it matters (a session logged on again is well);
         * JSON keeps the last problem of each, with its time. */
        if (!r->json && !st.halted && st.in_schedule && st.state == TF_FIX_ACTIVE)
            continue;
        if (r->json) {
            fprintf(r->f, "%s{\"session\":%u,\"halted\":%s,\"in_schedule\":%s,\"next_in\":%" PRIu64
                          ",\"at_realtime_ns\":%" PRIu64 ",\"problem\":",
                    first ? "" : ",", i, st.halted ? "true" : "false", st.in_schedule ? "true" : "false",
                    st.next_in, st.problem_realtime_ns);
            render_json_str(r, st.problem);
            fputc('}', r->f);
        } else if (st.halted) {
            fprintf(r->f, "  session %u %sHALTED%s: %s -- after checking with the venue: tfctl session reset %u\n", i,
                    render_paint(r, RED), render_paint(r, RESET), st.problem, i);
        } else {
            fprintf(r->f, "  session %u%s: %s\n", i, st.in_schedule ? "" : " (outside the schedule's hours)",
                    st.problem[0] ? st.problem : "down");
        }
        first = 0;
    }
    if (r->json)
        fputc(']', r->f);
}

void section_venue(render *r, const frame *fr)
{
    venue_view vv;
    if (!venue_view_load(&vv, fr->v, fr->cur))
        return;
    rcol scols[V_COLS], xcols[X_COLS];
    venue_cols(scols, session_cols, session_ctr, V_COLS);
    venue_cols(xcols, stage_cols, stage_ctr, X_COLS);
    rtable t = {.title = "venue (FIX sessions)\n  session", .cols = scols, .ncols = V_COLS, .name_width = 7};
    if (r->json)
        fputs(",\"venue\":{\"sessions\":[", r->f);
    render_head(r, &t);
    for (uint32_t i = 0; i < vv.sessions; i++) {
        const uint64_t *s = vv.s[i];
        char hb[32], rtt[32];
        snprintf(hb, sizeof hb, "%" PRIu64 "ms", s[V_HB]);
        if (s[V_RTT])
            snprintf(rtt, sizeof rtt, "%.1fus", (double)s[V_RTT] / 1000.0);
        else
            snprintf(rtt, sizeof rtt, "-");
        rcell c[V_COLS] = {
            [V_SESSION] = {.u = i},
            [V_STATE] = {.s = s[V_STATE] < TF_FIX_STATE_COUNT ? tf_fix_state_names[s[V_STATE]] : "?"},
            [V_HB] = {.u = s[V_HB], .text = hb},
            [V_RTT] = {.u = s[V_RTT], .text = rtt},
        };
        for (int k = V_IN; k < V_COLS; k++)
            c[k].u = s[k];
        render_row(r, &t, c);
    }
    if (r->json)
        fputc(']', r->f);
    rtable xt = {.cols = xcols, .ncols = X_COLS, .line = 1, .members = 1, .rows = 1, /* after "sessions" */
                 .json_order = stage_json_order};
    rcell c[X_COLS] = {{0}};
    for (int k = 0; k < X_COLS; k++)
        c[k].u = vv.x[k];
    render_row(r, &xt, c);
    problems(r, fr, vv.sessions);
    if (r->json)
        fputc('}', r->f);
}
