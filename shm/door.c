/* The door (see door.h): a Unix socket where a client's identity comes from
 * the kernel, and a lane in memory only that client and the engine map. */
#include "shm/door.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "shm/atomic.h"
#include "shm/err.h"

#define TF__DOOR_HANDSHAKE_MS 1000       /* a knocker that says nothing this long is dropped */

int tf_door_open(tf_door *d, const char *path, unsigned mode, uint32_t capacity, uint32_t record_size,
                 tf_door_policy policy, void *ctx)
{
    memset(d, 0, sizeof *d);
    d->listen_fd = -1;
    for (uint32_t i = 0; i < TF_DOOR_LANES; i++)
        d->lanes[i].sock = d->lanes[i].memfd = -1;
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof a.sun_path || strlen(path) >= sizeof d->path)
        return TF_ERR("door %s: path too long", path);
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    snprintf(d->path, sizeof d->path, "%s", path);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return TF_ERR("door %s exists and is not a socket: refusing to replace it", path);
        if (st.st_uid != geteuid())
            return TF_ERR("door %s is owned by uid %u, not us (uid %u): refusing it", path, (unsigned)st.st_uid,
                          (unsigned)geteuid());
        unlink(path); /* a stale door of an engine that died */
    }
    d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (d->listen_fd < 0)
        return TF_ERR("door socket: %s", strerror(errno));
    if (bind(d->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || chmod(path, mode & 0777) != 0 ||
        listen(d->listen_fd, 16) != 0) {
        int e = errno;
        tf_door_close(d);
        return TF_ERR("door %s: %s", path, strerror(e));
    }
    d->capacity = capacity;
    d->record_size = record_size;
    d->policy = policy;
    d->policy_ctx = ctx;
    return 0;
}

static void lane_free(tf_door_lane *l)
{
    if (l->map)
        munmap(l->map, l->map_len);
    if (l->memfd >= 0)
        close(l->memfd);
    if (l->sock >= 0)
        close(l->sock);
    memset(l, 0, sizeof *l);
    l->sock = l->memfd = -1;
}

void tf_door_close(tf_door *d)
{
    if (d->listen_fd >= 0) {
        close(d->listen_fd);
        unlink(d->path);
    }
    d->listen_fd = -1;
    for (uint32_t i = 0; i < TF_DOOR_LANES; i++)
        if (d->lanes[i].map || d->lanes[i].sock >= 0)
            lane_free(&d->lanes[i]);
}

/* A refusal: counted before it is said (whoever hears it may look). */
static void refuse(tf_door *d, int fd, tf_door_reply *r)
{
    tf_store_64(&d->refused, d->refused + 1);
    (void)!send(fd, r, sizeof *r, MSG_NOSIGNAL);
}

/* One knock: read the hello, learn the identity from the kernel, ask the
 * policy, and hand a fresh lane over. The caller closes fd on -1. */
