/* Fuzz tfquery's request handling: arbitrary bytes as an HTTP request
 * ("METHOD /path?query HTTP/1.1" then header lines) split here the way
 * libwebsockets hands a request over (method, path, arguments split on '&',
 * the Authorization header), then q_args_parse and q_handle answer it. No
 * network: Redis and InfluxDB are off and no engine is attached; the server
 * knows BTCUSDT (binance) with a few bars in memory. With an Authorization
 * header the request goes to a server that wants a token, else to an open one.
 *
 * Checks: every answer has a known status and is valid JSON, an error an
 * object with an "error" string. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "shm/records.h"
#include "tools/query/api.h"

static q_server open_srv, token_srv;

static void setup(q_server *q, const char *token)
{
    static tf_config cfg;
    memset(&cfg, 0, sizeof cfg);
    tf_cfg_query *qc = &cfg.export_.query;
    snprintf(qc->bind, sizeof qc->bind, "127.0.0.1");
    qc->cache_bytes = 1u << 20;
    qc->max_limit = 1000;
    qc->hot_bars = 8;
    qc->hot_trades = 8;
    if (q_server_open(q, &cfg) != 0)
        abort();
    snprintf(q->token, sizeof q->token, "%s", token); /* the rest of the buffer stays zero */
    tf_md_instrument_info *in = &q->src.md.info[0];
    *in = (tf_md_instrument_info){.id = 0, .price_precision = 2, .qty_precision = 5};
    snprintf(in->symbol, sizeof in->symbol, "BTCUSDT");
    snprintf(in->venue, sizeof in->venue, "binance");
    q->src.md.count = 1;
    static _Alignas(8) uint8_t slot[256];
    for (uint64_t i = 0; i < 4; i++) {
        tf_md_bar b = {.instrument = 0, .flags = TF_BAR_CLOSED, .open_time_ns = (1000ull + 60000ull * i) * 1000000ull,
                       .open = 100, .high = 110, .low = 90, .close = 105, .volume = 1, .quote_volume = 100,
                       .vwap = 100, .trade_count = 1, .first_trade_id = 1, .last_trade_id = 1};
        memset(slot, 0, sizeof slot);
        tf_journal_slot *s = (tf_journal_slot *)slot;
        s->seq = i + 1;
        s->type = TF_REC_MD_BAR;
        s->length = sizeof b;
        memcpy(s->payload, &b, sizeof b);
        qs_store_add(&q->store, s, in);
    }
}

/* Copies s[0..n) to out[cap] as a C string, cut at cap - 1 like main.c's buffers. */
static void copy(char *out, size_t cap, const uint8_t *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static q_response resp;
    if (!open_srv.scratch) {
        setup(&open_srv, "");
        setup(&token_srv, "fuzz-token");
    }
    const uint8_t *end = data + size;
    const uint8_t *eol = memchr(data, '\n', size);
    const uint8_t *line_end = eol ? eol : end;
    /* Request line: METHOD SP TARGET [SP VERSION]. */
    const uint8_t *sp = memchr(data, ' ', (size_t)(line_end - data));
    if (!sp)
        return 0;
    char method[16], path[128], auth[300] = "";
    copy(method, sizeof method, data, (size_t)(sp - data));
    const uint8_t *target = sp + 1;
    const uint8_t *tend = memchr(target, ' ', (size_t)(line_end - target));
    if (!tend)
        tend = line_end;
    const uint8_t *qmark = memchr(target, '?', (size_t)(tend - target));
    copy(path, sizeof path, target, (size_t)((qmark ? qmark : tend) - target));
    q_args args;
    if (qmark)
        q_args_parse(&args, (const char *)qmark + 1, (size_t)(tend - qmark - 1));
    else
        q_args_parse(&args, "", 0);
    /* Header lines: only Authorization is read. */
    bool has_auth = false;
    for (const uint8_t *h = eol ? eol + 1 : end; h < end;) {
        const uint8_t *e = memchr(h, '\n', (size_t)(end - h));
        size_t n = (size_t)((e ? e : end) - h);
        if (n > 14 && strncasecmp((const char *)h, "Authorization:", 14) == 0) {
            size_t skip = 14;
            while (skip < n && h[skip] == ' ')
                skip++;
            size_t vlen = n - skip;
            if (vlen && h[skip + vlen - 1] == '\r')
                vlen--;
            copy(auth, sizeof auth, h + skip, vlen);
            has_auth = true;
        }
        h = e ? e + 1 : end;
    }
    q_handle(has_auth ? &token_srv : &open_srv, method, path, &args, auth, &resp);
    if (!q_reserve(&resp, 1))
        abort();
    int st = resp.status;
    if (st != 200 && st != 400 && st != 401 && st != 404 && st != 405 && st != 503)
        abort();
    json_error_t jerr;
    json_t *j = json_loadb(resp.body, resp.len, 0, &jerr);
    if (!j) {
        fprintf(stderr, "not JSON (%s): %.*s\n", jerr.text, (int)resp.len, resp.body);
        abort();
    }
    if (st != 200 && !json_is_string(json_object_get(j, "error")))
        abort();
    json_decref(j);
    return 0;
}
