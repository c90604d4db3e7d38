/* libFuzzer target: arbitrary bytes as a segment file, attached and read the
 * way the out-of-band tools and the client read an engine's segments.
 *
 * The input is written to a file in a private directory and attached
 * through tf_segment_attach() (open, fstat, mmap, header and content
 * validation), as a tool attaches /dev/shm. A header whose total_size says
 * more than the input is padded with zeros up to that size (at most 8 MiB),
 * so a short input can describe a full stats segment (4 MiB of histograms).
 * Then, by kind: the state table walk (tf_state_find / tf_state_read and
 * md_view_load, the instrument precisions going to md_view_num), the stats
 * directory walk (counter values, owners, threads' stages, histograms, the
 * error log), the journal reader (records formatted by md_view_record) —
 * every region named in the table is looked up too. Must never crash,
 * overrun or trip UBSan: anything tf_segment_attach accepted is trusted by
 * those readers. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm/catalog.h"
#include "shm/err.h"
#include "shm/journal.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "shm/stats.h"
#include "tools/oob/md_view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILE (8u << 20)

static char g_dir[64];
static char g_path[128];
static FILE *g_null;
static md_view g_mv;
static tf_hist g_snap;

static void cleanup(void)
{
    unlink(g_path);
    rmdir(g_dir);
}

static void init_once(void)
{
    if (g_dir[0])
        return;
    snprintf(g_dir, sizeof g_dir, "/dev/shm/tf-fuzz-seg.XXXXXX");
    if (!mkdtemp(g_dir)) {
        snprintf(g_dir, sizeof g_dir, "/tmp/tf-fuzz-seg.XXXXXX");
        if (!mkdtemp(g_dir))
            abort();
    }
    snprintf(g_path, sizeof g_path, "%s/tradefan.fuzz.seg", g_dir);
    g_null = fopen("/dev/null", "w");
    if (!g_null)
        abort();
    atexit(cleanup);
}

static int write_image(const uint8_t *data, size_t size)
{
    int fd = open(g_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    uint64_t total = 0;
    if (size >= 24)
        memcpy(&total, data + 16, sizeof total); /* tf_seg_header.total_size */
    if (total > size && total <= MAX_FILE && ftruncate(fd, (off_t)total) != 0) {
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static void read_state(const tf_segment *seg)
{
    uint64_t len;
    const tf_state_table *t = tf_segment_region(seg, TF_REGION_STATE, &len);
    md_view_load(&g_mv, t);
    if (!t)
        return;
    uint32_t n = t->slot_count < t->slot_capacity ? t->slot_count : t->slot_capacity;
    for (uint32_t i = 0; i < n; i++) {
        const tf_state_slot *s = &t->slots[i];
        union {
            tf_md_instrument_info info;
            tf_md_top top;
            uint8_t raw[TF_STATE_PAYLOAD];
        } p;
        if (tf_state_read(s, &p, sizeof p, 2, NULL) != TF_STATE_OK)
            continue;
        (void)tf_state_find(t, s->kind, s->key);
        if (s->kind == TF_STATE_INSTRUMENT) /* tfstat's view: precisions straight from the slot */
            fprintf(g_null, "%s %s %s\n", md_view_num(p.info.tick_size, p.info.price_precision),
                    md_view_num(p.info.lot_size, p.info.qty_precision), md_view_symbol(&g_mv, p.info.id));
        else if (s->kind == TF_STATE_MD_TOP)
            fprintf(g_null, "%s %s\n", md_view_px(&g_mv, p.top.instrument, p.top.bid_price),
                    md_view_qty(&g_mv, p.top.instrument, p.top.bid_qty));
    }
}

static void read_stats(const tf_segment *seg)
{
    tf_stats st;
    if (tf_stats_attach(&st, seg) != 0)
        return;
    const tf_stats_dir *d = st.dir;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < d->counter_count; i++) {
        sum += tf_stats_value(&st, i);
        fprintf(g_null, "%.*s{%.*s} owner %.*s\n", (int)sizeof d->counters[i].name, d->counters[i].name,
                (int)sizeof d->counters[i].labels, d->counters[i].labels,
                (int)sizeof d->owners[0].name, d->owners[d->counters[i].owner].name);
    }
    for (uint32_t i = 0; i < d->thread_count; i++)
        for (uint32_t k = 0; k < d->threads[i].stage_count; k++)
            sum += d->owners[d->threads[i].stages[k]].polls;
    for (uint32_t i = 0; i < d->hist_count; i++) {
        tf_hist_summary hs;
        tf_hist_snapshot(&g_snap, &st.hists[i]);
        tf_hist_summarize(&g_snap, &hs);
        sum += hs.count + d->owners[d->hists[i].owner].work;
    }
    for (uint32_t o = 0; o < d->owner_count && o < st.errlog->owner_count; o++)
        for (uint32_t k = 0; k < TF_ERRLOG_ENTRIES; k++) {
            const tf_errlog_entry *e = &st.errlog->blocks[o].entries[k];
            if (!e->code)
                break;
            fprintf(g_null, "%s %.*s\n", tf_err_code_name(e->code), (int)sizeof e->detail, e->detail);
        }
    fprintf(g_null, "%llu\n", (unsigned long long)sum);
}

static void read_journal(const tf_segment *seg)
{
    tf_journal j;
    if (tf_journal_attach(&j, seg) != 0)
        return;
    tf_journal_slot *out = malloc(j.slot_size);
    if (!out)
        return;
    tf_journal_reader r;
    tf_journal_reader_init(&r, &j, TF_JOURNAL_FROM_OLDEST);
    uint32_t max = tf_journal_payload_max(&j);
    for (int i = 0; i < 64; i++) {
        tf_journal_read_rc rc = tf_journal_read(&r, out);
        if (rc == TF_JR_EMPTY)
            break;
        if (rc == TF_JR_OK) /* as tfdump: the length clamped to the slot */
            md_view_record(g_null, &g_mv, out->type, out->payload, out->length < max ? out->length : max);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    memset(&g_mv, 0, sizeof g_mv);
    if (write_image(data, size) != 0)
        return 0;
    tf_segment seg;
    if (tf_segment_attach(&seg, g_path, 0) != TF_SEG_OK)
        return 0;
    for (uint32_t i = 0; i < seg.hdr->region_count; i++) {
        char name[TF_SEG_NAME_MAX + 1] = {0};
        memcpy(name, seg.hdr->regions[i].name, TF_SEG_NAME_MAX);
        (void)tf_segment_region(&seg, name, NULL);
    }
    (void)tf_segment_owner(&seg, tf_now_ns(), NULL);
    switch (seg.hdr->kind) {
    case TF_SEG_KIND_STATE: read_state(&seg); break;
    case TF_SEG_KIND_STATS: read_stats(&seg); break;
    case TF_SEG_KIND_JOURNAL: read_journal(&seg); break;
    default: break;
    }
    tf_segment_close(&seg);
    /* Bad precisions straight into the formatter, as a corrupt slot gives them. */
    if (size >= 9) {
        int64_t v;
        memcpy(&v, data, sizeof v);
        fprintf(g_null, "%s\n", md_view_num(v, data[8]));
    }
    return 0;
}
