/* Record types carried by journals, rings and state slots. Fixed-size,
 * no pointers, multiples of 8 bytes. Numbers are append-only: they are the
 * contract with tools built earlier. */
#ifndef TF_SHM_RECORDS_H
#define TF_SHM_RECORDS_H

#include <stdint.h>

#include "shm/common.h"
#include "shm/state.h"

/* Journal record types. */
typedef enum tf_rec_type {
    TF_REC_NONE = 0,
    TF_REC_SYNTH_TICK = 1,     /* tf_synth_tick: the synthetic source's records */
    TF_REC_ENGINE_EVENT = 2,   /* tf_engine_event: start, stop, config */
    TF_REC_TYPE_COUNT
} tf_rec_type;

extern const char *const tf_rec_type_names[TF_REC_TYPE_COUNT];

/* State slot kinds. */
typedef enum tf_state_kind {
    TF_STATE_NONE = 0,
    TF_STATE_ENGINE = 1,       /* tf_engine_status */
    TF_STATE_SYNTH_LAST = 2,   /* tf_synth_tick: the last one the sink saw */
    TF_STATE_KIND_COUNT
} tf_state_kind;

/* Synthetic market-data stand-in, timestamped at each hop. */
typedef struct tf_synth_tick {
    uint64_t seq;              /* source's own sequence, from 1 */
    int64_t value;             /* a random walk, fixed-point 1e-8 */
    uint64_t t_created_ns;     /* when the source made it (due time) */
    uint64_t t_enqueued_ns;    /* when it entered the ring */
    uint64_t t_dequeued_ns;    /* when the sink took it out */
    uint64_t t_journaled_ns;   /* when the sink appended it */
} tf_synth_tick;
_Static_assert(sizeof(tf_synth_tick) == 48, "fits a 64-byte journal slot");

typedef enum tf_engine_event_kind {
    TF_ENGINE_STARTED = 1,
    TF_ENGINE_STOPPING = 2,
} tf_engine_event_kind;

typedef struct tf_engine_event {
    uint32_t kind;             /* tf_engine_event_kind */
    int32_t pid;
    uint64_t realtime_ns;
    uint64_t arg;
} tf_engine_event;
_Static_assert(sizeof(tf_engine_event) == 24, "engine event");

typedef enum tf_engine_phase {
    TF_PHASE_STARTING = 1,
    TF_PHASE_RUNNING = 2,
    TF_PHASE_DRAINING = 3,
    TF_PHASE_STOPPED = 4,
} tf_engine_phase;

typedef struct tf_engine_status {
    uint32_t phase;            /* tf_engine_phase */
    int32_t pid;
    uint64_t started_realtime_ns;
    uint64_t uptime_ns;
    char config_file[64];      /* tail of the path it was started with */
} tf_engine_status;
_Static_assert(sizeof(tf_engine_status) <= TF_STATE_PAYLOAD, "fits a state slot");

/* Requests into the engine through the MPSC request ring. */
typedef enum tf_request_type {
    TF_REQ_NONE = 0,
    TF_REQ_PING = 1,           /* answered by counting; proves the path */
    TF_REQ_TYPE_COUNT
} tf_request_type;

struct tf_request {
    uint32_t type;             /* tf_request_type */
    uint32_t source_id;        /* the submitting process's id */
    uint64_t client_seq;       /* the submitter's own sequence */
    uint64_t t_sent_ns;
    uint8_t body[40];
};
_Static_assert(sizeof(struct tf_request) == 64, "request record");

const char *tf_rec_type_name(uint32_t type);

#endif
