/* tfstat's error log: each owner's distinct errors (code, count, first and
 * last time, last argument, detail) and how many did not fit. */
#include <inttypes.h>

#include "tools/tfstat/tfstat.h"

/* The error code's name; "code N" for one newer than these tools. */
static const char *code_name(uint32_t code)
{
    if (code < TF_E_CODE_COUNT)
        return tf_err_code_name(code);
    char *b = view_scratch();
    snprintf(b, VIEW_STR_MAX, "code %u", code);
    return b;
}

static void errors_text(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    const tf_errlog *el = v->stats.errlog;
    int any = 0, w = 6;
    for (uint32_t o = 0; o < view_owners(v); o++)
        w = render_widest(w, view_owner_name(v, o));
    fprintf(r->f, "\nerror log\n");
    for (uint32_t o = 0; o < view_owners(v); o++) {
        const tf_errlog_block *b = &el->blocks[o];
        for (uint32_t k = 0; k < TF_ERRLOG_ENTRIES; k++) {
            const tf_errlog_entry *e = &b->entries[k];
            uint32_t code = tf_load_acquire_32(&e->code);
            if (!code)
                break;
            any = 1;
            fprintf(r->f, "  %-*s  %s%-16s x%-8" PRIu64 "%s first %s, last %s, last arg %" PRIu64 ": %s\n",
                    w, view_owner_name(v, o), render_paint(r, RED), code_name(code), tf_load_64(&e->count),
                    render_paint(r, RESET), fmt_ago(fr->now, tf_load_64(&e->first_ns)),
                    fmt_ago(fr->now, tf_load_64(&e->last_ns)), tf_load_64(&e->last_arg),
                    VIEW_STR(e->detail));
        }
        uint64_t over = tf_load_64(&b->overflow);
        if (over) {
            any = 1;
            fprintf(r->f, "  %-*s  %soverflow: %" PRIu64 " more distinct errors did not fit%s\n", w,
                    view_owner_name(v, o), render_paint(r, RED), over, render_paint(r, RESET));
        }
    }
    if (!any)
        fprintf(r->f, "  (none)\n");
}

static void errors_json(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    fprintf(r->f, ",\"errors\":[");
    int first = 1;
    for (uint32_t o = 0; o < view_owners(v); o++) {
        const tf_errlog_block *b = &v->stats.errlog->blocks[o];
        for (uint32_t k = 0; k < TF_ERRLOG_ENTRIES; k++) {
            const tf_errlog_entry *e = &b->entries[k];
            uint32_t code = tf_load_acquire_32(&e->code);
            if (!code)
                break;
            uint64_t t1 = tf_load_64(&e->first_ns), t2 = tf_load_64(&e->last_ns);
            fprintf(r->f, "%s{\"owner\":", first ? "" : ",");
            render_json_str(r, view_owner_name(v, o));
            fprintf(r->f,
                    ",\"code\":\"%s\",\"code_num\":%u,\"count\":%" PRIu64 ",\"first_age_ns\":%" PRIu64
                    ",\"last_age_ns\":%" PRIu64 ",\"last_arg\":%" PRIu64 ",\"detail\":",
                    tf_err_code_name(code), code, tf_load_64(&e->count), fr->now > t1 ? fr->now - t1 : 0,
                    fr->now > t2 ? fr->now - t2 : 0, tf_load_64(&e->last_arg));
            render_json_strn(r, e->detail, sizeof e->detail);
            fputc('}', r->f);
            first = 0;
        }
    }
    fprintf(r->f, "],\"error_overflow\":{");
    first = 1;
    for (uint32_t o = 0; o < view_owners(v); o++) {
        uint64_t over = tf_load_64(&v->stats.errlog->blocks[o].overflow);
        if (!over)
            continue;
        fprintf(r->f, "%s", first ? "" : ",");
        render_json_str(r, view_owner_name(v, o));
        fprintf(r->f, ":%" PRIu64, over);
        first = 0;
    }
    fputc('}', r->f);
}

void section_errors(render *r, const frame *fr)
{
    if (r->json)
        errors_json(r, fr);
    else
        errors_text(r, fr);
}
