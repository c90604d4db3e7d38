/* A fixed-rate (open-loop) HTTP load generator for bench_query.sh.
 *
 *   query_load PORT RATE SECONDS CONNS PATH [PATH...]
 *
 * Request i is due at start + i/RATE, whatever happened to earlier ones, and
 * its latency is measured from that due time to the last byte of the answer
 * (so a stall is charged to every request it delays: no coordinated
 * omission). Requests go round-robin over the PATHs on CONNS keep-alive
 * connections to 127.0.0.1:PORT, one in flight per connection. Bounded:
 * RATE*SECONDS requests, and it gives up 10 s after the last is due.
 * Prints: sent, ok, errors, achieved rate, latency p50/p95/p99/p99.9/max (us). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 256

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

typedef struct conn {
    int fd;
    int busy;
    uint64_t due;          /* of the request in flight */
    char buf[1 << 16];
    size_t have;
} conn;

static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("query_load: connect");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* A whole answer in c->buf? Returns its length, 0 if not yet, -1 bad. */
static long complete(conn *c, int *status)
{
    c->buf[c->have < sizeof c->buf ? c->have : sizeof c->buf - 1] = 0;
    char *end = strstr(c->buf, "\r\n\r\n");
    if (!end)
        return 0;
    *status = atoi(c->buf + 9);
    char *cl = strcasestr(c->buf, "content-length:");
    if (!cl || cl > end)
        return -1;
    long body = atol(cl + 15);
    long total = (end + 4 - c->buf) + body;
    return (long)c->have >= total ? total : 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: query_load PORT RATE SECONDS CONNS PATH [PATH...]\n");
        return 1;
    }
    int port = atoi(argv[1]), conns = atoi(argv[4]);
    double rate = atof(argv[2]), secs = atof(argv[3]);
    if (conns < 1 || conns > MAX_CONNS || rate <= 0 || secs <= 0)
        return 1;
    char **paths = argv + 5;
    int npaths = argc - 5;
    uint64_t total = (uint64_t)(rate * secs);
    uint64_t *lat = calloc(total, sizeof *lat);
    static conn cs[MAX_CONNS];
    for (int i = 0; i < conns; i++)
        cs[i].fd = dial(port);
    uint64_t start = now_ns() + 10000000ull, next = 0, done = 0, ok = 0, errors = 0;
    uint64_t period = (uint64_t)(1e9 / rate);
    struct pollfd pfd[MAX_CONNS];
    while (done < total) {
        uint64_t now = now_ns();
        if (next < total && now > start + (uint64_t)((double)total / rate * 1e9) + 10000000000ull)
            break;
        /* Send every request now due on a free connection. */
        for (int i = 0; i < conns && next < total && now >= start + next * period; i++) {
            if (cs[i].busy)
                continue;
            char req[512];
            int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", paths[next % npaths]);
            if (write(cs[i].fd, req, (size_t)n) != n) {
                perror("query_load: write");
                return 1;
            }
            cs[i].busy = 1;
            cs[i].due = start + next * period;
            cs[i].have = 0;
            next++;
        }
        for (int i = 0; i < conns; i++)
            pfd[i] = (struct pollfd){.fd = cs[i].fd, .events = POLLIN};
        /* Sleep (ppoll, ns resolution) until the next request is due or an
         * answer arrives: the generator must not take the CPU the server needs. */
        uint64_t due = next < total ? start + next * period : now + 1000000;
        uint64_t wait = due > now ? due - now : 0;
        struct timespec ts = {.tv_sec = (time_t)(wait / 1000000000u), .tv_nsec = (long)(wait % 1000000000u)};
        if (ppoll(pfd, (nfds_t)conns, &ts, NULL) < 0 && errno != EINTR)
            return 1;
        for (int i = 0; i < conns; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP)))
                continue;
            conn *c = &cs[i];
            ssize_t r = read(c->fd, c->buf + c->have, sizeof c->buf - 1 - c->have);
            if (r <= 0) {
                fprintf(stderr, "query_load: connection closed by the server\n");
                return 1;
            }
            c->have += (size_t)r;
            int status = 0;
            long len = complete(c, &status);
            if (len < 0 || (len == 0 && c->have >= sizeof c->buf - 1)) {
                fprintf(stderr, "query_load: answer too large or without content-length\n");
                return 1;
            }
            if (len > 0) {
                lat[done++] = now_ns() - c->due;
                if (status == 200)
                    ok++;
                else
                    errors++;
                c->busy = 0;
                c->have = 0;
            }
        }
    }
    uint64_t elapsed = now_ns() - start;
    qsort(lat, done, sizeof *lat, cmp_u64);
#define P(q) (done ? lat[(uint64_t)((double)(done - 1) * (q))] / 1000.0 : 0)
    printf("sent=%llu ok=%llu errors=%llu rate=%.0f p50_us=%.1f p95_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f\n",
           (unsigned long long)next, (unsigned long long)ok, (unsigned long long)errors,
           (double)done * 1e9 / (double)elapsed, P(0.50), P(0.95), P(0.99), P(0.999), done ? lat[done - 1] / 1000.0 : 0);
    free(lat);
    return done == total ? 0 : 1;
}
