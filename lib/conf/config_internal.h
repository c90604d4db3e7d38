/* Internal to lib/conf: what the walker (config_walk.c), the entry points
 * (config.c), the schema tables (config_schema.c) and the section readers
 * and cross-key checks (config_checks.c) share. Nothing outside lib/conf includes this; every
 * name here starts with tf__cfg_ (or TF__T_ for the row types).
 */
#ifndef TF_CONF_CONFIG_INTERNAL_H
#define TF_CONF_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "lib/conf/config.h"

/* ---- the schema: one table of rows per YAML mapping ---------------------- */

typedef enum tf__cfg_type {
    TF__T_NAME, TF__T_PATH,       /* [A-Za-z0-9_-]{1,31}; a string (.min 1: not empty) */
    TF__T_INT, TF__T_POW2,        /* decimal in .min..max (and a power of two), 4 or 8 bytes */
    TF__T_MS, TF__T_CPU,          /* milliseconds stored as ns; -1 or a CPU of this host */
    TF__T_MODE, TF__T_BOOL,       /* octal file mode 0640 / "0640"; true or false */
    TF__T_ENUM, TF__T_MAP,        /* one of the names in .sub; a mapping of table .sub */
    TF__T_IDLE,                   /* a strategy name, or a mapping of tf__cfg_idle_keys */
    TF__T_STAGES, TF__T_THREADS,  /* lists of stage names and of thread mappings */
    TF__T_DECIMAL,                /* a decimal written as a string ("0.01"), kept as text */
    TF__T_STREAMS,                /* a list of stream names, stored as a bit set */
    TF__T_INSTRUMENTS,            /* the list of instrument mappings */
    TF__T_SYMBOL,                 /* [A-Za-z0-9]{1,15} */
    TF__T_RISK_INSTRUMENTS,       /* risk.instruments: list of per-instrument limits */
    TF__T_STRATEGIES              /* risk.strategies: list of per-strategy limits */
} tf__cfg_type;

typedef struct tf__cfg_key {
    const char *key;       /* first member: tf__cfg_join walks tables by it */
    tf__cfg_type type;
    bool required;
    size_t off, size;      /* where the value goes in the struct being filled */
    int64_t min, max;
    const void *sub;       /* TF__T_MAP: a key table; TF__T_ENUM: NULL-terminated names */
    const char *what;      /* TF__T_NAME, TF__T_ENUM: what messages call the value */
} tf__cfg_key;


/* ---- the walk's state ------------------------------------------------------ */

typedef struct tf__cfg_ctx tf__cfg_ctx;

/* The rows the walker cannot read alone (TF__T_IDLE, TF__T_STAGES, ...):
 * readers above the walker (config_checks.c), given to it in the context so
 * that calls point one way (config.c -> config_checks.c -> config_walk.c). */
typedef struct tf__cfg_readers {
    int (*idle)(tf__cfg_ctx *c, yaml_node_t *n, tf_cfg_idle *idle, const char *where);
    int (*stages)(tf__cfg_ctx *c, yaml_node_t *n, tf_cfg_thread *t);
    int (*threads)(tf__cfg_ctx *c, yaml_node_t *n);
    int (*streams)(tf__cfg_ctx *c, yaml_node_t *n, uint32_t *bits, const char *name);
    int (*instruments)(tf__cfg_ctx *c, yaml_node_t *n);
    int (*risk_instruments)(tf__cfg_ctx *c, yaml_node_t *n);
    int (*strategies)(tf__cfg_ctx *c, yaml_node_t *n);
} tf__cfg_readers;
extern const tf__cfg_readers tf__cfg_section_readers; /* config_checks.c */

struct tf__cfg_ctx {
    const tf__cfg_readers *read;
    yaml_document_t *doc;
    const char *file;
    char *err;
    size_t errlen;
    int ncpus;
    tf_config *cfg;
    struct { const char *thread; size_t line; } placed[TF_STAGE_KIND_COUNT]; /* stage kind → its thread */
    char got[64];          /* scratch for tf__cfg_got */
};

/* An item of a list after its mapping was read: conversions and checks
 * that span keys. */
typedef int (*tf__cfg_item_fn)(tf__cfg_ctx *c, yaml_node_t *item, void *elem, uint32_t index,
                               const char *where);

