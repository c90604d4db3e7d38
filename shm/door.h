/* The door: how a client process gets a request lane whose every record
 * carries an identity the engine established itself.
 *
 * Why: a lane in a shared segment can be written by anyone who can open
 * the segment, so a field in the record (the strategy id) says nothing
 * about who wrote it. Here the engine listens on a Unix socket
 * (<shm dir>/tradefan.<instance>.door); a client connects and asks for a
 * strategy; the kernel tells the engine who it is (SO_PEERCRED: uid, gid,
 * pid); the engine's policy decides what that identity may do (trade which
 * strategy, operate or not); and the engine creates the lane in memory of
 * its own (a memfd) and hands the descriptor over the socket (SCM_RIGHTS) to
 * that client alone. Nobody else can map it. The lane's identity (strategy,
 * operator) stays in the engine's private table and is stamped on every
 * record read from it; the lane's ring indices are the client's to corrupt,
 * so the engine keeps its own consumer index and bounds the producer's.
 * When the client closes the socket (it exits, or dies) the lane is read
 * empty and freed.
 *
 * Threads: the door thread (tf_door_serve: accept, handshake, reap) and one
 * consumer (tf_door_poll, the risk gate). A lane's `state` is the handover
 * between them (release/acquire): FREE → OPEN (door) → CLOSING (door: the
 * client went) → DRAINED (consumer: read empty) → FREE (door: unmapped). */
#ifndef TF_SHM_DOOR_H
#define TF_SHM_DOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shm/records.h"
#include "shm/ring.h"

#define TF_DOOR_LANES 32u
#define TF_DOOR_MAGIC 0x524f4f44u        /* "DOOR" */
#define TF_DOOR_VERSION 1u

enum { TF_DOOR_FREE = 0, TF_DOOR_OPEN, TF_DOOR_CLOSING, TF_DOOR_DRAINED };

/* The client's hello and the engine's answer (fixed size, host order: the
 * socket never leaves the machine). */
typedef struct tf_door_hello {
    uint32_t magic, version;
    uint32_t strategy;                   /* asked for */
    uint32_t _pad;
} tf_door_hello;

typedef struct tf_door_reply {
    uint32_t magic, version;
    int32_t status;                      /* 0: a lane (the descriptor rides along); else refused */
    uint32_t strategy;                   /* granted: stamped on every record */
    uint32_t operator_;                  /* 1: may send operator requests */
    uint32_t capacity, record_size;
    uint32_t uid;                        /* as the engine saw it */
    char text[160];                      /* why, when refused */
} tf_door_reply;

/* What an identity may do: the engine's policy. Return 0 to grant (set
 * *strategy, possibly to the one asked, and *operator_), or -1 with `why`. */
typedef int (*tf_door_policy)(void *ctx, uid_t uid, gid_t gid, pid_t pid, uint32_t asked, uint32_t *strategy,
                              bool *operator_, char *why, size_t why_len);

typedef struct tf_door_lane {
    uint32_t state;                      /* TF_DOOR_*: the handover (see above) */
    /* Written by the door before OPEN, read-only after. */
    uint32_t strategy, operator_, uid, pid;
    int sock, memfd;
    void *map;
    size_t map_len;
    tf_ring ring;                        /* private view: mask and capacity are ours */
    /* The consumer's own. */
    uint64_t head;                       /* next record to read (never trusted from the map) */
    uint64_t last_req;                   /* the lane's request-id window */
    uint64_t corrupt;                    /* producer indices out of bounds: lane closed */
} tf_door_lane;

typedef struct tf_door {
    int listen_fd;
    char path[256];
    uint32_t capacity, record_size;
    tf_door_policy policy;
    void *policy_ctx;
    uint32_t next;                       /* consumer: round-robin start */
    uint64_t refused, granted;           /* door thread's counts (atomic stores: the consumer reads them) */
    uint64_t corrupt;                    /* consumer's: lanes closed as corrupt */
    tf_door_lane lanes[TF_DOOR_LANES];
} tf_door;

/* Engine, cold: listen at `path` (a stale socket there is replaced; a file
 * that is not a socket is refused), `mode` on the socket (who may knock:
 * the policy decides who gets in). 0, or -1 with TF_ERR. */
int tf_door_open(tf_door *d, const char *path, unsigned mode, uint32_t capacity, uint32_t record_size,
                 tf_door_policy policy, void *ctx);
/* Door thread: wait up to timeout_ms for a knock or a departure, handle
 * them, free drained lanes. Returns what it did (0: nothing). */
int tf_door_serve(tf_door *d, int timeout_ms);
void tf_door_close(tf_door *d);

/* Consumer: the next record from an open (or closing) lane, round-robin;
 * its lane in *lane (the identity to stamp). A lane whose producer index is
 * out of bounds is closed (counted in `corrupt`), never read past. */
bool tf_door_poll(tf_door *d, struct tf_request *out, tf_door_lane **lane);
/* Consumer, cold: lanes open now (OPEN or CLOSING). */
uint32_t tf_door_lanes_open(const tf_door *d);

/* Client: knock at `path` asking for `strategy`. On success the lane's
 * ring (mapped) and the reply; -1 with the reason in `err` (the engine's
 * words when it refused). *sock stays open while the lane is used: closing
 * it gives the lane back. */
int tf_door_knock(const char *path, uint32_t strategy, int *sock, void **map, size_t *map_len, tf_ring *ring,
                  tf_door_reply *reply, char *err, size_t err_len);

#endif
