/* tfsim's sockets for the order-entry half: the FIX acceptor (plain TCP, or
 * TLS with OpenSSL on the nonblocking socket, using the self-signed
 * certificate tfsim makes for wss) and the raw TCP echo port, both served
 * by the main loop through one epoll instance. The loop's idle wait is
 * epoll_pwait2 on it (nanosecond timeout, the schedule's), so FIX input and
 * echo input wake it at once through the same path; --busy-poll never
 * sleeps. Level-triggered: EPOLLIN always, EPOLLOUT only while a write is
 * blocked. What a FIX connection says goes to the exchange
 * (exchange_conn_input); what it must send is written straight from the
 * session's queue (exchange_conn_peek/_written), after every input and
 * once per loop for reports the generator's trades made. No allocation per
 * message; SIGUSR1 (sim_fix_drop_request) drops every FIX connection.
 * With --fix-store DIR the exchange's orders outlive tfsim: loaded from
 * DIR/orders.state before the port opens (a file of another version: exit
 * 2), saved there at a clean stop once the connections are closed (so what
 * cancel-on-disconnect did is in it). --t2t-out: the monotonic clock right
 * after each read of a FIX connection goes with its input (t2t.c). Market
 * data is reached only through the exchange_md_ops sim_fix_start is given
 * (the loop's tick); the books' participant events are routed to the
 * exchange here (sim.order_events). */
#include "tools/tfsim/sim.h"
#include "tools/oob/oob_process.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tools/tfsim/exchange/exchange.h"

#define GW_ECHO_MAX 16
#define GW_ECHO_BUF 65536u
#define GW_EVENTS 64

enum { K_LISTEN_FIX = 1, K_LISTEN_ECHO, K_FIX, K_ECHO };

volatile sig_atomic_t sim_fix_drop_request;

typedef struct gw_conn {
    int fd;
    SSL *ssl;
    bool used;
    uint32_t events;                /* registered with epoll */
    char *buf;                      /* echo: bytes read, not yet written back */
    uint32_t off, len;
} gw_conn;

struct sim_gw {
    int epfd, lfd_fix, lfd_echo, nfds;
    bool started;                   /* everything listening: the counters mean something */
    SSL_CTX *tls;
    gw_conn fix[EX_MAX_CONNS], echo[GW_ECHO_MAX];
    exchange_md_ops md;             /* as given to sim_fix_start */
    uint64_t saved_sum;             /* --fix-store: what the orders file last held */
    char rbuf[65536];
};

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* --fix-store: the orders file follows every change before the reports of
 * that change are written to the session, as a venue makes a change durable
 * before it acknowledges it: a tfsim killed outright loses nothing it has
 * told the engine (a cancel it acknowledged stays canceled). */
static void save_if_changed(sim *s, struct sim_gw *g)
{
    if (!g || !g->started || !s->fix.store_dir || !s->ex)
        return;
    const exchange_counters *c = exchange_counters_of(s->ex);
    uint64_t sum = c->orders + c->fills + c->cancels + c->replaces + c->cancel_news + c->rejects + c->sessions +
                   c->cancel_on_disconnect;
    if (sum == g->saved_sum)
        return;
    if (exchange_save_state_quietly(s->ex, s->fix.store_dir) == 0)
        g->saved_sum = sum;
}

static void set_events(struct sim_gw *g, gw_conn *c, uint64_t key, uint32_t ev)
{
    if (c->events == ev)
        return;
    struct epoll_event e = {.events = ev, .data.u64 = key};
    epoll_ctl(g->epfd, EPOLL_CTL_MOD, c->fd, &e);
    c->events = ev;
}

static uint64_t key_of(int kind, int i) { return (uint64_t)kind << 32 | (uint32_t)i; }

/* ---- listening ------------------------------------------------------------------ */

static int listen_on(struct sim_gw *g, const char *addr, int *port, const char *port_file, int kind,
                     const char *what)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "tfsim: %s: bind address '%s' is not an IPv4 address\n", what, addr);
        return -1;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    socklen_t len = sizeof sa;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        fprintf(stderr, "tfsim: %s: cannot listen on %s:%d: %s\n", what, addr, *port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    struct epoll_event e = {.events = EPOLLIN, .data.u64 = key_of(kind, 0)};
    epoll_ctl(g->epfd, EPOLL_CTL_ADD, fd, &e);
    g->nfds++;
    if (port_file)
        oob_write_number_file(port_file, (uint64_t)*port); /* whole: a reader never sees half a number */
    return fd;
}

