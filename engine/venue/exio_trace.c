/* The tick's timeline at the venue stage; see exio_trace.h. */
#include "engine/venue/exio_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/err.h"

int tf_exio_trace_init(tf_exio_trace *t, tf_stats *stats, uint32_t owner, const char *file)
{
    memset(t, 0, sizeof *t);
    if (stats && (!(t->h_wait = tf_stats_add_hist(stats, owner, TF_HIST_EXIO_WAIT_NS, NULL)) ||
                  !(t->h_encode = tf_stats_add_hist(stats, owner, TF_HIST_EXIO_ENCODE_NS, NULL)) ||
                  !(t->h_submit = tf_stats_add_hist(stats, owner, TF_HIST_EXIO_SUBMIT_NS, NULL)) ||
                  !(t->h_t2s = tf_stats_add_hist(stats, owner, TF_HIST_TICK_TO_SEND_NS, NULL))))
        return -1;
    if (file && file[0]) {
        if (strlen(file) >= sizeof t->path)
            return TF_ERR("exchange.trace_file: path too long");
        snprintf(t->path, sizeof t->path, "%s", file);
        t->kept = calloc(TF_EXIO_TRACE_KEPT, sizeof *t->kept);
        if (!t->kept)
            return TF_ERR("exchange.trace_file: out of memory for %u records", TF_EXIO_TRACE_KEPT);
    }
    return 0;
}

static void rec(tf_hist *h, uint64_t from, uint64_t to)
{
    if (h && from && to >= from)
        tf_hist_record(h, to - from);
}

void tf_exio_trace_encoded(tf_exio_trace *t, const tf_venue_cmd *c, uint64_t taken, uint64_t encoded)
{
    rec(t->h_wait, c->t_handed_ns, taken);
    rec(t->h_encode, taken, encoded);
    if (t->pending_n >= TF_EXIO_TRACE_BATCH)
        return;
    t->pending[t->pending_n++] = (tf_exio_trace_rec){
        .order_id = c->order_id, .kind = c->kind, .t_md = c->t_md_ns, .t_request = tf_vc_stamp(c->t_handed_ns, c->request_before_ns),
        .t_passed = tf_vc_stamp(c->t_handed_ns, c->passed_before_ns), .t_handed = c->t_handed_ns, .t_taken = taken, .t_encoded = encoded};
}

void tf_exio_trace_submitted(tf_exio_trace *t, uint64_t now)
{
    for (uint32_t i = 0; i < t->pending_n; i++) {
        tf_exio_trace_rec *r = &t->pending[i];
        r->t_submitted = now;
        rec(t->h_submit, r->t_encoded, now);
        rec(t->h_t2s, r->t_md, now);
        if (!t->kept)
            continue;
        if (t->kept_n < TF_EXIO_TRACE_KEPT)
            t->kept[t->kept_n++] = *r;
        else
            t->unkept++;
    }
    t->pending_n = 0;
}

void tf_exio_trace_close(tf_exio_trace *t)
{
    if (!t->kept)
        return;
    FILE *f = fopen(t->path, "w");
    for (uint32_t i = 0; f && i < t->kept_n; i++) {
        const tf_exio_trace_rec *r = &t->kept[i];
        fprintf(f, "%u %llu %llu %llu %llu %llu %llu %llu %llu\n", r->kind, (unsigned long long)r->order_id,
                (unsigned long long)r->t_md, (unsigned long long)r->t_request, (unsigned long long)r->t_passed,
                (unsigned long long)r->t_handed, (unsigned long long)r->t_taken, (unsigned long long)r->t_encoded,
                (unsigned long long)r->t_submitted);
    }
    if (!f || fclose(f) != 0)
        fprintf(stderr, "tfengine: exchange.trace_file: cannot write %s\n", t->path);
    else if (t->unkept)
        fprintf(stderr, "tfengine: exchange.trace_file: %llu commands beyond the first %u not kept\n",
                (unsigned long long)t->unkept, TF_EXIO_TRACE_KEPT);
    free(t->kept);
    t->kept = NULL;
}