/* ---- the walker (config_walk.c) ------------------------------------------------ */

/* "<file>:<line>:<col>: <reason>" at node n (1:1 without one); always -1. */
__attribute__((format(printf, 3, 4)))
int tf__cfg_fail(tf__cfg_ctx *c, const yaml_node_t *n, const char *fmt, ...);
yaml_node_t *tf__cfg_node(tf__cfg_ctx *c, int id);
/* A scalar's text; NULL for a list or a mapping. */
const char *tf__cfg_str(const yaml_node_t *n);
/* How a message shows a node the user wrote: 'value' (cut short), or its shape. */
const char *tf__cfg_got(tf__cfg_ctx *c, const yaml_node_t *n);
/* "a, b, c" from a NULL-terminated run of names `stride` bytes apart. */
const char *tf__cfg_join(char *buf, size_t len, const char *const *p, size_t stride);
/* The value of `key` in mapping `m`, or NULL. */
yaml_node_t *tf__cfg_find(tf__cfg_ctx *c, const yaml_node_t *m, const char *key);
/* Items in a sequence. */
size_t tf__cfg_count(const yaml_node_t *seq);
/* One value `n` for row `k`; `where` names the mapping it is in. */
int tf__cfg_value(tf__cfg_ctx *c, const tf__cfg_key *k, yaml_node_t *n, char *base, const char *where);
/* Check every key of mapping `m` (names, known, unique), then read the rows. */
int tf__cfg_map(tf__cfg_ctx *c, yaml_node_t *m, const tf__cfg_key *keys, char *base, const char *where);
/* A list of mappings into `array` (`elem_size` bytes each, at most `max`):
 * each item starts as `defaults` (NULL: zeros), is read by `keys`, then
 * checked by `item`; *count is the number of items that passed. */
int tf__cfg_list(tf__cfg_ctx *c, yaml_node_t *n, const char *name, uint32_t max, void *array,
                 size_t elem_size, const void *defaults, const tf__cfg_key *keys, tf__cfg_item_fn item,
                 uint32_t *count);
/* A decimal text at `precision` into units; failures point at the key's value. */
int tf__cfg_decimal(tf__cfg_ctx *c, yaml_node_t *m, const char *key, const char *text,
                    unsigned precision, const char *where, int64_t *out);

/* ---- the schema tables and defaults (config_schema.c) --------------------- */

extern const tf__cfg_key tf__cfg_root_keys[];
extern const tf__cfg_key tf__cfg_idle_keys[];
extern const tf__cfg_key tf__cfg_thread_keys[];
extern const tf__cfg_key tf__cfg_instrument_keys[];
extern const tf__cfg_key tf__cfg_risk_instrument_keys[];
extern const tf__cfg_key tf__cfg_strategy_keys[];

extern const tf_config tf__cfg_default_config;
extern const tf_cfg_orders tf__cfg_default_orders;
extern const tf_cfg_risk tf__cfg_default_risk;
extern const tf_cfg_exchange tf__cfg_default_exchange;
extern const tf_cfg_risk_instrument tf__cfg_default_risk_instrument;
extern const tf_cfg_instrument tf__cfg_default_instrument;
extern const tf_cfg_thread tf__cfg_default_thread;

/* ---- section readers and cross-key checks (config_checks.c) --------------- */

/* The rows the walker cannot read alone (TF__T_IDLE, TF__T_STAGES, ...). */
int tf__cfg_idle(tf__cfg_ctx *c, yaml_node_t *n, tf_cfg_idle *idle, const char *where);
int tf__cfg_stages(tf__cfg_ctx *c, yaml_node_t *n, tf_cfg_thread *t);
int tf__cfg_threads(tf__cfg_ctx *c, yaml_node_t *n);
int tf__cfg_streams(tf__cfg_ctx *c, yaml_node_t *n, uint32_t *bits, const char *name);
int tf__cfg_instruments(tf__cfg_ctx *c, yaml_node_t *n);
int tf__cfg_risk_instruments(tf__cfg_ctx *c, yaml_node_t *n);
int tf__cfg_strategies(tf__cfg_ctx *c, yaml_node_t *n);
/* Rules that span several keys, after the whole document was read. */
int tf__cfg_cross_checks(tf__cfg_ctx *c, yaml_node_t *root);

#endif
