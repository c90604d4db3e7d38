/* The Prometheus text exposition format (version 0.0.4), written into a
 * growing buffer: one family (# HELP, # TYPE) followed by its samples.
 *
 * PROMISES
 * - Label values are escaped (backslash, double quote, newline); names are
 *   the caller's and must already be valid ([a-zA-Z_:][a-zA-Z0-9_:]*).
 * - Values print exactly: integers as integers, others with 17 significant
 *   digits; NaN and infinities as Prometheus spells them.
 * - A family's samples are written together: the caller opens a family
 *   (# HELP and # TYPE, written at once, so a family declared but empty —
 *   an exporter not running — is still named), writes its samples, and
 *   opens the next.
 * - Out of memory: `failed` is set and further writes do nothing.
 * Cold path (the exporter renders at scrape time). */
#ifndef TF_TOOLS_PROM_TEXT_H
#define TF_TOOLS_PROM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct prom_buf {
    char *p;
    size_t len, cap;
    bool failed;
    char fam_name[128];       /* the family opened last */
    /* A label every sample carries first (the engine's instance_name, so
     * several engines share one Prometheus); NULL name: none. */
    const char *const_name, *const_value;
    uint32_t families, samples;
} prom_buf;

/* Up to this many labels per sample. */
#define PROM_MAX_LABELS 8

typedef struct prom_label {
    const char *name;
    const char *value;
} prom_label;

void prom_init(prom_buf *b);
/* Every sample from now on carries name="value" (strings kept by the caller). */
void prom_const_label(prom_buf *b, const char *name, const char *value);
void prom_free(prom_buf *b);
/* Begin a family: type "counter", "gauge" or "histogram". */
void prom_family(prom_buf *b, const char *name, const char *type, const char *help);
/* One sample of the open family; `suffix` is appended to its name ("" or
 * "_bucket", "_sum", "_count"); labels with a NULL name are skipped. */
void prom_sample(prom_buf *b, const char *suffix, const prom_label *labels, int n, double value);
void prom_sample_u64(prom_buf *b, const char *suffix, const prom_label *labels, int n, uint64_t value);

/* Is `s` a valid metric or label name? */
bool prom_valid_name(const char *s);

#endif
