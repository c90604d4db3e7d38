/* libFuzzer target: the order path (risk gate → OMS → paper venue) fed a
 * program of raw request records — garbage bodies, unknown types, any
 * strategy, any numbers — interleaved with market moves, depth and trades.
 * Checked after every step: nothing crashes or overflows (UBSan), the OMS
 * and the risk gate agree on what is open, no impossible report arises
 * between our own stages, and the filled position never exceeds its limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/engine/orders/order_fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void cleanup(void)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return;
}

static const char *yaml =
    "orders: {capacity: 64}\n"
    "risk:\n"
    "  max_gross_exposure: \"1000000\"\n"
    "  max_concentration_pct: 90\n"
    "  daily_loss_limit: \"50000\"\n"
    "  max_open_orders: 40\n"
    "  duplicate_count: 4\n"
    "  instruments:\n"
    "    - {symbol: BTCUSDT, max_order_qty: \"2\", max_position: \"3\", collar_bps: 300}\n"
    "  strategies:\n"
    "    - {id: 1, name: a, max_open_orders: 10, orders_per_s: 1000}\n"
    "    - {id: 2, name: b, daily_loss_limit: \"1000\"}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/dev/shm/tf-fuzz-orders.XXXXXX");
        if (!mkdtemp(dir))
            abort();
        atexit(cleanup);
    }
    fx_journal_slots = 4096;
    fx f;
    if (fx_open(&f, dir, yaml) != 0)
        abort();
    int64_t mid = 4300000;
    while (size >= 2) {
        uint8_t op = data[0], arg = data[1];
        data += 2;
        size -= 2;
        switch (op % 5) {
        case 0: /* a raw request record from a client */
        case 1: {
            struct tf_request q;
            size_t n = size < sizeof q ? size : sizeof q;
            memset(&q, 0, sizeof q);
            memcpy(&q, data, n);
            data += n;
            size -= n;
            if (op & 0x80) { /* mostly plausible: a known strategy, ids that grow */
                q.source_id %= 4;
                q.client_seq = f.req_id++;
            }
            q.t_sent_ns = tf_now_ns();
            tf_spsc_offer(&f.lanes.rings[f.lane], &q, sizeof q);
            break;
        }
        case 2: { /* a depth level near the market */
            tf_md_depth d = {.instrument = arg & 1, .side = (arg >> 1) & 1,
                             .flags = TF_MD_DEPTH_FIRST | TF_MD_DEPTH_LAST,
                             .price = mid + ((arg >> 1) & 1 ? 1 : -1) * (arg % 64),
                             .qty = (int64_t)(arg % 8) * 1000};
            tf_paper_on_md(&f.paper, TF_REC_MD_DEPTH, &d);
            break;
        }
        case 3: { /* a trade */
            tf_md_trade t = {.instrument = arg & 1, .price = mid + (int64_t)(arg % 200) - 100,
                             .qty = (int64_t)arg * 100 + 1};
            tf_paper_on_md(&f.paper, TF_REC_MD_TRADE, &t);
            break;
        }
        case 4: /* the market moves; time passes */
            mid += (int64_t)(int8_t)arg * 50;
            if (mid < 1000)
                mid = 1000;
            fx_set_mid(&f, 0, mid - 5, mid + 5);
            f.now += (uint64_t)arg * 1000000;
            break;
        }
        fx_run(&f);
        if (f.oms.open_count != f.risk.open_count || f.oms.status.illegal != 0)
            abort();
        if (f.oms.total[0].qty > 300000 || f.oms.total[0].qty < -300000)
            abort();
    }
    fx_close(&f);
    return 0;
}
