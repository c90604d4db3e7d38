/* tfsim --t2t-out FILE: tick-to-trade as the venue sees it, for
 * `make bench-t2t`. Two stamps, both CLOCK_MONOTONIC in the one thread:
 * a trade write, taken by server.c immediately before each WebSocket write
 * that completes at least one trade or aggTrade frame (the session's ring
 * remembers where its trade frames end), and a reaction read, taken by
 * fix_gateway.c immediately after each recv of a FIX connection, before
 * any parsing, and given to every D, F, G and XCN framed from that read
 * (exchange_app.c hands them here). Pairing, done as the reactions come
 * (writes and reads alternate in the one loop, so this equals pairing the
 * two sorted series at exit): a reaction takes the latest trade write
 * before it if no reaction took that write yet (the first message after a
 * write is its reaction; later ones until the next write are not samples).
 * Samples go into arrays allocated at start (SIM_T2T_SAMPLES of them; more
 * are counted, not kept): no allocation per message. At exit FILE gets one
 * line per sample, "<t_read - t_write in ns> <MsgType>", and stderr how
 * many. With the option off none of this exists: the callers test a NULL
 * pointer. Each line also carries the two stamps themselves ("<t_read -
 * t_write> <MsgType> <t_write> <t_read>"), so the bench can lay the
 * engine's own stamps (one clock) between them. */
#include "tools/tfsim/sim.h"

#include <stdlib.h>
#include <string.h>

struct sim_t2t {
    const char *path;
    uint64_t last_write;            /* the latest trade write no reaction took yet (0: none) */
    uint64_t *ns;                   /* samples: t_read - t_write */
    uint64_t *at;                   /* their t_write */
    char (*type)[4];                /* their MsgTypes */
    uint32_t n;
    uint64_t writes, reads, unkept; /* trade writes, D/F/G/XCN read, samples beyond the arrays */
};

sim_t2t *sim_t2t_open(const char *path)
{
    sim_t2t *t = calloc(1, sizeof *t);
    if (t) {
        t->ns = malloc(SIM_T2T_SAMPLES * sizeof *t->ns);
        t->type = malloc(SIM_T2T_SAMPLES * sizeof *t->type);
        t->at = malloc(SIM_T2T_SAMPLES * sizeof *t->at);
    }
    if (!t || !t->ns || !t->type || !t->at) {
        fprintf(stderr, "tfsim: --t2t-out: out of memory for %u samples\n", SIM_T2T_SAMPLES);
        sim_t2t_close(t, false);
        return NULL;
    }
    t->path = path;
    return t;
}

void sim_t2t_trade_write(sim_t2t *t, uint64_t mono_ns)
{
    t->last_write = mono_ns;
    t->writes++;
}

void sim_t2t_reaction(sim_t2t *t, uint64_t read_ns, const char *msg_type)
{
    t->reads++;
    if (!t->last_write || t->last_write > read_ns)
        return;
    if (t->n < SIM_T2T_SAMPLES) {
        size_t len = strnlen(msg_type, 3);
        t->ns[t->n] = read_ns - t->last_write;
        t->at[t->n] = t->last_write;
        memcpy(t->type[t->n], msg_type, len);
        t->type[t->n][len] = 0;
        t->n++;
    } else {
        t->unkept++;
    }
    t->last_write = 0;
}

void sim_t2t_close(sim_t2t *t, bool write)
{
    if (!t)
        return;
    if (write) {
        FILE *f = fopen(t->path, "w");
        uint32_t k = 0;
        for (; f && k < t->n; k++)
            fprintf(f, "%llu %s %llu %llu\n", (unsigned long long)t->ns[k], t->type[k],
                    (unsigned long long)t->at[k], (unsigned long long)(t->at[k] + t->ns[k]));
        if (!f || fclose(f) != 0)
            fprintf(stderr, "tfsim: --t2t-out: cannot write %s\n", t->path);
        else
            fprintf(stderr,
                    "tfsim: t2t: %u samples written to %s (%llu trade writes, %llu D/F/G/XCN read, "
                    "%llu samples beyond the first %u not kept)\n",
                    t->n, t->path, (unsigned long long)t->writes, (unsigned long long)t->reads,
                    (unsigned long long)t->unkept, SIM_T2T_SAMPLES);
    }
    free(t->ns);
    free(t->type);
    free(t->at);
    free(t);
}
