/* An exporter's view of the engine: the market-data journal it follows and
 * the instrument registry (symbol, venue, precisions) from the state
 * segment, both mapped read-only. The engine never waits for it.
 *
 * A journal is named by its identity (the segment's creation time): a saved
 * position is only meaningful for the journal it was taken in. When the
 * engine restarts with a new in-memory journal, the old one is read to its
 * end first and then the new one is followed from its oldest record.
 *
 * Cold path; one thread. */
#ifndef TF_TOOLS_OOB_JOURNAL_SOURCE_H
#define TF_TOOLS_OOB_JOURNAL_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "shm/journal.h"
#include "shm/segment.h"
#include "tools/oob/md_view.h"

typedef struct oob_source {
    char journal_path[TF_CFG_PATH_MAX];
    char state_path[TF_CFG_PATH_MAX];
    tf_segment jseg, sseg;
    tf_journal_reader r;
    const tf_state_table *state;
    md_view md;
    uint64_t journal_id;       /* identity of the journal being read */
    uint64_t journal_ino;      /* inode of the file mapped */
    uint64_t last_check_ns;
    bool attached;
} oob_source;

typedef enum oob_read_rc {
    OOB_READ_OK = 0,            /* a record in *out */
    OOB_READ_EMPTY,             /* nothing new (or no engine yet) */
    OOB_READ_GAP,               /* records missed: r.last_gap_from..to */
    OOB_READ_NEW_JOURNAL,       /* switched to a new journal; the position restarts */
} oob_read_rc;

/* Paths from the config; nothing is attached yet. The market-data journal,
 * or the one named (TF_SEG_MD, TF_SEG_ORDERS). */
void oob_source_init(oob_source *s, const tf_config *cfg);
void oob_source_init_journal(oob_source *s, const tf_config *cfg, const char *segment);

/* Attach (or re-attach) when the engine's segments are there. `journal_id`
 * and `next_seq` are a saved position (0, 0: start at the oldest record).
 * Returns 0 attached, 1 not there yet, -1 unusable (tf_err_msg says why). */
int oob_source_attach(oob_source *s, uint64_t journal_id, uint64_t next_seq);

/* The next record. `out` holds a journal slot (slot_size bytes, at most
 * 256). Checks about every 100 ms whether the journal was replaced. */
oob_read_rc oob_source_read(oob_source *s, tf_journal_slot *out);

/* The instrument behind an id, reloading the registry once if unknown. */
const tf_md_instrument_info *oob_source_instrument(oob_source *s, uint32_t id);

/* The instrument named by venue and symbol (case-insensitive), reloading the
 * registry once if it is not known yet; NULL when the engine has none. */
const tf_md_instrument_info *oob_source_find(oob_source *s, const char *venue, const char *symbol);

uint64_t oob_source_head(const oob_source *s);
void oob_source_close(oob_source *s);

#endif