static int tls_setup(sim *s, struct sim_gw *g)
{
    char cert[128], key[128];
    if (s->cert_dir[0]) {
        snprintf(cert, sizeof cert, "%s/cert.pem", s->cert_dir);
        snprintf(key, sizeof key, "%s/key.pem", s->cert_dir);
    } else if (sim_make_cert(s, cert, sizeof cert, key, sizeof key) != 0) {
        return -1;
    }
    g->tls = SSL_CTX_new(TLS_server_method());
    if (!g->tls || SSL_CTX_use_certificate_file(g->tls, cert, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(g->tls, key, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "tfsim: --fix-tls: cannot load the certificate\n");
        return -1;
    }
    SSL_CTX_set_mode(g->tls, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return 0;
}

int sim_fix_start(sim *s, const exchange_md_ops *md)
{
    struct sim_gw *g = calloc(1, sizeof *g);
    if (!g)
        return -1;
    s->gw = g;
    if (md)
        g->md = *md;
    g->lfd_fix = g->lfd_echo = -1;
    g->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (g->epfd < 0) {
        fprintf(stderr, "tfsim: epoll_create1: %s\n", strerror(errno));
        return -1;
    }
    const sim_fix_opts *o = &s->fix;
    const char *bind_addr = o->bind ? o->bind : s->bind;
    if (o->port > 0 || o->port_file) {
        if (o->tls && tls_setup(s, g) != 0)
            return -1;
        if (!(s->ex = exchange_create(s, &g->md)))
            return -1;
        s->order_events = (sim_order_ops){.book_event = exchange_book_event_cb, .ctx = s->ex};
        exchange_clock(s->ex, clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_REALTIME));
        if (o->store_dir && exchange_load_state(s->ex, o->store_dir) < 0)
            return -1;
        if ((g->lfd_fix = listen_on(g, bind_addr, &s->fix.port, o->port_file, K_LISTEN_FIX, "--fix-port")) < 0)
            return -1;
        fprintf(stderr, "tfsim: FIX 4.4 acceptor%s on %s:%d (CompID %s)\n", o->tls ? " over TLS" : "",
                bind_addr, s->fix.port, o->comp_id ? o->comp_id : "TFSIM");
    }
    if (o->echo_port > 0 || o->echo_port_file) {
        if ((g->lfd_echo = listen_on(g, bind_addr, &s->fix.echo_port, o->echo_port_file, K_LISTEN_ECHO,
                                     "--echo-port")) < 0)
            return -1;
        for (int i = 0; i < GW_ECHO_MAX; i++)
            if (!(g->echo[i].buf = malloc(GW_ECHO_BUF)))
                return -1;
        fprintf(stderr, "tfsim: TCP echo on %s:%d\n", bind_addr, s->fix.echo_port);
    }
    g->started = true;
    return 0;
}

/* ---- FIX connections -------------------------------------------------------------- */

static void fix_close(sim *s, int ci)
{
    struct sim_gw *g = s->gw;
    gw_conn *c = &g->fix[ci];
    if (!c->used)
        return;
    epoll_ctl(g->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->ssl)
        SSL_free(c->ssl);
    close(c->fd);
    g->nfds--;
    *c = (gw_conn){.fd = -1};
    exchange_conn_close(s->ex, ci);
}

/* Write what the exchange has for it; EPOLLOUT while the socket is full. */
static void fix_flush(sim *s, int ci)
{
    struct sim_gw *g = s->gw;
    gw_conn *c = &g->fix[ci];
    bool blocked = false;
    for (;;) {
        const char *p;
        size_t n = exchange_conn_peek(s->ex, ci, &p);
        if (n == 0)
            break;
        if (s->answer) /* --answer-out: right before the write that answers */
            sim_answer_write(s->answer, clock_ns(CLOCK_MONOTONIC));
        ssize_t w;
        if (c->ssl) {
            ERR_clear_error();
            int r = SSL_write(c->ssl, p, n > INT32_MAX ? INT32_MAX : (int)n);
            if (r <= 0) {
                int e = SSL_get_error(c->ssl, r);
                if (e == SSL_ERROR_WANT_WRITE)
                    blocked = true;
                else if (e != SSL_ERROR_WANT_READ) {
                    fix_close(s, ci);
                    return;
                }
                break;
            }
            w = r;
        } else {
            w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    blocked = true;
                    break;
                }
                fix_close(s, ci);
                return;
            }
        }
        exchange_conn_written(s->ex, ci, (size_t)w);
    }
    set_events(g, c, key_of(K_FIX, ci), blocked ? EPOLLIN | EPOLLOUT : EPOLLIN);
    if (exchange_conn_done(s->ex, ci))
        fix_close(s, ci);
}

