/* tfstat's exchange I/O stage: one line per FIX session (state, heartbeat
 * age, last order round trip, messages, rejects, connects, garbled
 * messages, resend requests, rate-limit holds) and the stage's order
 * figures; from the stats segment's counters named fix_* (the session ones
 * labelled session=N). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "shm/catalog.h"
#include "tools/tfstat/tfstat.h"

#define VENUE_VIEW_SESSIONS 8
enum {
    VV_STATE, VV_HB_AGE, VV_RTT, VV_IN, VV_OUT, VV_REJECTS, VV_CONNECTS, VV_GARBLED, VV_RESENDS, VV_LIMITED,
    VV_SESSION_FIELDS
};
static const char *const venue_view_session_names[VV_SESSION_FIELDS] = {
    "fix_session_state", "fix_heartbeat_age_ms", "fix_order_rtt_ns", "fix_messages_in", "fix_messages_out",
    "fix_rejects_received", "fix_connects", "fix_garbled", "fix_resend_requests", "fix_rate_limited"};
enum { VV_SENT, VV_REPORTS, VV_DUPS, VV_RECOVERED, VV_RECONCILED, VV_UNKNOWN_NOW, VV_UNKNOWN_ALL, VV_VENUE_REJ,
       VV_STAGE_FIELDS };
static const char *const venue_view_stage_names[VV_STAGE_FIELDS] = {
    "fix_orders_sent", "fix_reports", "fix_duplicate_fills", "fix_recovered_fills", "fix_orders_reconciled",
    "fix_orders_unknown_now", "fix_orders_fate_unknown", "fix_venue_rejects"};

typedef struct venue_view {
    uint32_t sessions;                 /* highest session index seen + 1 */
    uint64_t s[VENUE_VIEW_SESSIONS][VV_SESSION_FIELDS];
    uint64_t x[VV_STAGE_FIELDS];
} venue_view;

/* 0 when the engine runs no exio stage. */
static int venue_view_load(venue_view *vv, const tf_view *v, const view_sample *cur)
{
    memset(vv, 0, sizeof *vv);
    int any = 0;
    for (uint32_t i = 0; i < view_counters(v); i++) {
        const tf_counter_meta *m = &v->stats.dir->counters[i];
        const char *name = VIEW_STR(m->name), *labels = VIEW_STR(m->labels);
        if (strncmp(name, "fix_", 4) != 0)
            continue;
        unsigned si;
        if (sscanf(labels, "session=%u", &si) == 1 && si < VENUE_VIEW_SESSIONS) {
            for (int k = 0; k < VV_SESSION_FIELDS; k++)
                if (strcmp(name, venue_view_session_names[k]) == 0) {
                    vv->s[si][k] = cur->counters[i];
                    if (si + 1 > vv->sessions)
                        vv->sessions = si + 1;
                    any = 1;
                }
        } else {
            for (int k = 0; k < VV_STAGE_FIELDS; k++)
                if (strcmp(name, venue_view_stage_names[k]) == 0) {
                    vv->x[k] = cur->counters[i];
                    any = 1;
                }
        }
    }
    return any;
}

static const char *venue_view_state(uint64_t st)
{
    return st < TF_FIX_STATE_COUNT ? tf_fix_state_names[st] : "?";
}

static void venue_view_print(FILE *f, const tf_view *v, const view_sample *cur)
{
    venue_view vv;
    if (!venue_view_load(&vv, v, cur))
        return;
    fprintf(f, "\nvenue (FIX sessions)\n  %-7s %-12s %8s %10s %10s %10s %7s %8s %7s %7s %7s\n", "session", "state",
            "hb_age", "order_rtt", "msgs_in", "msgs_out", "rejects", "connects", "garbled", "resends", "limited");
    for (uint32_t i = 0; i < vv.sessions; i++) {
        const uint64_t *s = vv.s[i];
        char rtt[24];
        if (s[VV_RTT])
            snprintf(rtt, sizeof rtt, "%.1fus", (double)s[VV_RTT] / 1000.0);
        else
            snprintf(rtt, sizeof rtt, "-");
        fprintf(f, "  %-7u %-12s %6" PRIu64 "ms %10s %10" PRIu64 " %10" PRIu64 " %7" PRIu64 " %8" PRIu64 " %7" PRIu64
                   " %7" PRIu64 " %7" PRIu64 "\n",
                i, venue_view_state(s[VV_STATE]), s[VV_HB_AGE], rtt, s[VV_IN], s[VV_OUT], s[VV_REJECTS],
                s[VV_CONNECTS], s[VV_GARBLED], s[VV_RESENDS], s[VV_LIMITED]);
    }
    fprintf(f, "  orders sent %" PRIu64 ", reports %" PRIu64 ", venue rejects %" PRIu64 ", duplicate fills ignored %" PRIu64
               ", fills recovered %" PRIu64 ", reconciled %" PRIu64 ", fate unknown now %" PRIu64 " (ever %" PRIu64 ")\n",
            vv.x[VV_SENT], vv.x[VV_REPORTS], vv.x[VV_VENUE_REJ], vv.x[VV_DUPS], vv.x[VV_RECOVERED],
            vv.x[VV_RECONCILED], vv.x[VV_UNKNOWN_NOW], vv.x[VV_UNKNOWN_ALL]);
}

static void venue_view_json(FILE *f, const tf_view *v, const view_sample *cur)
{
    venue_view vv;
    if (!venue_view_load(&vv, v, cur))
        return;
    fprintf(f, ",\"venue\":{\"sessions\":[");
    for (uint32_t i = 0; i < vv.sessions; i++) {
        fprintf(f, "%s{\"session\":%u,\"state\":\"%s\"", i ? "," : "", i, venue_view_state(vv.s[i][VV_STATE]));
        for (int k = 1; k < VV_SESSION_FIELDS; k++)
            fprintf(f, ",\"%s\":%" PRIu64, venue_view_session_names[k] + 4, vv.s[i][k]);
        fprintf(f, "}");
    }
    fprintf(f, "]");
    for (int k = 0; k < VV_STAGE_FIELDS; k++)
        fprintf(f, ",\"%s\":%" PRIu64, venue_view_stage_names[k] + 4, vv.x[k]);
    fprintf(f, "}");
}

void section_venue(render *r, const frame *fr)
{
    if (r->json)
        venue_view_json(r->f, fr->v, fr->cur);
    else
        venue_view_print(r->f, fr->v, fr->cur);
}
