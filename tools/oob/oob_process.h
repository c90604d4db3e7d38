/* The out-of-band process around a journal reader, shared by the exporters
 * and the query server: the saved journal position, the status segment
 * tfstat reads, lag and latency figures, jitter, stop signals, config and
 * arguments, CPU pinning. Cold path. (The journal follower itself is
 * journal_source.h.) */
#ifndef TF_TOOLS_OOB_PROCESS_H
#define TF_TOOLS_OOB_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/backoff.h"
#include "lib/conf/config.h"
#include "shm/fixed.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "shm/state.h"

/* ---- saved position -------------------------------------------------------
 * A text file "<run_dir>/<name>.pos" of key=value lines, replaced atomically
 * (write a temporary file, fdatasync, rename) after every acknowledged batch,
 * so a crash at any moment leaves the previous or the new position, never a
 * torn one. `extra` carries exporter-specific state (up to 16 values). */
#define OOB_POS_EXTRA 16
typedef struct oob_position {
    uint64_t journal_id;
    uint64_t next_seq;
    uint64_t extra[OOB_POS_EXTRA];
} oob_position;

/* 0 loaded, 1 no file yet (a zero position), -1 unreadable or garbled. */
int oob_position_load(const char *path, oob_position *pos);
int oob_position_save(const char *path, const oob_position *pos);

/* ---- status segment ------------------------------------------------------ */
typedef struct oob_status {
    tf_segment seg;
    tf_state_slot *slot;
    tf_exporter_status st;     /* the exporter's working copy, published by oob_status_publish */
} oob_status;

/* Create tradefan.<instance>.<segment> with one TF_STATE_EXPORTER slot. */
int oob_status_open(oob_status *s, const tf_config *cfg, const char *segment, const char *key);
/* The same for a status slot of another kind (tfwatchdog): the slot, or
 * NULL with tf_err_msg; the segment is published. */
tf_state_slot *oob_segment_open(tf_segment *seg, const tf_config *cfg, const char *segment, uint16_t kind,
                                const char *key);
void oob_status_publish(oob_status *s);
/* Readers: the first slot of an out-of-band process's status segment
 * tradefan.<inst>.<segment>, when it is of `kind` (the table checked against
 * its region first). 1 read, with the owner's liveness in *owner; 0 when
 * the segment is not there or holds no such slot. */
int oob_status_read(const char *dir, const char *inst, const char *segment, uint16_t kind, void *out,
                    uint32_t size, tf_seg_owner *owner);
void oob_status_close(oob_status *s);

/* ---- lag -------------------------------------------------------------------
 * How far behind the journal an exporter is, in time: when was the journal's
 * head where our position is now? Samples of (head, time) every 10 ms over
 * the last ~20 s; further behind than that reports the window's age. */
#define OOB_LAG_SAMPLES 2048u
typedef struct oob_lag {
    uint64_t head[OOB_LAG_SAMPLES], t_ns[OOB_LAG_SAMPLES];
    uint64_t n;               /* samples taken */
} oob_lag;
/* Record the head seen now; returns how long ago the head reached `position - 1`. */
uint64_t oob_lag_update(oob_lag *l, uint64_t head, uint64_t position, uint64_t now_ns);

/* ---- request latencies (printed at exit, for the benchmarks) -------------- */
#define OOB_LAT_MAX 65536u
typedef struct oob_latency {
    uint32_t us[OOB_LAT_MAX];  /* the first OOB_LAT_MAX requests' round trips */
    uint64_t n;
} oob_latency;
static inline void oob_latency_add(oob_latency *l, uint64_t ns)
{
    if (l->n < OOB_LAT_MAX)
        l->us[l->n] = (uint32_t)(ns / 1000u > UINT32_MAX ? UINT32_MAX : ns / 1000u);
    l->n++;
}
/* "<prefix>: N requests, round trip us p50 .. p99 .. p99.9 .. max .." */
void oob_latency_print(oob_latency *l, const char *prefix);

/* Retry backoff: tf_backoff (lib/base/backoff.h), the engine's own. */
/* A random fraction in [-frac, +frac] of `ns` added to it. */
uint64_t oob_jitter(uint64_t *rng, uint64_t ns, unsigned percent);

/* Sleep up to `ns`, returning early when a stop was requested. */
void oob_sleep(uint64_t ns);

/* SIGINT/SIGTERM set oob_stop; SIGPIPE ignored. */
extern volatile sig_atomic_t oob_stop;
void oob_install_signals(void);

/* Whether `addr` is a loopback address (127.0.0.0/8 or ::1): where a
 * server may answer without a token. */
bool oob_loopback(const char *addr);

/* Load the config named by -c (or TF_CONFIG) with this host's CPU count;
 * prints the error and returns -1. */
int oob_load_config(const char *path, tf_config *cfg);

/* An exporter's command line: -c CONFIG [--until-idle MS] [--status NAME]
 * [--journal md|orders]. With --journal orders the default status name
 * (and so the position file) gets "-orders" appended, so the two followers
 * of one exporter keep separate positions.
 * Returns -1 to go on, else the exit code (usage printed for `prog`). */
typedef struct oob_args {
    const char *config;
    const char *status_name;   /* preset to the default segment name */
    uint64_t until_idle_ns;    /* 0: run until stopped */
    const char *journal;       /* TF_SEG_MD (default) or TF_SEG_ORDERS */
} oob_args;
int oob_parse_args(int argc, char **argv, const char *prog, oob_args *a);

/* The start every exporter shares: arguments, config, "enabled" for
 * export.<section>, signals, run_dir, and the saved position
 * (<run_dir>/<segment>.pos into pos_path/pos). Returns -1 to go on, else the
 * exit code (the reason printed). */
int oob_start(int argc, char **argv, const char *prog, const char *section, oob_args *a, tf_config *cfg,
             char *pos_path, size_t pos_cap, oob_position *pos);


/* Pin this process (every thread it starts later too) to export.cpu, so
 * out-of-band work stays off the engine's cores; nothing when -1. */
int oob_pin(const tf_config *cfg);

/* mkdir -p */
int oob_mkdirs(const char *path);

/* Write "<v>\n" to `path` whole (a temporary file renamed over it), so a
 * test or script that sees the file never reads half a number: port files,
 * tfsim's start file. */
void oob_write_number_file(const char *path, uint64_t v);

#endif
