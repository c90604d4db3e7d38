/* Does the host fit the engine's layout? The engine's pinned threads want
 * their cores to themselves: no other task, timer tick, RCU callback or
 * device interrupt there, no frequency ramp or deep sleep state on them;
 * the whole engine wants its memory unfragmented (no transparent huge page
 * compaction), lockable, and a disciplined clock.
 *
 * PROMISES
 * - tf_host_check() reads only (files under `root`, "/" on a real host, a
 *   fake tree in tests; the clock through ntp_adjtime on a real host) and
 *   says for each item ok / change / n/a, what it found, what to change
 *   and why. Items: isolcpus, nohz_full, rcu_nocbs, governor, c-states,
 *   thp, irq-affinity, memlock, clock, nic-coalescing.
 * - tf_host_apply() changes what can change at run time (governor,
 *   c-states, thp, irq-affinity), saying each write and each refusal;
 *   what needs the kernel command line or a unit file it only prints.
 * - The hot cores are the threads' `cpu` (>= 0); none pinned: the
 *   per-core items are n/a. Cold code (stdio, allocation). */
#ifndef TF_ENGINE_RUNTIME_HOST_FIT_H
#define TF_ENGINE_RUNTIME_HOST_FIT_H

#include <stdio.h>

#include "lib/conf/config.h"

#define TF_HOST_ITEMS 10

typedef enum tf_host_verdict { TF_HOST_OK = 0, TF_HOST_CHANGE, TF_HOST_NA } tf_host_verdict;

typedef struct tf_host_item {
    const char *name;
    int verdict;                 /* tf_host_verdict */
    char text[600];              /* what was found; for CHANGE what to do and why */
} tf_host_item;

typedef struct tf_host_report {
    int n;
    tf_host_item items[TF_HOST_ITEMS];
    int changes;                 /* items that want a change */
} tf_host_report;

void tf_host_check(const tf_config *cfg, const char *root, tf_host_report *out);
/* Returns how many writes failed. */
int tf_host_apply(const tf_config *cfg, const char *root, FILE *log);
/* The report as text lines "ok|CHANGE|n/a  item: text". */
void tf_host_print(const tf_host_report *r, FILE *f);

#endif