static int admit(tf_door *d, int fd)
{
    struct timeval tv = {.tv_sec = 0, .tv_usec = TF__DOOR_HANDSHAKE_MS * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    tf_door_hello h;
    tf_door_reply r = {.magic = TF_DOOR_MAGIC, .version = TF_DOOR_VERSION, .status = -1};
    ssize_t n = recv(fd, &h, sizeof h, MSG_WAITALL);
    if (n != (ssize_t)sizeof h || h.magic != TF_DOOR_MAGIC || h.version != TF_DOOR_VERSION) {
        snprintf(r.text, sizeof r.text, "not a door hello of version %u", TF_DOOR_VERSION);
        refuse(d, fd, &r);
        return -1;
    }
    struct ucred cred;
    socklen_t cl = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) != 0) {
        snprintf(r.text, sizeof r.text, "the kernel did not say who you are");
        refuse(d, fd, &r);
        return -1;
    }
    r.uid = cred.uid;
    uint32_t strategy = h.strategy;
    bool op = false;
    if (d->policy(d->policy_ctx, cred.uid, cred.gid, cred.pid, h.strategy, &strategy, &op, r.text,
                  sizeof r.text) != 0) {
        refuse(d, fd, &r);
        return -1;
    }
    tf_door_lane *l = NULL;
    for (uint32_t i = 0; i < TF_DOOR_LANES && !l; i++)
        if (tf_load_acquire_32(&d->lanes[i].state) == TF_DOOR_FREE && !d->lanes[i].map)
            l = &d->lanes[i];
    if (!l) {
        snprintf(r.text, sizeof r.text, "every one of the %u lanes is in use", TF_DOOR_LANES);
        refuse(d, fd, &r);
        return -1;
    }
    size_t len = (size_t)tf_ring_region_size(d->capacity, d->record_size);
    int mfd = memfd_create("tradefan-lane", MFD_CLOEXEC);
    void *map = MAP_FAILED;
    if (mfd < 0 || ftruncate(mfd, (off_t)len) != 0 ||
        (map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0)) == MAP_FAILED ||
        tf_ring_init(&l->ring, map, len, "lane", TF_RING_SPSC, d->capacity, d->record_size) != 0) {
        snprintf(r.text, sizeof r.text, "the engine could not make a lane: %s", strerror(errno));
        refuse(d, fd, &r);
        if (map != MAP_FAILED)
            munmap(map, len);
        if (mfd >= 0)
            close(mfd);
        return -1;
    }
    r.status = 0;
    r.strategy = strategy;
    r.operator_ = op;
    r.capacity = d->capacity;
    r.record_size = d->record_size;
    char cbuf[CMSG_SPACE(sizeof(int))];
    memset(cbuf, 0, sizeof cbuf);
    struct iovec iov = {.iov_base = &r, .iov_len = sizeof r};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &mfd, sizeof mfd);
    /* Open before the client hears of it: what it writes at once is read. */
    l->strategy = strategy;
    l->operator_ = op;
    l->uid = cred.uid;
    l->pid = (uint32_t)cred.pid;
    l->sock = fd;
    l->memfd = mfd;
    l->map = map;
    l->map_len = len;
    l->head = 0;
    l->last_req = 0;
    l->corrupt = 0;
    tf_store_release_32(&l->state, TF_DOOR_OPEN); /* the consumer reads all of the above after this */
    tf_store_64(&d->granted, d->granted + 1);
    if (sendmsg(fd, &m, MSG_NOSIGNAL) != (ssize_t)sizeof r)
        tf_cas_32(&l->state, TF_DOOR_OPEN, TF_DOOR_CLOSING); /* read empty, then freed (the socket with it) */
    return 0;
}

int tf_door_serve(tf_door *d, int timeout_ms)
{
    struct pollfd p[1 + TF_DOOR_LANES];
    int idx[1 + TF_DOOR_LANES];
    int n = 0, done = 0;
    p[n++] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
    for (uint32_t i = 0; i < TF_DOOR_LANES; i++) {
        tf_door_lane *l = &d->lanes[i];
        uint32_t st = tf_load_acquire_32(&l->state);
        if (st == TF_DOOR_DRAINED) { /* read empty (or closed as corrupt): give it back */
            lane_free(l);
            tf_store_release_32(&l->state, TF_DOOR_FREE);
            done++;
            continue;
        }
        if (st == TF_DOOR_OPEN && l->sock >= 0) {
            idx[n] = (int)i;
            p[n++] = (struct pollfd){.fd = l->sock, .events = POLLIN};
        }
    }
    if (poll(p, (nfds_t)n, timeout_ms) <= 0)
        return done;
    for (int k = 1; k < n; k++) {
        if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        tf_door_lane *l = &d->lanes[idx[k]];
        char b[64];
        ssize_t r = recv(l->sock, b, sizeof b, MSG_DONTWAIT);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) { /* the client went */
            tf_cas_32(&l->state, TF_DOOR_OPEN, TF_DOOR_CLOSING);
            done++;
        }
    }
    if (p[0].revents & POLLIN) {
        int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            if (admit(d, fd) != 0)
                close(fd);
            done++;
        }
    }
    return done;
}

