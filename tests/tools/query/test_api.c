/* tfquery's request handling (tools/query/api.c) with no network: an
 * in-memory server (Redis and InfluxDB off, no engine) answering q_handle.
 * Covers the arguments (too long ones are refused, never skipped), the
 * start/end range (its ns must not wrap), the bearer token (compared in
 * constant time) and the bind address (off loopback only with a token).
 *
 * api.c is included rather than linked: the Makefile links tfquery's tests
 * with lru.o and store.o only. cmocka.h needs setjmp.h, stdarg.h and
 * stddef.h first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/* Every token comparison api.c makes, counted and measured: it must go
 * through CRYPTO_memcmp over the whole token buffer, whatever was sent. */
static int memcmp_calls;
static size_t memcmp_len;
static int counting_memcmp(const void *a, const void *b, size_t n)
{
    memcmp_calls++;
    memcmp_len = n;
    return CRYPTO_memcmp(a, b, n);
}
#define CRYPTO_memcmp counting_memcmp
#include "tools/query/api.c"
#undef CRYPTO_memcmp

#include <cmocka.h> /* after api.c: cmocka defines a fail() macro */

#define TOKEN_ENV "TFQUERY_TEST_TOKEN"
#define T0_MS 1700000040000ull /* on the minute */

static tf_config cfg;
static q_server srv;
static q_response resp;

static void config(const char *bind, const char *token)
{
    memset(&cfg, 0, sizeof cfg);
    tf_cfg_query *qc = &cfg.export_.query;
    snprintf(qc->bind, sizeof qc->bind, "%s", bind);
    qc->cache_bytes = 1u << 20;
    qc->max_limit = 1000;
    qc->hot_bars = 16;
    qc->hot_trades = 16;
    if (token) {
        setenv(TOKEN_ENV, token, 1);
        snprintf(qc->token.env, sizeof qc->token.env, "%s", TOKEN_ENV);
    }
}

static _Alignas(8) uint8_t slotbuf[256];

/* A server knowing BTCUSDT on binance, with `bars` closed bars from T0 in memory. */
static void open_server(const char *token, int bars)
{
    config("127.0.0.1", token);
    assert_int_equal(q_server_open(&srv, &cfg), 0);
    tf_md_instrument_info *in = &srv.src.md.info[0];
    *in = (tf_md_instrument_info){.id = 0, .price_precision = 2, .qty_precision = 5};
    snprintf(in->symbol, sizeof in->symbol, "BTCUSDT");
    snprintf(in->venue, sizeof in->venue, "binance");
    srv.src.md.count = 1;
    for (int i = 0; i < bars; i++) {
        tf_md_bar b = {.instrument = 0, .flags = TF_BAR_CLOSED, .open_time_ns = (T0_MS + 60000ull * (uint64_t)i) * Q_MS,
                       .open = 100, .high = 110, .low = 90, .close = 105, .volume = 1, .quote_volume = 100,
                       .vwap = 100, .trade_count = 1, .first_trade_id = 1, .last_trade_id = 1};
        memset(slotbuf, 0, sizeof slotbuf);
        tf_journal_slot *s = (tf_journal_slot *)slotbuf;
        s->seq = 1 + (uint64_t)i;
        s->type = TF_REC_MD_BAR;
        s->length = sizeof b;
        memcpy(s->payload, &b, sizeof b);
        qs_store_add(&srv.store, s, in);
    }
}

static void close_server(void)
{
    free(resp.body);
    memset(&resp, 0, sizeof resp);
    q_server_close(&srv);
    unsetenv(TOKEN_ENV);
}

/* GET path?qs with that Authorization header; the body as a C string. */
static const char *get(const char *path, const char *qs, const char *auth)
{
    q_args a;
    q_args_parse(&a, qs, strlen(qs));
    q_handle(&srv, "GET", path, &a, auth, &resp);
    assert_true(q_reserve(&resp, 1));
    resp.body[resp.len] = 0;
    return resp.body;
}

/* ---- 1. start and end: their ns must not wrap -------------------------------- */

static void test_range_bounded_to_ns(void **state)
{
    (void)state;
    open_server(NULL, 5);
    char qs[160];
    /* The whole range in memory: answered. */
    snprintf(qs, sizeof qs, "symbol=BTCUSDT&start=%llu&end=%llu", T0_MS, T0_MS + 4 * 60000);
    get("/v1/bars", qs, "");
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "\"source\":\"memory\""));
    /* end * 10^6 wrapped to a few ns past 1970 before: now refused, naming end and the range. */
    const char *msg = get("/v1/bars", "symbol=BTCUSDT&start=0&end=99999999999999", "");
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(msg, "end must be 0..18446744073708"));
    get("/v1/bars", "symbol=BTCUSDT&start=0&end=18446744073709", "");
    assert_int_equal(resp.status, 400);
    msg = get("/v1/bars", "symbol=BTCUSDT&start=18446744073709&end=18446744073709", "");
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(msg, "start must be 0..18446744073708"));
    /* The last ms that fits is still a question (after the newest bar: none). */
    get("/v1/bars", "symbol=BTCUSDT&start=18446744073708&end=18446744073708", "");
    assert_int_equal(resp.status, 200);
    assert_non_null(strstr(resp.body, "\"bars\":[]"));
    close_server();
}

