/* The engine's log in words for what an operator must hear of at once:
 * out-of-band fills (order, symbol, side, quantity, price), orders resolved
 * by an operator, venue session resets, kill switch trips (from the order
 * journal), and each venue session's problem as the exchange I/O stage
 * states it (halted after the venue reset its numbers, a refused Logon
 * with the venue's words, a session Reject). The main thread reads and
 * formats; the stages only journal and publish, so the hot path formats
 * nothing. Cold, main thread only. */
#ifndef TF_ENGINE_EVENT_LOG_H
#define TF_ENGINE_EVENT_LOG_H

#include <stdint.h>
#include <stdio.h>

#include "engine/md/instruments.h"
#include "shm/journal.h"
#include "shm/orders.h"
#include "shm/state.h"

#define TF_EVENT_LOG_SESSIONS 8u

typedef struct tf_event_log {
    FILE *out;
    const tf_instruments *instruments;
    const tf_journal *orders;       /* NULL: no order path */
    tf_journal_reader reader;
    const tf_state_table *state;
    uint64_t said[TF_EVENT_LOG_SESSIONS]; /* each session's problem time last written */
    uint8_t halted[TF_EVENT_LOG_SESSIONS];
    _Alignas(64) uint8_t slot[256]; /* one journal slot */
} tf_event_log;

/* From the journal's next record on (what replay saw is not repeated). */
void tf_event_log_init(tf_event_log *l, FILE *out, const tf_instruments *ins, const tf_journal *orders,
                       const tf_state_table *state);
/* Write what is new; returns the lines written. */
int tf_event_log_poll(tf_event_log *l);

#endif
