/* tfsim --answer-out FILE: the venue's own share of an order round trip,
 * for `make bench-fix`, so its figure says what is ours. Two stamps, both
 * CLOCK_MONOTONIC in the one thread: the read that brought a D, F, G or
 * XCN (taken by fix_gateway.c right after the recv, before any parsing;
 * the same stamp --t2t-out uses), and the first write of that connection
 * after it (taken right before the send). At exit FILE gets one line per
 * order answered, "<t_read> <t_write>". Arrays allocated at start
 * (SIM_T2T_SAMPLES); more are counted, not kept. Off: callers test NULL. */
#include "tools/tfsim/sim.h"

#include <stdlib.h>

struct sim_answer {
    const char *path;
    uint64_t *rd, *wr;
    uint32_t n;
    uint64_t pending;               /* the read of an order not answered yet (0: none) */
    uint64_t unkept;
};

sim_answer *sim_answer_open(const char *path)
{
    sim_answer *a = calloc(1, sizeof *a);
    if (a) {
        a->rd = malloc(SIM_T2T_SAMPLES * sizeof *a->rd);
        a->wr = malloc(SIM_T2T_SAMPLES * sizeof *a->wr);
    }
    if (!a || !a->rd || !a->wr) {
        fprintf(stderr, "tfsim: --answer-out: out of memory for %u samples\n", SIM_T2T_SAMPLES);
        sim_answer_close(a, false);
        return NULL;
    }
    a->path = path;
    return a;
}

void sim_answer_order(sim_answer *a, uint64_t read_ns)
{
    if (!a->pending)
        a->pending = read_ns; /* several in one read: the first is answered first */
}

void sim_answer_write(sim_answer *a, uint64_t write_ns)
{
    if (!a->pending)
        return;
    if (a->n < SIM_T2T_SAMPLES) {
        a->rd[a->n] = a->pending;
        a->wr[a->n] = write_ns;
        a->n++;
    } else {
        a->unkept++;
    }
    a->pending = 0;
}

void sim_answer_close(sim_answer *a, bool write)
{
    if (!a)
        return;
    if (write) {
        FILE *f = fopen(a->path, "w");
        for (uint32_t k = 0; f && k < a->n; k++)
            fprintf(f, "%llu %llu\n", (unsigned long long)a->rd[k], (unsigned long long)a->wr[k]);
        if (!f || fclose(f) != 0)
            fprintf(stderr, "tfsim: --answer-out: cannot write %s\n", a->path);
        else if (a->unkept)
            fprintf(stderr, "tfsim: answer: %llu orders beyond the first %u not kept\n",
                    (unsigned long long)a->unkept, SIM_T2T_SAMPLES);
    }
    free(a->rd);
    free(a->wr);
    free(a);
}