bool tf_door_poll(tf_door *d, struct tf_request *out, tf_door_lane **lane)
{
    for (uint32_t k = 0; k < TF_DOOR_LANES; k++) {
        uint32_t i = (d->next + k) % TF_DOOR_LANES;
        tf_door_lane *l = &d->lanes[i];
        uint32_t st = tf_load_acquire_32(&l->state);
        if (st != TF_DOOR_OPEN && st != TF_DOOR_CLOSING)
            continue;
        uint64_t tail = tf_load_acquire_64(&l->ring.desc->prod.tail);
        if (tail == l->head) {
            if (st == TF_DOOR_CLOSING)
                tf_cas_32(&l->state, TF_DOOR_CLOSING, TF_DOOR_DRAINED);
            continue;
        }
        /* The producer's index is the client's to write: a lane claiming
         * more than it can hold is not read, it is closed. */
        if (tail - l->head > l->ring.capacity) {
            l->corrupt++;
            d->corrupt++;
            if (!tf_cas_32(&l->state, TF_DOOR_OPEN, TF_DOOR_DRAINED))
                tf_cas_32(&l->state, TF_DOOR_CLOSING, TF_DOOR_DRAINED);
            continue;
        }
        memcpy(out, l->ring.buf + (size_t)(l->head & l->ring.mask) * l->ring.record_size, sizeof *out);
        l->head++;
        tf_store_release_64(&l->ring.desc->cons.head, l->head); /* the slot is the producer's again */
        d->next = i + 1;
        *lane = l;
        return true;
    }
    return false;
}

uint32_t tf_door_lanes_open(const tf_door *d)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < TF_DOOR_LANES; i++) {
        uint32_t st = tf_load_acquire_32(&d->lanes[i].state);
        n += st == TF_DOOR_OPEN || st == TF_DOOR_CLOSING;
    }
    return n;
}

int tf_door_knock(const char *path, uint32_t strategy, int *sock, void **map, size_t *map_len, tf_ring *ring,
                  tf_door_reply *reply, char *err, size_t err_len)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        snprintf(err, err_len, "no engine door at %s (%s): is the engine running its order path?", path,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct timeval tv = {.tv_sec = 3, .tv_usec = 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    tf_door_hello h = {.magic = TF_DOOR_MAGIC, .version = TF_DOOR_VERSION, .strategy = strategy};
    char cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {.iov_base = reply, .iov_len = sizeof *reply};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
    memset(reply, 0, sizeof *reply);
    if (send(fd, &h, sizeof h, MSG_NOSIGNAL) != (ssize_t)sizeof h ||
        recvmsg(fd, &m, MSG_WAITALL | MSG_CMSG_CLOEXEC) != (ssize_t)sizeof *reply || reply->magic != TF_DOOR_MAGIC) {
        snprintf(err, err_len, "the engine's door at %s did not answer", path);
        close(fd);
        return -1;
    }
    reply->text[sizeof reply->text - 1] = 0;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    int mfd = -1;
    if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
        memcpy(&mfd, CMSG_DATA(c), sizeof mfd);
    if (reply->status != 0 || mfd < 0) {
        snprintf(err, err_len, "the engine refused a lane for strategy %u (uid %u): %s", strategy, reply->uid,
                 reply->status ? reply->text : "no lane came with the answer");
        if (mfd >= 0)
            close(mfd);
        close(fd);
        return -1;
    }
    size_t len = (size_t)tf_ring_region_size(reply->capacity, reply->record_size);
    struct stat st;
    void *p = MAP_FAILED;
    if (fstat(mfd, &st) != 0 || (size_t)st.st_size != len ||
        (p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0)) == MAP_FAILED ||
        tf_ring_attach(ring, p, len) != 0 || ring->record_size != sizeof(struct tf_request)) {
        snprintf(err, err_len, "the engine's lane does not add up (%u records of %u bytes)", reply->capacity,
                 reply->record_size);
        if (p != MAP_FAILED)
            munmap(p, len);
        close(mfd);
        close(fd);
        return -1;
    }
    close(mfd); /* the mapping stays */
    *sock = fd;
    *map = p;
    *map_len = len;
    return 0;
}
