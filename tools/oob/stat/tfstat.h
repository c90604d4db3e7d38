/* What tfstat's sections share: one frame's context (the view, the two
 * samples, the engine's liveness) and the sections themselves. Each section
 * writes itself in the render's mode, text or JSON. */
#ifndef TF_TOOLS_OOB_STAT_TFSTAT_H
#define TF_TOOLS_OOB_STAT_TFSTAT_H

#include <stdint.h>
#include <stdio.h>

#include "shm/catalog.h"
#include "shm/records.h"
#include "tools/oob/view.h"
#include "tools/oob/stat/render.h"

#define STUCK_AGE_NS 1000000000ull /* a LIVE engine's heartbeat older: warn */

typedef struct frame {
    const tf_view *v;
    const view_sample *cur, *prev; /* prev NULL: no rates */
    const char *dir;
    uint64_t now, hb_age, uptime_ns;
    tf_seg_owner owner;
    tf_engine_status es;
    int have_status;
    uint64_t status_updated;
} frame;

/* view_header.c: the engine as a whole. */
void frame_init(frame *fr, const tf_view *v, const view_sample *cur, const view_sample *prev,
                const char *dir);
const char *phase_name(uint32_t p);
void section_header(render *r, const frame *fr);

void section_threads(render *r, const frame *fr);   /* view_threads.c */
void section_stages(render *r, const frame *fr);    /* view_threads.c */
void section_counters(render *r, const frame *fr);  /* view_counters.c */
void section_hists(render *r, const frame *fr);     /* view_counters.c */
void section_rings(render *r, const frame *fr);     /* view_rings.c */
void section_journal(render *r, const frame *fr);   /* view_rings.c */
void section_segments(render *r, const frame *fr);  /* view_rings.c, JSON only */
void section_state(render *r, const frame *fr);     /* view_md.c */
void section_errors(render *r, const frame *fr);    /* view_errors.c */
void section_orders(render *r, const frame *fr);    /* view_orders.c */
void section_parents(render *r, const frame *fr);   /* view_parents.c */
void section_venue(render *r, const frame *fr);     /* view_venue.c */
void section_exporters(render *r, const frame *fr); /* view_exporters.c */

/* json_frame.c: one JSON object of every section, then a newline (tfstat
 * --json's frame; tfconsole pushes the same). */
void tfstat_json_frame(FILE *f, const tf_view *v, const view_sample *cur, const view_sample *prev, const char *dir);

/* view_orders.c: slot kinds the order section shows (the state section skips them). */
int order_view_is_kind(uint16_t kind);

#endif
