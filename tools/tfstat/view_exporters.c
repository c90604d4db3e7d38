/* tfstat's out-of-band processes (tfexport-influx, tfexport-redis,
 * tfquery): each owns tradefan.<instance>.<name> with one TF_STATE_EXPORTER
 * slot, attached, read and closed per frame; one not running says so. */
#include <inttypes.h>
#include <stdio.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "tools/tfstat/tfstat.h"

static const char *const exporter_segments[] = {"export-influx", "export-redis", "query"};
#define EXPORTER_COUNT 3

/* 1 read (owner liveness in *owner), 0 not there. */
static int exporter_read(const char *dir, const char *inst, const char *name, tf_exporter_status *st,
                                tf_seg_owner *owner)
{
    char path[256];
    tf_segment seg;
    if (tf_segment_path(path, sizeof path, dir, inst, name) != 0 ||
        tf_segment_attach(&seg, path, TF_SEG_KIND_STATE) != TF_SEG_OK)
        return 0;
    const tf_state_table *t = tf_segment_region(&seg, TF_REGION_STATE, NULL);
    int ok = 0;
    if (t && t->slot_count > 0 && t->slots[0].kind == TF_STATE_EXPORTER)
        ok = tf_state_read(&t->slots[0], st, sizeof *st, 1000, NULL) == TF_STATE_OK;
    *owner = tf_segment_owner(&seg, tf_now_ns(), NULL);
    tf_segment_close(&seg);
    return ok;
}

static void exporters_print(FILE *f, const char *dir, const char *inst)
{
    fprintf(f, "\nexporters (out of band)\n");
    for (int i = 0; i < EXPORTER_COUNT; i++) {
        tf_exporter_status st;
        tf_seg_owner o;
        const char *name = exporter_segments[i];
        if (!exporter_read(dir, inst, name, &st, &o)) {
            fprintf(f, "  %-14s not running\n", name);
            continue;
        }
        const char *state = o == TF_OWNER_LIVE ? "live" : o == TF_OWNER_CLOSED ? "stopped" : "DEAD";
        if (i == 2) {
            fprintf(f, "  %-14s %-7s journal %" PRIu64 "/%" PRIu64 "   requests %" PRIu64 "   errors %" PRIu64 "\n",
                    name, state, st.position ? st.position - 1 : 0, st.journal_head, st.exported, st.rejected);
            continue;
        }
        uint64_t lag = st.journal_head + 1 > st.position ? st.journal_head + 1 - st.position : 0;
        fprintf(f, "  %-14s %-7s %s   lag %" PRIu64 " records, behind %.1f s   exported %" PRIu64
                "   batches %" PRIu64 "   retries %" PRIu64 "   rejected %" PRIu64 "   gaps %" PRIu64
                " (%" PRIu64 " records)\n",
                name, state, st.connected ? "connected" : "NOT CONNECTED", lag, (double)st.behind_ns / 1e9,
                st.exported, st.batches, st.retries, st.rejected, st.gaps, st.gap_records);
    }
}

static void exporters_json(FILE *f, const char *dir, const char *inst)
{
    fprintf(f, ",\"exporters\":{");
    int n = 0;
    for (int i = 0; i < EXPORTER_COUNT; i++) {
        tf_exporter_status st;
        tf_seg_owner o;
        if (!exporter_read(dir, inst, exporter_segments[i], &st, &o))
            continue;
        uint64_t lag = st.journal_head + 1 > st.position ? st.journal_head + 1 - st.position : 0;
        fprintf(f, "%s\"%s\":{\"status\":\"%s\",\"connected\":%u,\"position\":%" PRIu64 ",\"journal_head\":%" PRIu64
                ",\"lag_records\":%" PRIu64 ",\"behind_ns\":%" PRIu64 ",\"exported\":%" PRIu64 ",\"batches\":%" PRIu64
                ",\"retries\":%" PRIu64 ",\"rejected\":%" PRIu64 ",\"gaps\":%" PRIu64 ",\"gap_records\":%" PRIu64 "}",
                n++ ? "," : "", exporter_segments[i],
                o == TF_OWNER_LIVE ? "live" : o == TF_OWNER_CLOSED ? "closed" : "dead", st.connected, st.position,
                st.journal_head, lag, st.behind_ns, st.exported, st.batches, st.retries, st.rejected, st.gaps,
                st.gap_records);
    }
    fprintf(f, "}");
}

void section_exporters(render *r, const frame *fr)
{
    if (r->json)
        exporters_json(r->f, fr->dir, fr->v->stats_seg.hdr->instance);
    else
        exporters_print(r->f, fr->dir, fr->v->stats_seg.hdr->instance);
}
