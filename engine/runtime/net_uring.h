/* TCP client connections driven by io_uring, for the exchange I/O stage.
 *
 * Every socket operation — connect (with a linked timeout), send, receive —
 * is an io_uring request; the stage's thread submits what it queued once
 * per cycle (liburing enters the kernel only when there is something to
 * submit, or, with SQPOLL, only when the kernel's poller sleeps) and reaps
 * completions from the shared ring without a system call.
 *
 * Receive: one multishot receive per connection, filling buffers from a
 * provided-buffer ring that is registered by hand (liburing 2.3 has no
 * helper to allocate one); each buffer goes back to the ring as soon as
 * its handler returns. Where the kernel refuses either, a plain receive
 * into the connection's own buffer, re-armed after each completion.
 * Send: one in flight per connection; the caller keeps the bytes in place
 * until the SENT event and resubmits the rest of a short send.
 * Errors (ECONNRESET, EPIPE, ETIMEDOUT, EOF ...) close the connection and
 * raise one CLOSED event with the reason; completions that belong to an
 * earlier life of a connection slot are recognised by a generation number
 * and ignored (their buffers recycled).
 *
 * Completions: the kernel defers their work (DEFER_TASKRUN) and flags it
 * in the ring; tf_net_reap then makes one system call to run it, so no
 * inter-processor interrupt ever lands on the polling thread.
 *
 * Threading: one thread owns a tf_net: it may be made on another thread,
 * but the first to connect, submit or reap becomes its only issuer. No
 * allocation after init. */
#ifndef TF_ENGINE_NET_URING_H
#define TF_ENGINE_NET_URING_H

#include <liburing.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TF_NET_MAX_CONNS 16u
#define TF_NET_BUF_SIZE 16384u        /* one provided receive buffer */
#define TF_NET_BUF_COUNT 64u          /* provided buffers (power of two) */
#define TF_NET_BGID 7u

typedef enum tf_net_state { TF_NET_CLOSED = 0, TF_NET_CONNECTING, TF_NET_OPEN } tf_net_state;

typedef enum tf_net_event {
    TF_NET_EV_CONNECTED = 1,
    TF_NET_EV_DATA,                   /* data/len: bytes received, valid during the call */
    TF_NET_EV_SENT,                   /* res: bytes of the send in flight that went out */
    TF_NET_EV_CLOSED,                 /* res: -errno, or 0 when the peer closed */
} tf_net_event;

typedef struct tf_net_conn {
    int fd;
    uint8_t state;                    /* tf_net_state */
    bool send_inflight, recv_armed;
    uint64_t gen;                     /* life of this slot: stale completions are ignored */
    char *rbuf;                       /* plain-receive fallback */
} tf_net_conn;

typedef struct tf_net_counters {
    uint64_t submits, cqes, stale, enobufs, rearms, closes, task_runs;
} tf_net_counters;

typedef struct tf_net {
    struct io_uring ring;
    bool ring_open, sqpoll;
    bool enabled;                     /* created disabled; enabled by the polling thread */
    unsigned setup_flags;             /* the task-run mode this kernel took */
    bool multishot;                   /* provided buffers + multishot receive in use */
    struct io_uring_buf_ring *br;
    size_t br_len;
    char *bufs;
    tf_net_conn conns[TF_NET_MAX_CONNS];
    uint32_t nconns;
    tf_net_counters c;
} tf_net;

typedef void (*tf_net_handler)(void *ctx, uint32_t conn, tf_net_event ev, int res, const char *data, size_t len);

/* Cold. sqpoll: a kernel thread polls the submission ring (on `sqpoll_cpu`
 * if >= 0); force_plain_recv: skip the provided-buffer ring (tests).
 * 0, or -1 with TF_ERR. */
int tf_net_init(tf_net *n, uint32_t nconns, bool sqpoll, int sqpoll_cpu, bool force_plain_recv);
void tf_net_free(tf_net *n);

/* Start connecting slot `c` (closed) to addr; a CONNECTED or CLOSED event
 * follows. 0, or -1 when no socket could be made (errno kept). */
int tf_net_connect(tf_net *n, uint32_t c, const struct sockaddr_in *addr, uint32_t timeout_ms);
/* Queue a send of [p, p+len) on an open connection with nothing in flight. */
int tf_net_send(tf_net *n, uint32_t c, const void *p, size_t len);
/* Close now (no event). */
void tf_net_close(tf_net *n, uint32_t c);
/* Submit what was queued (no system call when nothing was). */
int tf_net_submit(tf_net *n);
/* Handle up to `max` completions; returns how many. */
uint32_t tf_net_reap(tf_net *n, tf_net_handler h, void *ctx, uint32_t max);

static inline bool tf_net_can_send(const tf_net *n, uint32_t c)
{
    return n->conns[c].state == TF_NET_OPEN && !n->conns[c].send_inflight;
}

#endif
