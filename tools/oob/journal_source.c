#include "tools/oob/journal_source.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/err.h"
#include "shm/records.h"

#define OOB_REPLACED_CHECK_NS 100000000ull

void oob_source_init_journal(oob_source *s, const tf_config *cfg, const char *segment)
{
    memset(s, 0, sizeof *s);
    tf_segment_path(s->journal_path, sizeof s->journal_path, cfg->shm_dir, cfg->instance, segment);
    tf_segment_path(s->state_path, sizeof s->state_path, cfg->shm_dir, cfg->instance, TF_SEG_STATE);
}

void oob_source_init(oob_source *s, const tf_config *cfg)
{
    oob_source_init_journal(s, cfg, TF_SEG_MD);
}

static void oob__detach(oob_source *s)
{
    tf_segment_close(&s->jseg);
    tf_segment_close(&s->sseg);
    s->state = NULL;
    s->attached = false;
}

void oob_source_close(oob_source *s) { oob__detach(s); }

int oob_source_attach(oob_source *s, uint64_t journal_id, uint64_t next_seq)
{
    oob__detach(s);
    tf_seg_status st = tf_segment_attach(&s->jseg, s->journal_path, TF_SEG_KIND_JOURNAL);
    if (st == TF_SEG_NOT_THERE || st == TF_SEG_NOT_READY)
        return 1;
    if (st != TF_SEG_OK)
        return TF_ERR_CTX("journal %s", s->journal_path);
    tf_journal j;
    if (tf_journal_attach(&j, &s->jseg) != 0) {
        tf_segment_close(&s->jseg);
        return TF_ERR_CTX("journal %s", s->journal_path);
    }
    if (j.slot_size > 256) {
        tf_segment_close(&s->jseg);
        return TF_ERR("journal %s has %u-byte slots; exporters read at most 256", s->journal_path,
                      j.slot_size);
    }
    /* Instruments are optional at attach: an engine without a feed has none. */
    if (tf_segment_attach(&s->sseg, s->state_path, TF_SEG_KIND_STATE) == TF_SEG_OK)
        s->state = tf_segment_region(&s->sseg, TF_REGION_STATE, NULL);
    md_view_load(&s->md, s->state);
    struct stat sb;
    s->journal_ino = fstat(s->jseg.fd, &sb) == 0 ? (uint64_t)sb.st_ino : 0;
    s->journal_id = s->jseg.hdr->created_realtime_ns;
    uint64_t from = journal_id == s->journal_id && next_seq ? next_seq : TF_JOURNAL_FROM_OLDEST;
    tf_journal_reader_init(&s->r, &j, from);
    s->attached = true;
    s->last_check_ns = tf_now_ns();
    return 0;
}

/* Has the file at journal_path become another journal (engine restarted)? */
static bool oob__replaced(oob_source *s)
{
    struct stat sb;
    if (stat(s->journal_path, &sb) != 0)
        return false; /* gone for now: keep reading what we have */
    return (uint64_t)sb.st_ino != s->journal_ino;
}

oob_read_rc oob_source_read(oob_source *s, tf_journal_slot *out)
{
    if (!s->attached)
        return OOB_READ_EMPTY;
    tf_journal_read_rc rc = tf_journal_read(&s->r, out);
    if (rc == TF_JR_OK)
        return OOB_READ_OK;
    if (rc == TF_JR_GAP)
        return OOB_READ_GAP;
    uint64_t now = tf_now_ns();
    if (now - s->last_check_ns < OOB_REPLACED_CHECK_NS)
        return OOB_READ_EMPTY;
    s->last_check_ns = now;
    if (!oob__replaced(s))
        return OOB_READ_EMPTY;
    /* Everything the old journal held has been read (the read above found
     * nothing new): move to the new one from its start. */
    uint64_t old_id = s->journal_id;
    if (oob_source_attach(s, 0, 0) != 0)
        return OOB_READ_EMPTY;
    return s->journal_id == old_id ? OOB_READ_EMPTY : OOB_READ_NEW_JOURNAL;
}

static void oob__reload(oob_source *s)
{
    if (!s->state && tf_segment_attach(&s->sseg, s->state_path, TF_SEG_KIND_STATE) == TF_SEG_OK)
        s->state = tf_segment_region(&s->sseg, TF_REGION_STATE, NULL);
    md_view_load(&s->md, s->state);
}

const tf_md_instrument_info *oob_source_instrument(oob_source *s, uint32_t id)
{
    const tf_md_instrument_info *in = md_view_get(&s->md, id);
    if (in || !s->attached)
        return in;
    oob__reload(s);
    return md_view_get(&s->md, id);
}

static const tf_md_instrument_info *oob__lookup(const md_view *mv, const char *venue, const char *symbol)
{
    for (uint32_t i = 0; i < mv->count; i++) {
        const tf_md_instrument_info *in = md_view_get(mv, i);
        if (in && strcasecmp(in->symbol, symbol) == 0 && strcasecmp(in->venue, venue) == 0)
            return in;
    }
    return NULL;
}

const tf_md_instrument_info *oob_source_find(oob_source *s, const char *venue, const char *symbol)
{
    const tf_md_instrument_info *in = oob__lookup(&s->md, venue, symbol);
    if (in || !s->attached)
        return in;
    oob__reload(s);
    return oob__lookup(&s->md, venue, symbol);
}

uint64_t oob_source_head(const oob_source *s)
{
    return s->attached ? tf_journal_head(&s->r.j) : 0;
}
