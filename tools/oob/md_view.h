/* Market data for people: records and state slots as text, with prices and
 * quantities at each instrument's precision (from the engine's
 * TF_STATE_INSTRUMENT slots). Shared by tfdump, tfstat and the exporters.
 * Cold path. Strings returned come from 24 rotating buffers: several fit in
 * one printf, none outlives the next 24 calls. */
#ifndef TF_TOOLS_MD_VIEW_H
#define TF_TOOLS_MD_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include "shm/records.h"
#include "shm/state.h"

#define MD_VIEW_MAX_INSTRUMENTS 64u

typedef struct md_view {
    uint32_t count;                                      /* highest id + 1 seen */
    tf_md_instrument_info info[MD_VIEW_MAX_INSTRUMENTS]; /* by id; symbol "" = unknown */
} md_view;

/* Read every instrument slot of a state table (NULL: none known). */
void md_view_load(md_view *mv, const tf_state_table *st);

/* Instrument `id`, NULL when unknown. */
const tf_md_instrument_info *md_view_get(const md_view *mv, uint32_t id);

/* A fixed-point value at `precision` decimals ("123u" if it cannot be). */
const char *md_view_num(int64_t v, unsigned precision);
/* A price / quantity of instrument `id` at its precision (0 if unknown). */
const char *md_view_px(const md_view *mv, uint32_t id, int64_t v);
const char *md_view_qty(const md_view *mv, uint32_t id, int64_t v);
/* A bar's VWAP: price precision + TF_BAR_VWAP_EXTRA decimals. */
const char *md_view_vwap(const md_view *mv, uint32_t id, int64_t v);
/* The symbol, or "#id" when unknown. */
const char *md_view_symbol(const md_view *mv, uint32_t id);
/* Epoch ns as 2026-11-24T21:30:00.123Z ("-" for 0). */
const char *md_view_time(uint64_t ns);

/* A bar's fields as " symbol=... o=... flags=..." (tfdump's format). */
void md_view_bar(FILE *f, const md_view *mv, const tf_md_bar *b);

/* A feed event kind's name ("unknown" for one newer than these tools). */
const char *md_view_event_name(uint32_t kind);

/* The fields of one market-data journal record (after "seq=N type=T");
 * returns 0 if `type` is not market data or the payload is too short. */
int md_view_record(FILE *f, const md_view *mv, uint32_t type, const void *payload, uint32_t len);

#endif
