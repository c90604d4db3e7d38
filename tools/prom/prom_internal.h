/* Between prom_engine.c (stats) and prom_trading.c (state, processes). */
#ifndef TF_TOOLS_PROM_INTERNAL_H
#define TF_TOOLS_PROM_INTERNAL_H

#include <stdint.h>

#include "tools/prom/prom_engine.h"

/* The trading record from the state segment: orders, positions, PnL, the
 * risk gate, the feed, venue sessions. */
void prom_render_trading(prom_source *s, prom_buf *b, uint64_t now_ns);
/* The out-of-band processes' own segments (exporters, tfquery), engine or not. */
void prom_render_processes(prom_source *s, prom_buf *b);

#endif