/* ---- 2. a long argument is refused, never skipped ------------------------------- */

static void test_long_argument_refused(void **state)
{
    (void)state;
    open_server(NULL, 5);
    char qs[1200], big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    /* A value of 127 bytes is kept; 128 is too long. */
    snprintf(qs, sizeof qs, "symbol=BTCUSDT&exchange=%.127s", big);
    get("/v1/bars", qs, "");
    assert_int_equal(resp.status, 404); /* asked: no such exchange */
    snprintf(qs, sizeof qs, "symbol=BTCUSDT&exchange=%.128s", big);
    assert_non_null(strstr(get("/v1/bars", qs, ""), "parameter too long"));
    assert_int_equal(resp.status, 400);
    /* A name=value of 256 bytes or more, before other arguments that must not be lost. */
    snprintf(qs, sizeof qs, "colour=%.300s&symbol=BTCUSDT&end=1", big);
    assert_non_null(strstr(get("/v1/bars", qs, ""), "parameter too long"));
    assert_int_equal(resp.status, 400);
    /* A name of 32 bytes or more. */
    snprintf(qs, sizeof qs, "symbol=BTCUSDT&%.40s=1", big);
    assert_non_null(strstr(get("/v1/bars", qs, ""), "parameter too long"));
    assert_int_equal(resp.status, 400);
    /* Still told apart from a malformed one. */
    assert_non_null(strstr(get("/v1/bars", "symbol=BTCUSDT&justaword", ""), "malformed"));
    assert_int_equal(resp.status, 400);
    close_server();
}

/* ---- 3. the bearer token, in constant time -------------------------------------- */

static void test_token_constant_time(void **state)
{
    (void)state;
    open_server("s3cret-token", 0);
    static const char *const wrong[] = {"Bearer x3cret-token", "Bearer s3cret-tokex", "Bearer s3cret",
                                        "Bearer s3cret-token-and-more", "Bearer ", "bearer s3cret-token"};
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        memcmp_calls = 0;
        memcmp_len = 0;
        get("/v1/health", "", wrong[i]);
        assert_int_equal(resp.status, 401);
        if (strncmp(wrong[i], "Bearer ", 7) == 0) { /* the scheme is public; the token never strcmp'd */
            assert_int_equal(memcmp_calls, 1);
            assert_int_equal(memcmp_len, sizeof srv.token);
        }
    }
    get("/v1/health", "", "");
    assert_int_equal(resp.status, 401);
    char longer[400];
    snprintf(longer, sizeof longer, "Bearer %0300d", 7);
    get("/v1/health", "", longer);
    assert_int_equal(resp.status, 401);
    memcmp_calls = 0;
    get("/v1/health", "", "Bearer s3cret-token");
    assert_int_equal(resp.status, 200);
    assert_int_equal(memcmp_calls, 1);
    assert_int_equal(memcmp_len, sizeof srv.token);
    close_server();
}

/* ---- 4. off loopback only with a token ----------------------------------------- */

static void test_bind_needs_token_off_loopback(void **state)
{
    (void)state;
    static const char *const open_ok[] = {"127.0.0.1", "127.1.2.3", "::1"};
    for (size_t i = 0; i < sizeof open_ok / sizeof *open_ok; i++) {
        config(open_ok[i], NULL);
        assert_int_equal(q_server_open(&srv, &cfg), 0);
        close_server();
    }
    static const char *const exposed[] = {"0.0.0.0", "10.1.2.3", "128.0.0.1", "::"};
    for (size_t i = 0; i < sizeof exposed / sizeof *exposed; i++) {
        config(exposed[i], NULL);
        tf_err_clear();
        assert_int_equal(q_server_open(&srv, &cfg), -1);
        assert_non_null(strstr(tf_err_msg(), "export.query.token"));
        assert_non_null(strstr(tf_err_msg(), exposed[i]));
        config(exposed[i], "s3cret-token");
        assert_int_equal(q_server_open(&srv, &cfg), 0);
        close_server();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_bounded_to_ns),
        cmocka_unit_test(test_long_argument_refused),
        cmocka_unit_test(test_token_constant_time),
        cmocka_unit_test(test_bind_needs_token_off_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
