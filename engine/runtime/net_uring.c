/* io_uring TCP client connections (see net_uring.h). user_data packs the
 * operation, the connection slot and the slot's generation, so a completion
 * that outlived its connection is recognised and only its buffer recycled. */
#include "engine/runtime/net_uring.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shm/err.h"

/* Valgrind does not see the kernel write received bytes through io_uring. */
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#endif

enum { OP_CONNECT = 1, OP_TIMEOUT, OP_SEND, OP_RECV };

static uint64_t pack(uint32_t op, uint32_t c, uint64_t gen) { return (gen << 16) | ((uint64_t)c << 8) | op; }

static struct io_uring_sqe *sqe_get(tf_net *n)
{
    struct io_uring_sqe *s = io_uring_get_sqe(&n->ring);
    if (!s) { /* full: submit what is there and retry once */
        io_uring_submit(&n->ring);
        s = io_uring_get_sqe(&n->ring);
    }
    return s;
}

static int setup_buf_ring(tf_net *n)
{
    n->br_len = TF_NET_BUF_COUNT * sizeof(struct io_uring_buf);
    void *p = mmap(NULL, n->br_len, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    n->br = p;
    struct io_uring_buf_reg reg = {.ring_addr = (uintptr_t)p, .ring_entries = TF_NET_BUF_COUNT, .bgid = TF_NET_BGID};
    if (io_uring_register_buf_ring(&n->ring, &reg, 0) != 0) {
        munmap(p, n->br_len);
        n->br = NULL;
        return -1;
    }
    io_uring_buf_ring_init(n->br);
    for (uint32_t i = 0; i < TF_NET_BUF_COUNT; i++)
        io_uring_buf_ring_add(n->br, n->bufs + (size_t)i * TF_NET_BUF_SIZE, TF_NET_BUF_SIZE, (unsigned short)i,
                              io_uring_buf_ring_mask(TF_NET_BUF_COUNT), (int)i);
    io_uring_buf_ring_advance(n->br, TF_NET_BUF_COUNT);
    return 0;
}

int tf_net_init(tf_net *n, uint32_t nconns, bool sqpoll, int sqpoll_cpu, bool force_plain_recv)
{
    memset(n, 0, sizeof *n);
    if (nconns == 0 || nconns > TF_NET_MAX_CONNS)
        return TF_ERR("%u connections: 1 to %u", nconns, TF_NET_MAX_CONNS);
    n->nconns = nconns;
    for (uint32_t i = 0; i < nconns; i++)
        n->conns[i].fd = -1;
    struct io_uring_params p = {0};
    if (sqpoll) {
        p.flags |= IORING_SETUP_SQPOLL;
        p.sq_thread_idle = 1000;
        if (sqpoll_cpu >= 0) {
            p.flags |= IORING_SETUP_SQ_AFF;
            p.sq_thread_cpu = (uint32_t)sqpoll_cpu;
        }
    }
    /* Completions without an interrupt: the kernel defers their work until
     * we ask (DEFER_TASKRUN) and raises IORING_SQ_TASKRUN when there is
     * some, so a busy-polling thread pays one system call per arrival and
     * no IPI (the default kicks the running task with an inter-processor
     * interrupt, microseconds on a VM). SINGLE_ISSUER binds the ring to the
     * thread that enables it: the stage's own thread, at its first poll.
     * Older kernels: COOP_TASKRUN, or neither. */
    static const unsigned tries[] = {
        IORING_SETUP_R_DISABLED | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
        IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG, 0};
    int rc = -EINVAL;
    for (size_t k = sqpoll ? 2 : 0; k < sizeof tries / sizeof tries[0]; k++) {
        struct io_uring_params q = p;
        q.flags |= tries[k];
        rc = io_uring_queue_init_params(256, &n->ring, &q);
        if (rc == 0) {
            n->setup_flags = tries[k];
            break;
        }
    }
    if (rc < 0)
        return TF_ERR("io_uring setup%s failed: %s", sqpoll ? " with SQPOLL" : "", strerror(-rc));
    n->ring_open = true;
    n->enabled = !(n->setup_flags & IORING_SETUP_R_DISABLED);
    n->sqpoll = sqpoll;
    n->bufs = aligned_alloc(4096, (size_t)TF_NET_BUF_COUNT * TF_NET_BUF_SIZE);
    if (!n->bufs) {
        tf_net_free(n);
        return TF_ERR("out of memory for receive buffers");
    }
    n->multishot = !force_plain_recv && setup_buf_ring(n) == 0;
    for (uint32_t i = 0; i < nconns; i++) {
        n->conns[i].rbuf = malloc(TF_NET_BUF_SIZE);
        if (!n->conns[i].rbuf) {
            tf_net_free(n);
            return TF_ERR("out of memory for receive buffers");
        }
    }
    return 0;
}

void tf_net_free(tf_net *n)
{
    for (uint32_t i = 0; i < n->nconns; i++) {
        if (n->conns[i].fd >= 0)
            close(n->conns[i].fd);
        free(n->conns[i].rbuf);
        n->conns[i].rbuf = NULL;
        n->conns[i].fd = -1;
    }
    if (n->br) {
        io_uring_unregister_buf_ring(&n->ring, TF_NET_BGID);
        munmap(n->br, n->br_len);
        n->br = NULL;
    }
    if (n->ring_open)
        io_uring_queue_exit(&n->ring);
    n->ring_open = false;
    free(n->bufs);
    n->bufs = NULL;
}

/* The first use, from the thread that polls: it becomes the ring's only issuer. */
static void ensure_enabled(tf_net *n)
{
    if (!n->enabled) {
        /* liburing 2.3 declares io_uring_enable_rings but does not export it. */
        syscall(__NR_io_uring_register, n->ring.ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
        n->enabled = true;
    }
}

static void arm_recv(tf_net *n, uint32_t c)
{
    tf_net_conn *k = &n->conns[c];
    struct io_uring_sqe *s = sqe_get(n);
    if (!s)
        return; /* retried from reap: recv_armed stays false */
    if (n->multishot) {
        io_uring_prep_recv_multishot(s, k->fd, NULL, 0, 0);
        s->flags |= IOSQE_BUFFER_SELECT;
        s->buf_group = TF_NET_BGID;
    } else {
        io_uring_prep_recv(s, k->fd, k->rbuf, TF_NET_BUF_SIZE, 0);
    }
    io_uring_sqe_set_data64(s, pack(OP_RECV, c, k->gen));
    k->recv_armed = true;
    n->c.rearms++;
}

int tf_net_connect(tf_net *n, uint32_t c, const struct sockaddr_in *addr, uint32_t timeout_ms)
{
    tf_net_conn *k = &n->conns[c];
    ensure_enabled(n);
    if (k->state != TF_NET_CLOSED)
        tf_net_close(n, c);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    k->fd = fd;
    k->gen++;
    k->state = TF_NET_CONNECTING;
    k->send_inflight = k->recv_armed = false;
    struct io_uring_sqe *s = sqe_get(n);
    struct io_uring_sqe *t = s ? sqe_get(n) : NULL;
    if (!s || !t) {
        tf_net_close(n, c);
        errno = EBUSY;
        return -1;
    }
    io_uring_prep_connect(s, fd, (const struct sockaddr *)addr, sizeof *addr);
    io_uring_sqe_set_data64(s, pack(OP_CONNECT, c, k->gen));
    s->flags |= IOSQE_IO_LINK;
    /* The timespec must live until the kernel has read it: at submit. */
    static __thread struct __kernel_timespec ts;
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = (long long)(timeout_ms % 1000) * 1000000;
    io_uring_prep_link_timeout(t, &ts, 0);
    io_uring_sqe_set_data64(t, pack(OP_TIMEOUT, c, k->gen));
    io_uring_submit(&n->ring);
    n->c.submits++;
    return 0;
}

int tf_net_send(tf_net *n, uint32_t c, const void *p, size_t len)
{
    tf_net_conn *k = &n->conns[c];
    if (k->state != TF_NET_OPEN || k->send_inflight)
        return -1;
    struct io_uring_sqe *s = sqe_get(n);
    if (!s)
        return -1;
    io_uring_prep_send(s, k->fd, p, len, MSG_NOSIGNAL);
    io_uring_sqe_set_data64(s, pack(OP_SEND, c, k->gen));
    k->send_inflight = true;
    return 0;
}

void tf_net_close(tf_net *n, uint32_t c)
{
    tf_net_conn *k = &n->conns[c];
    if (k->fd >= 0) {
        /* shutdown ends the armed receive; its completion is stale by then */
        shutdown(k->fd, SHUT_RDWR);
        close(k->fd);
        n->c.closes++;
    }
    k->fd = -1;
    k->gen++;
    k->state = TF_NET_CLOSED;
    k->send_inflight = k->recv_armed = false;
}

int tf_net_submit(tf_net *n)
{
    ensure_enabled(n);
    if (io_uring_sq_ready(&n->ring) == 0)
        return 0;
    n->c.submits++;
    return io_uring_submit(&n->ring);
}

static void recycle(tf_net *n, const struct io_uring_cqe *cqe)
{
    if (!(cqe->flags & IORING_CQE_F_BUFFER))
        return;
    unsigned short bid = (unsigned short)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
    io_uring_buf_ring_add(n->br, n->bufs + (size_t)bid * TF_NET_BUF_SIZE, TF_NET_BUF_SIZE, bid,
                          io_uring_buf_ring_mask(TF_NET_BUF_COUNT), 0);
    io_uring_buf_ring_advance(n->br, 1);
}

static void fail(tf_net *n, uint32_t c, int res, tf_net_handler h, void *ctx)
{
    tf_net_close(n, c);
    h(ctx, c, TF_NET_EV_CLOSED, res, NULL, 0);
}

static void on_cqe(tf_net *n, const struct io_uring_cqe *cqe, tf_net_handler h, void *ctx)
{
    uint64_t ud = io_uring_cqe_get_data64(cqe);
    uint32_t op = (uint32_t)(ud & 0xff), c = (uint32_t)((ud >> 8) & 0xff);
    uint64_t gen = ud >> 16;
    int res = cqe->res;
    if (op == OP_TIMEOUT)
        return;
    if (c >= n->nconns || n->conns[c].gen != gen || n->conns[c].state == TF_NET_CLOSED) {
        n->c.stale++;
        recycle(n, cqe);
        return;
    }
    tf_net_conn *k = &n->conns[c];
    switch (op) {
    case OP_CONNECT:
        if (res < 0) {
            fail(n, c, res == -ECANCELED ? -ETIMEDOUT : res, h, ctx);
            return;
        }
        k->state = TF_NET_OPEN;
        arm_recv(n, c);
        h(ctx, c, TF_NET_EV_CONNECTED, 0, NULL, 0);
        return;
    case OP_SEND:
        k->send_inflight = false;
        if (res < 0) {
            fail(n, c, res, h, ctx);
            return;
        }
        h(ctx, c, TF_NET_EV_SENT, res, NULL, 0);
        return;
    case OP_RECV:
        if (res == -ENOBUFS) { /* every buffer is in use: re-arm once some come back */
            n->c.enobufs++;
            k->recv_armed = false;
            return;
        }
        if (res == -EINVAL && n->multishot && !(cqe->flags & IORING_CQE_F_BUFFER)) {
            n->multishot = false; /* this kernel refuses multishot receive: plain from now on */
            k->recv_armed = false;
            return;
        }
        if (res <= 0) {
            recycle(n, cqe);
            fail(n, c, res, h, ctx);
            return;
        }
        if (cqe->flags & IORING_CQE_F_BUFFER) {
            unsigned short bid = (unsigned short)(cqe->flags >> IORING_CQE_BUFFER_SHIFT);
            char *data = n->bufs + (size_t)bid * TF_NET_BUF_SIZE;
            VALGRIND_MAKE_MEM_DEFINED(data, (size_t)res);
            h(ctx, c, TF_NET_EV_DATA, res, data, (size_t)res);
            recycle(n, cqe);
        } else {
            VALGRIND_MAKE_MEM_DEFINED(k->rbuf, (size_t)res);
            h(ctx, c, TF_NET_EV_DATA, res, k->rbuf, (size_t)res);
        }
        if (!(cqe->flags & IORING_CQE_F_MORE))
            k->recv_armed = false;
        return;
    default:
        return;
    }
}

uint32_t tf_net_reap(tf_net *n, tf_net_handler h, void *ctx, uint32_t max)
{
    /* Copy a batch out of the completion ring and release it before the
     * handlers run (they may queue new requests). No system call. */
    struct io_uring_cqe batch[32];
    uint32_t done = 0;
    ensure_enabled(n);
    /* Deferred completion work waiting: one system call runs it. */
    if ((n->setup_flags & IORING_SETUP_TASKRUN_FLAG) && (IO_URING_READ_ONCE(*n->ring.sq.kflags) & IORING_SQ_TASKRUN)) {
        io_uring_get_events(&n->ring);
        n->c.task_runs++;
    }
    while (done < max) {
        unsigned head, got = 0;
        struct io_uring_cqe *cqe;
        io_uring_for_each_cqe(&n->ring, head, cqe)
        {
            if (got == 32 || done + got == max)
                break;
            batch[got++] = *cqe;
        }
        if (got == 0)
            break;
        io_uring_cq_advance(&n->ring, got);
        for (unsigned i = 0; i < got; i++)
            on_cqe(n, &batch[i], h, ctx);
        done += got;
    }
    n->c.cqes += done;
    /* Receives that ended (plain receive, or ENOBUFS) are armed again. */
    for (uint32_t c = 0; c < n->nconns; c++)
        if (n->conns[c].state == TF_NET_OPEN && !n->conns[c].recv_armed)
            arm_recv(n, c);
    return done;
}
