/* Example: a strategy in its own process, in C, over libtfclient.
 *   cc -I. examples/c_strategy.c -Lbuild/lib -ltfclient -Wl,-rpath,$PWD/build/lib
 *   ./a.out [INSTANCE] [SHM_DIR] [PRICE] */
#include <stdio.h>

#include "include/tradefan/client.h"

int main(int argc, char **argv)
{
    char err[600];
    tfc *c = tfc_open(argc > 1 ? argv[1] : "dev", argc > 2 ? argv[2] : "/dev/shm", 2, err, sizeof err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    tf_order_event ev;
    uint64_t req = tfc_new_order(c, "BTCUSDT", "buy", "limit", "gtc", argc > 3 ? argv[3] : "42000.00", "0.001");
    if (!req || !tfc_wait(c, req, 3000, &ev)) {
        fprintf(stderr, "%s\n", tfc_error(c));
        tfc_close(c);
        return 1;
    }
    printf("%s order %llu %s\n", tfc_event_name(ev.kind), (unsigned long long)ev.order_id,
           ev.reason ? tfc_reason_name(ev.reason) : "");
    if (ev.kind == TF_EV_ACCEPTED && tfc_wait(c, tfc_cancel(c, ev.order_id), 3000, &ev))
        printf("%s order %llu\n", tfc_event_name(ev.kind), (unsigned long long)ev.order_id);
    tfc_close(c);
    return 0;
}
