/* tfsim: the local exchange simulator. The simulator object both halves
 * share, and tfsim's top-level leaves (t2t.c, tls.c).
 *
 * One thread: the main loop services libwebsockets without blocking, runs
 * the generator on a fixed schedule (message i due at start + i/rate,
 * CLOCK_MONOTONIC; the schedule starts when the first client subscribes),
 * and waits in epoll_wait on the FIX gateway's epoll instance (FIX and echo
 * sockets) until the next message is due. Every generated message goes,
 * already framed as a WebSocket text frame, into the send buffer of each
 * session subscribed to its stream; sessions write their buffers raw (many
 * frames per send) when writable.
 *
 * The book of each symbol is a matching engine (exchange/match.h): the
 * generator's market agent (owner 0) and the FIX participants
 * (exchange/exchange.h) trade in it; the symbol's bids/asks (md/md.h) are a
 * mirror of it kept from its LEVEL events (market.c), which also turns
 * every fill into trade/aggTrade/kline messages.
 * --t2t-out (t2t.c) stamps trade writes (server.c) and order reads
 * (fix_gateway.c) in that one thread; off, it is a NULL pointer.
 *
 * Each half's types are in its own header: md/md.h (market data),
 * exchange/exchange.h (order entry). main.c is the only file that calls
 * into both and wires each half's callbacks (sim_server_ops,
 * exchange_md_ops) to the other. */
#ifndef TF_TFSIM_SIM_H
#define TF_TFSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tools/tfsim/exchange/exchange.h"
#include "tools/tfsim/md/md.h"

#define SIM_T2T_SAMPLES (1u << 20)  /* --t2t-out: samples kept */
#define SIM_T2T_ENDS 4096u          /* --t2t-out: a session's unsent trade frame ends remembered */

typedef struct sim {
    /* options */
    int port;
    const char *bind, *port_file, *start_file, *record_file, *replay_file, *book_dump, *t2t_out, *answer_out;
    bool tls;
    uint64_t seed, rate, messages, ping_s;
    double duration;
    uint32_t mix;                   /* SK_* bits generated */
    sim_fault fault;
    sim_impact impact;
    sim_fix_opts fix;               /* the order-entry half's (its faults in fix.fault) */
    /* state */
    uint32_t nsym;
    sim_symbol sym[SIM_MAX_SYMBOLS];
    uint64_t rng;
    sim_session sess[SIM_MAX_SESSIONS];
    struct lws_context *ctx;
    sim_server_ops server_ops;      /* as given to sim_server_start */
    bool started;                   /* schedule running */
    bool gen_done;
    uint64_t start_ns, generated;   /* messages generated (scheduled slots used) */
    uint64_t stall_until_ns;
    FILE *record, *replay;
    char *line;                     /* replay line buffer */
    size_t line_cap;
    char *msg;                      /* scratch for one message */
    char *held;                     /* reorder: a trade held back */
    size_t held_len;
    int held_sym;
    uint64_t trades_out;            /* trade messages published (for dup/reorder) */
    uint64_t depth_count;           /* depthUpdates made (gap fault schedule) */
    uint64_t now_ms;                /* wall clock of the book operation under way (trade times) */
    bool seeding;                   /* the agent's first levels: no depth changes published */
    bool in_gen;                    /* the generator is operating on the books */
    struct exchange *ex;            /* the FIX participants' side (NULL without --fix-port) */
    sim_order_ops order_events;     /* where market.c sends participants' book events (s->ex's) */
    struct sim_gw *gw;              /* sockets and epoll (fix_gateway.c) */
    struct sim_t2t *t2t;            /* --t2t-out (NULL: off) */
    struct sim_answer *answer;      /* --answer-out (NULL: off) */
    /* counters */
    uint64_t c_dropped, c_dup, c_reorder, c_gap, c_malformed, c_truncated, c_oversize, c_stall,
        c_shutdown, c_slow_cut, c_clients;
    char cert_dir[64];
} sim;

/* The index of a symbol by name (upper or lower case as configured), -1
 * when unknown. Both halves look symbols up in the table of sim. */
static inline int sim_find_symbol(const sim *s, const char *name, size_t len)
{
    for (uint32_t i = 0; i < s->nsym; i++) {
        const sim_symbol *y = &s->sym[i];
        if (strlen(y->name) == len && (strncmp(y->name, name, len) == 0 || strncmp(y->lower, name, len) == 0))
            return (int)i;
    }
    return -1;
}

/* t2t.c: --t2t-out (tick-to-trade stamps) */
typedef struct sim_t2t sim_t2t;
sim_t2t *sim_t2t_open(const char *path);    /* NULL with a message when out of memory */
void sim_t2t_trade_write(sim_t2t *t, uint64_t mono_ns); /* just before a write with a trade frame */
/* A D, F, G or XCN read at read_ns (taken right after its recv). */
void sim_t2t_reaction(sim_t2t *t, uint64_t read_ns, const char *msg_type);
void sim_t2t_close(sim_t2t *t, bool write); /* write: the samples to the file, their count on stderr */

/* answer.c: --answer-out (the venue's own share of an order round trip) */
typedef struct sim_answer sim_answer;
sim_answer *sim_answer_open(const char *path); /* NULL with a message when out of memory */
void sim_answer_order(sim_answer *a, uint64_t read_ns); /* a D, F, G or XCN read at read_ns */
void sim_answer_write(sim_answer *a, uint64_t write_ns); /* just before a write to a FIX connection */
void sim_answer_close(sim_answer *a, bool write);

/* tls.c */
int sim_make_cert(sim *s, char *cert_path, size_t cp, char *key_path, size_t kp);

#endif
