/* libFuzzer target: the exchange I/O stage (engine/venue/exio*.c) in the
 * initiator role fed arbitrary execution reports, cancel rejects, session
 * and business rejects and status answers, straight into its application
 * handler (tf__exio_on_message, what the FIX session calls for each app
 * message) — no socket: the stage is never polled, its session is set
 * ACTIVE by hand and what it queues to send is thrown away.
 *
 * Input: byte 0 picks the config (bit 0: replace as cancel-then-new) and
 * which commands run first; the rest is lines, each a message body written
 * with '|' for SOH starting at 35= ("35=8|11=1|150=F|31=10|32=1|14=1|");
 * the harness frames it (BeginString, BodyLength, CheckSum) so the fuzzer
 * works on fields, not on checksums. Orders 1..4 are seeded as a restart
 * would (acked, pending new, pending cancel, pending replace), order 10 is
 * sent new and order 1 asked to cancel (ClOrdID 1.1001) or replace.
 * Checked: no crash or sanitizer report; the outbox never holds more than
 * it can; every report to the OMS has a known kind. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/venue/exio.h"
#include "engine/venue/exio_orders.h"
#include "engine/venue/exio_out.h"
#include "engine/venue/exio_reconcile.h"
#include "shm/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)     \
    do {             \
        if (!(c))    \
            abort(); \
    } while (0)

static char dir[64];
static tf_config cfg[2];
static tf_instruments ins;
static tf_exio X;
static tf_fix_msg msg;
static char frame[TF_FIX_MAX_MSG + 64];

static void cleanup(void)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return;
}

static void setup_once(void)
{
    snprintf(dir, sizeof dir, "/tmp/tf-fuzz-exio.XXXXXX");
    CHECK(mkdtemp(dir));
    atexit(cleanup);
    for (int i = 0; i < 2; i++) {
        char yaml[2048], err[512];
        snprintf(yaml, sizeof yaml,
                 "instance: fx\n"
                 "instruments:\n"
                 "  - {symbol: BTCUSDT, price_precision: 2, qty_precision: 5, tick_size: \"0.01\", "
                 "lot_size: \"0.00001\", min_notional: \"5\"}\n"
                 "  - {symbol: ETHUSDT, price_precision: 2, qty_precision: 4, tick_size: \"0.01\", "
                 "lot_size: \"0.0001\"}\n"
                 "orders: {capacity: 64}\n"
                 "exchange: {host: 127.0.0.1, port: 9, sender_comp_id: ENGINE, target_comp_id: VENUE,\n"
                 "           store_dir: \"%s/fix\", profile: binance%s}\n"
                 "threads:\n  - {name: hot, stages: [risk, oms, exio]}\n",
                 dir, i ? ", replace: cancel_new" : "");
        if (tf_config_parse(yaml, strlen(yaml), "fuzz", 2, &cfg[i], err, sizeof err) != 0) {
            fprintf(stderr, "config: %s\n", err);
            abort();
        }
    }
    CHECK(tf_instruments_add(&ins, "BTCUSDT", "binance", 2, 5, 1, 1, 500, 0) == 0);
    CHECK(tf_instruments_add(&ins, "ETHUSDT", "binance", 2, 4, 1, 1, 0, 0) == 0);
}

static void seed(uint64_t id, uint8_t state, int64_t cum, uint64_t venue_ref)
{
    tf_order o = {.order_id = id, .instrument = 0, .state = state, .side = id & 1 ? TF_BUY : TF_SELL,
                  .type = TF_LIMIT, .tif = TF_GTC, .price = 4300000, .qty = 200000, .cum_qty = cum,
                  .avg_px = cum ? 4300000 : 0, .pending_price = 4310000, .pending_qty = 300000};
    tf_exio_seed(&X, &o, venue_ref);
}

/* What the OMS and the wire would take: reports out, bytes sent. */
static void drain(void)
{
    CHECK(tf__exio_outbox_used(&X) <= TF_EXIO_OUTBOX);
    tf_exec_report r;
    while (tf_exio_next_report(&X, &r))
        CHECK(r.kind >= TF_EX_ACK && r.kind <= TF_EX_OUT_OF_BAND_FILL);
    for (uint32_t i = 0; i < X.session_count; i++) {
        const char *p;
        size_t n;
        while ((n = tf_fix_session_out_peek(&X.sessions[i].fix, &p)) > 0)
            tf_fix_session_out_done(&X.sessions[i].fix, n);
    }
}

/* "8=FIX.4.4|9=<n>|<body>10=<sum>|" from a body written with '|'. */
static size_t make(const uint8_t *body, size_t n)
{
    if (n + 40 > sizeof frame)
        return 0;
    size_t h = (size_t)snprintf(frame, sizeof frame, "8=FIX.4.4\0019=%zu\001", n + (n && body[n - 1] != '|'));
    for (size_t i = 0; i < n; i++)
        frame[h + i] = body[i] == '|' ? TF_FIX_SOH : (char)body[i];
    size_t len = h + n;
    if (n && body[n - 1] != '|')
        frame[len++] = TF_FIX_SOH;
    len += (size_t)snprintf(frame + len, sizeof frame - len, "10=%03u\001", tf_fix_checksum(frame, len));
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0])
        setup_once();
    if (size == 0)
        return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    if (tf_exio_init(NULL, &X, &cfg[mode & 1], &ins, NULL, NULL, NULL, NULL) != 0) {
        fprintf(stderr, "exio: %s\n", tf_err_msg());
        abort();
    }
    X.next_req = 1000; /* ClOrdIDs the corpus can name */
    seed(1, TF_OS_NEW, 0, 0);
    seed(2, TF_OS_PENDING_NEW, 0, 0);
    seed(3, TF_OS_PENDING_CANCEL, 100000, 0);
    seed(4, TF_OS_PENDING_REPLACE, 0, 7);
    tf_exio_session *s = &X.sessions[0];
    s->fix.state = TF_FIX_ACTIVE;  /* logged on, reconciled: takes commands */
    s->reconcile_pending = 0;
    if (mode & 2) {
        tf_venue_cmd c = {.kind = TF_VC_NEW, .side = TF_BUY, .type = TF_LIMIT, .tif = TF_GTC, .order_id = 10,
                          .price = 4300000, .qty = 100000};
        tf_exio_command(&X, &c);
    }
    if (mode & 4) {
        tf_venue_cmd c = {.kind = mode & 8 ? TF_VC_REPLACE : TF_VC_CANCEL, .order_id = 1, .price = 4305000,
                          .qty = 300000};
        tf_exio_command(&X, &c);
    }
    if (mode & 16) /* the restart's reconciliation: status requests out, answers awaited */
        tf__exio_reconcile_start(&X, s);
    drain();
    while (size > 0) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t n = nl ? (size_t)(nl - data) : size;
        size_t len = make(data, n);
        X.mono += 1000000;
        X.wall += 1000000;
        if (len && tf_fix_parse(frame, len, &msg) == TF_FIX_OK)
            tf__exio_on_message(&X, s, &msg);
        drain();
        data += n + (nl != NULL);
        size -= n + (nl != NULL);
    }
    if (mode & 32) { /* the reconcile deadline passes */
        X.mono += 3600ull * 1000000000ull;
        tf__exio_reconcile_check(&X, s);
        drain();
    }
    tf_exio_free(&X);
    return 0;
}
