/* tfsup's health checks (see sup.h). Each is bounded by a short timeout:
 * the supervisor's loop never waits long on one service. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "shm/catalog.h"
#include "shm/orders.h"
#include "shm/segment.h"
#include "tools/sup/sup.h"

static size_t discard(void *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* The HTTP status of a GET (post NULL) or a POST of `post`, within a
 * second; 0 when there was no answer. */
static long http_status(const char *url, const char *post)
{
    CURL *h = curl_easy_init();
    if (!h)
        return 0;
    long code = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (post) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(post));
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    if (curl_easy_perform(h) != CURLE_OK || curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
        code = 0;
    curl_easy_cleanup(h);
    return code;
}

static int http_ok(const char *url)
{
    long code = http_status(url, NULL);
    return code >= 200 && code < 300;
}

/* A point written to the engine's database: taken (204), or no database
 * yet (404: the exporter creates it) counts as writable. */
static int influx_writable(const char *url)
{
    long code = http_status(url, "tradefan_supervisor_probe up=1i");
    return code == 204 || code == 404;
}

/* Connected to 127.0.0.1:port within 500 ms: the fd, else -1. */
static int connect_local(uint32_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, 500) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        close(fd);
        return -1;
    }
    return fd;
}

static int redis_ok(uint32_t port)
{
    int fd = connect_local(port);
    if (fd < 0)
        return 0;
    char buf[64] = "";
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ssize_t n = -1;
    if (write(fd, "PING\r\n", 6) == 6 && poll(&p, 1, 500) == 1)
        n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 && (strncmp(buf, "+PONG", 5) == 0 || strncmp(buf, "-NOAUTH", 7) == 0);
}

/* The engine's stats segment, published by this very process (not one
 * left over by an engine before it). */
static int engine_ok(const sup *s, pid_t pid)
{
    char path[SUP_PATH];
    if (tf_segment_path(path, sizeof path, s->cfg.shm_dir, s->cfg.instance, TF_SEG_STATS) != 0)
        return 0;
    tf_segment seg;
    if (tf_segment_attach(&seg, path, TF_SEG_KIND_STATS) != TF_SEG_OK)
        return 0;
    int ok = seg.hdr->owner_pid == pid && seg.hdr->owner_state == TF_OWNER_STATE_LIVE;
    tf_segment_close(&seg);
    return ok;
}

int sup_healthy(const sup *s, const sup_service *v)
{
    switch (v->health) {
    case SUP_HEALTH_HTTP: return http_ok(v->url);
    case SUP_HEALTH_INFLUX: return http_ok(v->url) && influx_writable(v->probe);
    case SUP_HEALTH_REDIS: return redis_ok(v->port);
    case SUP_HEALTH_TCP: {
        int fd = connect_local(v->port);
        if (fd >= 0)
            close(fd);
        return fd >= 0;
    }
    case SUP_HEALTH_ENGINE: return engine_ok(s, v->pid);
    default: return sup_now_ms() - v->started_ms >= 500;
    }
}

int sup_open_orders(const sup *s)
{
    char path[SUP_PATH];
    if (tf_segment_path(path, sizeof path, s->cfg.shm_dir, s->cfg.instance, TF_SEG_STATE) != 0)
        return -1;
    tf_segment seg;
    tf_seg_status st = tf_segment_attach(&seg, path, TF_SEG_KIND_STATE);
    if (st == TF_SEG_NOT_THERE)
        return 0; /* it never got as far as an order table */
    if (st != TF_SEG_OK)
        return -1;
    uint64_t len = 0;
    const tf_order_slot *t = tf_segment_region(&seg, TF_REGION_ORDERS, &len);
    int open = 0; /* no order table: an engine without the order path */
    for (uint64_t k = 0; t && k < len / sizeof *t; k++) {
        if (!tf_load_32(&t[k].used))
            continue;
        uint8_t o = __atomic_load_n(&t[k].order.state, __ATOMIC_RELAXED);
        if (o != TF_OS_FILLED && o != TF_OS_CANCELED && o != TF_OS_REJECTED && o != TF_OS_EXPIRED && o != TF_OS_NONE)
            open++;
    }
    tf_segment_close(&seg);
    return open;
}
