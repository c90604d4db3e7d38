/* tfstat's error log: each owner's distinct errors (code, count, first and
 * last time, last argument, detail) and how many did not fit. */
#include <inttypes.h>

#include "tools/oob/stat/tfstat.h"

/* The error code's name; "code N" for one newer than these tools. */
static const char *code_name(uint32_t code)
{
    if (code < TF_E_CODE_COUNT)
        return tf_err_code_name(code);
    char *b = view_scratch();
    snprintf(b, VIEW_STR_MAX, "code %u", code);
    return b;
}

static uint64_t age_of(const frame *fr, uint64_t t) { return fr->now > t ? fr->now - t : 0; }

/* One row per distinct error: text a line under the owner's name, JSON an
 * object of the "errors" array. */
enum { E_OWNER, E_CODE, E_CODE_NUM, E_COUNT, E_FIRST, E_LAST, E_ARG, E_DETAIL, E_COLS };
static const rcol error_cols[E_COLS] = {
    [E_OWNER] = {.key = "owner", .fmt = RF_STR},
    [E_CODE] = {.pre = "  ", .width = -16, .key = "code", .fmt = RF_STR, .flags = RC_PAINT},
    [E_CODE_NUM] = {.key = "code_num", .fmt = RF_U64},
    [E_COUNT] = {.pre = " x", .width = -8, .key = "count", .fmt = RF_U64, .flags = RC_UNPAINT},
    [E_FIRST] = {.pre = " first ", .key = "first_age_ns", .fmt = RF_AGE},
    [E_LAST] = {.pre = ", last ", .key = "last_age_ns", .fmt = RF_AGE},
    [E_ARG] = {.pre = ", last arg ", .key = "last_arg", .fmt = RF_U64},
    [E_DETAIL] = {.pre = ": ", .key = "detail", .fmt = RF_STR},
};

/* The distinct errors that did not fit, per owner: JSON "owner":count. */
enum { O_OWNER, O_LEAD, O_COUNT, O_TAIL, O_COLS };
static const rcol overflow_cols[O_COLS] = {
    [O_OWNER] = {.fmt = RF_STR},
    [O_LEAD] = {.pre = "  ", .fmt = RF_STR, .flags = RC_PAINT},
    [O_COUNT] = {.pre = "", .key = "overflow", .fmt = RF_U64},
    [O_TAIL] = {.pre = " more distinct errors did not fit", .fmt = RF_STR, .flags = RC_UNPAINT},
};

static void overflow_row(render *r, rtable *ot, const tf_view *v, uint32_t o)
{
    uint64_t over = tf_load_64(&v->stats.errlog->blocks[o].overflow);
    rcell c[O_COLS] = {[O_OWNER] = {.s = view_owner_name(v, o)}, [O_LEAD] = {.text = "overflow: "},
                       [O_COUNT] = {.u = over}};
    if (over)
        render_row(r, ot, c);
}

void section_errors(render *r, const frame *fr)
{
    const tf_view *v = fr->v;
    const tf_errlog *el = v->stats.errlog;
    rtable t = {.title = "error log", .cols = error_cols, .ncols = E_COLS, .name_width = 6, .color = RED};
    for (uint32_t o = 0; o < view_owners(v); o++)
        t.name_width = render_widest(t.name_width, view_owner_name(v, o));
    rtable ot = {.cols = overflow_cols, .ncols = O_COLS, .name_width = t.name_width, .color = RED,
                 .keyed = 1, .scalar = 1};
    if (r->json)
        fputs(",\"errors\":[", r->f);
    else
        fprintf(r->f, "\nerror log\n");
    for (uint32_t o = 0; o < view_owners(v); o++) {
        const tf_errlog_block *b = &el->blocks[o];
        for (uint32_t k = 0; k < TF_ERRLOG_ENTRIES; k++) {
            const tf_errlog_entry *e = &b->entries[k];
            uint32_t code = tf_load_acquire_32(&e->code); /* pairs with the claim's release: the entry is whole */
            if (!code)
                break;
            rcell c[E_COLS] = {
                [E_OWNER] = {.s = view_owner_name(v, o)},
                [E_CODE] = {.s = tf_err_code_name(code), .text = code_name(code)},
                [E_CODE_NUM] = {.u = code},
                [E_COUNT] = {.u = tf_load_64(&e->count)},
                [E_FIRST] = {.u = age_of(fr, tf_load_64(&e->first_ns))},
                [E_LAST] = {.u = age_of(fr, tf_load_64(&e->last_ns))},
                [E_ARG] = {.u = tf_load_64(&e->last_arg)},
                [E_DETAIL] = {.s = e->detail, .n = sizeof e->detail},
            };
            render_row(r, &t, c);
        }
        if (!r->json)
            overflow_row(r, &ot, v, o);
    }
    if (r->json) { /* the overflows after the array, in an object of their own */
        fputs("],\"error_overflow\":{", r->f);
        for (uint32_t o = 0; o < view_owners(v); o++)
            overflow_row(r, &ot, v, o);
        fputc('}', r->f);
    } else if (!t.rows && !ot.rows) {
        fprintf(r->f, "  (none)\n");
    }
}