static void fix_readable(sim *s, int ci)
{
    struct sim_gw *g = s->gw;
    gw_conn *c = &g->fix[ci];
    for (int budget = 0; budget < 64 && c->used; budget++) {
        ssize_t n;
        if (c->ssl) {
            ERR_clear_error();
            int r = SSL_read(c->ssl, g->rbuf, sizeof g->rbuf);
            if (r <= 0) {
                int e = SSL_get_error(c->ssl, r);
                if (e == SSL_ERROR_WANT_READ)
                    break;
                if (e == SSL_ERROR_WANT_WRITE) {
                    set_events(g, c, key_of(K_FIX, ci), EPOLLIN | EPOLLOUT);
                    break;
                }
                fix_close(s, ci);
                return;
            }
            n = r;
        } else {
            n = recv(c->fd, g->rbuf, sizeof g->rbuf, MSG_DONTWAIT);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (n <= 0) {
                fix_close(s, ci);
                return;
            }
        }
        if (s->t2t || s->answer) /* once per read, before any parsing */
            exchange_stamp_read(s->ex, clock_ns(CLOCK_MONOTONIC));
        exchange_conn_input(s->ex, ci, g->rbuf, (size_t)n);
        if (exchange_conn_done(s->ex, ci) || (!c->ssl && (size_t)n < sizeof g->rbuf))
            break;
    }
    save_if_changed(s, g); /* durable before the answers go out */
    fix_flush(s, ci);
}

static void fix_accept(sim *s)
{
    struct sim_gw *g = s->gw;
    for (;;) {
        int fd = accept4(g->lfd_fix, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int ci = exchange_conn_open(s->ex);
        if (ci < 0) {
            close(fd); /* all connections taken */
            continue;
        }
        gw_conn *c = &g->fix[ci];
        *c = (gw_conn){.fd = fd, .used = true, .events = EPOLLIN};
        if (g->tls) {
            c->ssl = SSL_new(g->tls);
            if (!c->ssl || SSL_set_fd(c->ssl, fd) != 1) {
                fix_close(s, ci);
                continue;
            }
            SSL_set_accept_state(c->ssl);
        }
        struct epoll_event e = {.events = EPOLLIN, .data.u64 = key_of(K_FIX, ci)};
        epoll_ctl(g->epfd, EPOLL_CTL_ADD, fd, &e);
        g->nfds++;
    }
}

/* ---- the echo port ----------------------------------------------------------------- */

static void echo_close(struct sim_gw *g, int i)
{
    gw_conn *c = &g->echo[i];
    epoll_ctl(g->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    g->nfds--;
    c->used = false;
    c->fd = -1;
    c->off = c->len = 0;
}

static void echo_io(struct sim_gw *g, int i)
{
    gw_conn *c = &g->echo[i];
    for (;;) {
        if (c->len < GW_ECHO_BUF) {
            ssize_t n = recv(c->fd, c->buf + c->len, GW_ECHO_BUF - c->len, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                echo_close(g, i);
                return;
            }
            if (n > 0)
                c->len += (uint32_t)n;
        }
        while (c->off < c->len) {
            ssize_t w = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK) {
                    echo_close(g, i);
                    return;
                }
                break;
            }
            c->off += (uint32_t)w;
        }
        if (c->off == c->len)
            c->off = c->len = 0;
        break;
    }
    uint32_t ev = (c->len < GW_ECHO_BUF ? EPOLLIN : 0) | (c->off < c->len ? EPOLLOUT : 0);
    set_events(g, c, key_of(K_ECHO, i), ev);
}

