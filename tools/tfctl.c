/* tfctl: talk to a running engine through its request ring (MPSC, shared
 * memory). Today it proves the path: `tfctl ping` submits ping requests the
 * engine counts (requests_ping in tfstat). The order path (issue 5) adds
 * limits, the kill switch and orders on the same ring.
 *
 *   tfctl [-n INSTANCE] [-d DIR] ping [-c COUNT]
 *
 * A full ring is retried for up to a second, then reported (exit 1): the
 * engine is not draining its requests. Exit codes as tfstat: 2 no engine,
 * 3 wrong layout version, 4 not a TradeFan segment.
 */
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm/err.h"
#include "shm/records.h"
#include "shm/ring.h"
#include "shm/segment.h"
#include "tools/tool_util.h"

TF_MPSC_PROTOTYPE(tf_request, tf_request)

static void usage(FILE *f)
{
    fprintf(f, "usage: tfctl [-n INSTANCE] [-d DIR] ping [-c COUNT]\n");
}

int main(int argc, char **argv)
{
    const char *inst = getenv("TRADEFAN_INSTANCE") ? getenv("TRADEFAN_INSTANCE") : "dev";
    const char *dir = "/dev/shm";
    uint64_t count = 1;
    int ch;
    while ((ch = getopt(argc, argv, "+n:d:h")) != -1) {
        switch (ch) {
        case 'n': inst = optarg; break;
        case 'd': dir = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 1;
        }
    }
    if (optind >= argc || strcmp(argv[optind], "ping") != 0) {
        usage(stderr);
        return 1;
    }
    optind++;
    while ((ch = getopt(argc, argv, "c:")) != -1) {
        char *end;
        if (ch != 'c' || (count = strtoull(optarg, &end, 10), *end) || count == 0) {
            usage(stderr);
            return 1;
        }
    }
    char path[256];
    if (tf_segment_path(path, sizeof path, dir, inst, "requests") != 0) {
        fprintf(stderr, "tfctl: %s\n", tf_err_msg());
        return 1;
    }
    tf_segment seg;
    tf_seg_status st = tf_segment_attach_writable(&seg, path, TF_SEG_KIND_RINGS);
    if (st != TF_SEG_OK) {
        if (st == TF_SEG_NOT_THERE)
            fprintf(stderr, "tfctl: no engine '%s' in %s (is it running?)\n", inst, dir);
        else
            fprintf(stderr, "tfctl: %s\n", tf_err_msg());
        return tool_exit_code(st);
    }
    if (tf_segment_owner(&seg, tf_now_ns(), NULL) != TF_OWNER_LIVE) {
        fprintf(stderr, "tfctl: engine '%s' is not running; requests would not be read\n", inst);
        tf_segment_close(&seg);
        return 2;
    }
    uint64_t len;
    void *region = tf_segment_region(&seg, "requests", &len);
    tf_ring ring;
    if (!region || tf_ring_attach(&ring, region, len) != 0 || ring.kind != TF_RING_MPSC ||
        ring.record_size != sizeof(struct tf_request)) {
        fprintf(stderr, "tfctl: %s: not a request ring of this version\n", path);
        tf_segment_close(&seg);
        return 4;
    }
    uint64_t sent = 0;
    for (uint64_t i = 1; i <= count; i++) {
        struct tf_request q = {.type = TF_REQ_PING, .source_id = (uint32_t)getpid(),
                               .client_seq = i, .t_sent_ns = tf_now_ns()};
        uint64_t give_up = tf_now_ns() + 1000000000ull;
        while (!tf_mpsc_offer_tf_request(&ring, &q)) {
            if (tf_now_ns() > give_up) {
                fprintf(stderr, "tfctl: request ring full for 1 s after %" PRIu64 " pings; "
                                "the engine is not draining it\n", sent);
                tf_segment_close(&seg);
                return 1;
            }
            sched_yield();
        }
        sent++;
    }
    printf("tfctl: %" PRIu64 " pings submitted to %s\n", sent, inst);
    tf_segment_close(&seg);
    return 0;
}
