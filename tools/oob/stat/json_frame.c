/* tfstat's JSON frame: every section, in the order scripts read them. */
#include "tools/oob/stat/tfstat.h"

void tfstat_json_frame(FILE *f, const tf_view *v, const view_sample *cur, const view_sample *prev, const char *dir)
{
    typedef void section_fn(render *r, const frame *fr);
    static section_fn *const sections[] = {
        section_header, section_threads,  section_stages, section_counters, section_hists,
        section_rings,  section_journal,  section_segments, section_state,  section_errors,
        section_orders, section_parents, section_venue,    section_exporters,
    };
    render r = {.f = f, .json = 1, .color = 0};
    frame fr;
    frame_init(&fr, v, cur, prev, dir);
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        sections[i](&r, &fr);
    fputs("}\n", f);
}