static void echo_accept(struct sim_gw *g)
{
    for (;;) {
        int fd = accept4(g->lfd_echo, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int i = 0;
        while (i < GW_ECHO_MAX && g->echo[i].used)
            i++;
        if (i == GW_ECHO_MAX) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        gw_conn *c = &g->echo[i];
        c->fd = fd;
        c->used = true;
        c->events = EPOLLIN;
        c->off = c->len = 0;
        struct epoll_event e = {.events = EPOLLIN, .data.u64 = key_of(K_ECHO, i)};
        epoll_ctl(g->epfd, EPOLL_CTL_ADD, fd, &e);
        g->nfds++;
    }
}

/* ---- the loop's wait ----------------------------------------------------------------- */

static void flush_all(sim *s)
{
    for (int i = 0; i < EX_MAX_CONNS; i++) {
        gw_conn *c = &s->gw->fix[i];
        if (c->used && !(c->events & EPOLLOUT))
            fix_flush(s, i);
    }
}

void sim_fix_wait(sim *s, uint64_t timeout_ns)
{
    struct sim_gw *g = s->gw;
    exchange *x = s->ex;
    if (sim_fix_drop_request) {
        sim_fix_drop_request = 0;
        if (x) {
            exchange_drop_all(x);
            fprintf(stderr, "tfsim: SIGUSR1: dropping every FIX connection\n");
        }
    }
    if (x) {
        save_if_changed(s, g);
        flush_all(s);
        uint64_t wake = exchange_wake_ns(x);
        if (wake) {
            uint64_t now = clock_ns(CLOCK_MONOTONIC);
            uint64_t d = wake > now ? wake - now : 0;
            if (d < timeout_ns)
                timeout_ns = d;
        }
    }
    if (s->fix.busy_poll)
        timeout_ns = 0;
    struct epoll_event ev[GW_EVENTS];
    int n = 0;
    if (g->nfds > 0 || timeout_ns > 0) {
        static bool no_pwait2; /* an old kernel (or valgrind): milliseconds, rounded up */
        struct timespec ts = {(time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u)};
        n = no_pwait2 ? -1 : epoll_pwait2(g->epfd, ev, GW_EVENTS, &ts, NULL);
        if (no_pwait2 || (n < 0 && errno == ENOSYS)) {
            no_pwait2 = true;
            n = epoll_wait(g->epfd, ev, GW_EVENTS, (int)((timeout_ns + 999999) / 1000000));
        }
        if (n < 0)
            n = 0;
    }
    if (x)
        exchange_clock(x, clock_ns(CLOCK_MONOTONIC), clock_ns(CLOCK_REALTIME));
    for (int k = 0; k < n; k++) {
        int kind = (int)(ev[k].data.u64 >> 32), i = (int)(uint32_t)ev[k].data.u64;
        switch (kind) {
        case K_LISTEN_FIX: fix_accept(s); break;
        case K_LISTEN_ECHO: echo_accept(g); break;
        case K_FIX:
            if (g->fix[i].used)
                fix_readable(s, i);
            break;
        case K_ECHO:
            if (g->echo[i].used)
                echo_io(g, i);
            break;
        default: break;
        }
    }
    if (x) {
        save_if_changed(s, g);
        flush_all(s);
        if (g->md.tick)
            g->md.tick(g->md.ctx, clock_ns(CLOCK_MONOTONIC));
    }
}

void sim_fix_stop(sim *s)
{
    struct sim_gw *g = s->gw;
    if (s->fix.orders_dump) {
        FILE *f = fopen(s->fix.orders_dump, "w");
        if (!f)
            fprintf(stderr, "tfsim: cannot write %s\n", s->fix.orders_dump);
        if (f && s->ex)
            exchange_dump_orders(s->ex, f);
        if (f)
            fclose(f);
    }
    if (s->ex && g && g->started)
        exchange_print_stats(s->ex, stderr);
    if (g) {
        for (int i = 0; i < EX_MAX_CONNS; i++)
            if (g->fix[i].used)
                fix_close(s, i);
        if (s->ex && g->started && s->fix.store_dir)
            exchange_save_state(s->ex, s->fix.store_dir);
        for (int i = 0; i < GW_ECHO_MAX; i++) {
            if (g->echo[i].used)
                echo_close(g, i);
            free(g->echo[i].buf);
        }
        if (g->lfd_fix >= 0)
            close(g->lfd_fix);
        if (g->lfd_echo >= 0)
            close(g->lfd_echo);
        if (g->epfd >= 0)
            close(g->epfd);
        SSL_CTX_free(g->tls);
        free(g);
        s->gw = NULL;
    }
    s->order_events = (sim_order_ops){0};
    exchange_free(s->ex);
    s->ex = NULL;
}
