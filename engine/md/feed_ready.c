/* The feed's readiness ring; see feed_ready.h. */
#include "engine/md/feed_ready.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <liburing.h>

#include "shm/common.h"
#include "shm/err.h"

struct tf_feed_ready {
    struct io_uring ring;
    int fd;                  /* watched (-1: none) */
    uint64_t gen;            /* user_data of the live watch; older completions are stale */
    bool armed;              /* the multishot poll is in place */
    uint64_t events, rearms;
};

#define TF__READY_MASK (POLLIN | POLLERR | POLLHUP | POLLRDHUP)

tf_feed_ready *tf_feed_ready_open(void)
{
    tf_feed_ready *r = calloc(1, sizeof *r);
    if (!r) {
        TF_ERR("feed: out of memory");
        return NULL;
    }
    /* COOP_TASKRUN: the kernel does not interrupt the spinning thread (an
     * IPI, a VM exit on a virtual machine) to post the completion; it sets
     * IORING_SQ_TASKRUN, which this thread reads, and the completion is
     * posted at its next system call (lws_service's poll()). */
    int rc = io_uring_queue_init(8, &r->ring, IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG);
    if (rc == -EINVAL) /* before Linux 5.19 */
        rc = io_uring_queue_init(8, &r->ring, 0);
    if (rc < 0) {
        TF_ERR("feed: io_uring for socket readiness: %s", strerror(-rc));
        free(r);
        return NULL;
    }
    r->fd = -1;
    return r;
}

static int arm(tf_feed_ready *r)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
    if (!sqe)
        return -1;
    io_uring_prep_poll_multishot(sqe, r->fd, TF__READY_MASK);
    io_uring_sqe_set_data64(sqe, r->gen);
    if (io_uring_submit(&r->ring) < 1)
        return -1;
    r->armed = true;
    return 0;
}

void tf_feed_ready_unwatch(tf_feed_ready *r)
{
    if (r->fd < 0)
        return;
    if (r->armed) {
        /* The poll holds a reference to the socket: cancel it so the socket
         * really closes. The cancel's own completion is read and dropped. */
        struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
        if (sqe) {
            io_uring_prep_poll_remove(sqe, r->gen);
            io_uring_sqe_set_data64(sqe, 0);
            io_uring_submit(&r->ring);
        }
    }
    r->armed = false;
    r->fd = -1;
    r->gen++;
}

int tf_feed_ready_watch(tf_feed_ready *r, int fd)
{
    tf_feed_ready_unwatch(r);
    if (fd < 0)
        return -1;
    r->fd = fd;
    r->gen++;
    return arm(r);
}

bool tf_feed_ready_take(tf_feed_ready *r)
{
    bool ready = (IO_URING_READ_ONCE(*r->ring.sq.kflags) & IORING_SQ_TASKRUN) != 0, ended = false;
    struct io_uring_cqe *cqe;
    unsigned head, seen = 0;
    io_uring_for_each_cqe(&r->ring, head, cqe)
    {
        seen++;
        if (cqe->user_data != r->gen || r->fd < 0)
            continue; /* a cancelled watch, or the cancel itself */
        ready = true; /* data, hang-up, error, or -errno: lws must look */
        if (!(cqe->flags & IORING_CQE_F_MORE))
            ended = true;
    }
    if (seen)
        io_uring_cq_advance(&r->ring, seen);
    if (ready)
        r->events++;
    if (ended && r->fd >= 0) {
        r->armed = false;
        r->rearms++;
        arm(r);
    }
    return ready || r->fd < 0 || !r->armed;
}

uint64_t tf_feed_ready_events(const tf_feed_ready *r) { return r->events + r->rearms; }

void tf_feed_ready_close(tf_feed_ready *r)
{
    if (!r)
        return;
    tf_feed_ready_unwatch(r);
    io_uring_queue_exit(&r->ring);
    free(r);
}
