#include "tools/oob/influx_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <zlib.h>

#include "shm/err.h"
#include "tools/oob/oob_process.h"

const char *influx_rc_name(influx_rc rc)
{
    static const char *const n[] = {"ok", "rejected", "auth", "no-database", "too-large", "retry",
                                    "failed"};
    return (unsigned)rc < sizeof n / sizeof *n ? n[rc] : "?";
}

typedef struct sink {
    char *p;
    size_t cap, len;
} sink;

static size_t on_body(char *data, size_t size, size_t n, void *user)
{
    sink *s = user;
    size_t len = size * n;
    if (s->len + 1 < s->cap) {
        size_t take = len < s->cap - 1 - s->len ? len : s->cap - 1 - s->len;
        memcpy(s->p + s->len, data, take);
        s->len += take;
        s->p[s->len] = 0;
    }
    return len;
}

int influx_open(influx_conn *c, const tf_cfg_influx *cfg, size_t max_body)
{
    memset(c, 0, sizeof *c);
    static int global_done;
    if (!global_done++ && curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return TF_ERR("curl_global_init failed");
    if (tf_config_secret_read(&cfg->password, c->password, sizeof c->password) != 0)
        return TF_ERR_CTX("export.influx.password");
    c->curl = curl_easy_init();
    if (!c->curl)
        return TF_ERR("curl_easy_init failed");
    snprintf(c->base_url, sizeof c->base_url, "%s", cfg->url);
    size_t bl = strlen(c->base_url);
    while (bl && c->base_url[bl - 1] == '/')
        c->base_url[--bl] = 0;
    snprintf(c->database, sizeof c->database, "%s", cfg->database);
    snprintf(c->username, sizeof c->username, "%s", cfg->username);
    char *db = curl_easy_escape(c->curl, cfg->database, 0);
    char *rp = curl_easy_escape(c->curl, cfg->retention_policy, 0);
    if (cfg->api == 2) {
        /* InfluxDB 2.x: organization and bucket, a token, "us" for microseconds. */
        if (tf_config_secret_read(&cfg->token, c->token, sizeof c->token) != 0)
            return TF_ERR_CTX("export.influx.token");
        char bucket[192];
        if (cfg->bucket[0])
            snprintf(bucket, sizeof bucket, "%s", cfg->bucket);
        else
            snprintf(bucket, sizeof bucket, "%s/%s", cfg->database,
                     cfg->retention_policy[0] ? cfg->retention_policy : "autogen");
        char *org = curl_easy_escape(c->curl, cfg->org, 0), *bk = curl_easy_escape(c->curl, bucket, 0);
        snprintf(c->write_url, sizeof c->write_url, "%s/api/v2/write?org=%s&bucket=%s&precision=%s", c->base_url,
                 org, bk, cfg->precision == TF_INFLUX_US ? "us" : tf_influx_precision_names[cfg->precision]);
        curl_free(org);
        curl_free(bk);
        c->username[0] = 0; /* the token is the credential */
    } else {
        snprintf(c->write_url, sizeof c->write_url, "%s/write?db=%s&precision=%s%s%s", c->base_url, db,
                 tf_influx_precision_names[cfg->precision], cfg->retention_policy[0] ? "&rp=" : "",
                 cfg->retention_policy[0] ? rp : "");
    }
    curl_free(db);
    curl_free(rp);
    c->gzip = cfg->gzip;
    c->timeout_ms = cfg->timeout_ns / 1000000u;
    /* "Expect:" off: libcurl would otherwise wait for a 100 Continue before
     * every body over 1 kB, one more round trip per batch. */
    c->headers = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    c->headers = curl_slist_append(c->headers, "Expect:");
    c->headers_gz = curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    c->headers_gz = curl_slist_append(c->headers_gz, "Expect:");
    c->headers_gz = curl_slist_append(c->headers_gz, "Content-Encoding: gzip");
    if (c->token[0]) {
        char auth[600];
        snprintf(auth, sizeof auth, "Authorization: Token %s", c->token);
        c->headers = curl_slist_append(c->headers, auth);
        c->headers_gz = curl_slist_append(c->headers_gz, auth);
        c->auth_headers = curl_slist_append(NULL, auth);
    }
    if (c->gzip) {
        c->gz_cap = compressBound((uLong)max_body) + 64;
        c->gz = malloc(c->gz_cap);
        if (!c->gz)
            return TF_ERR("out of memory for the gzip buffer");
    }
    return 0;
}

void influx_close(influx_conn *c)
{
    if (c->curl)
        curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    curl_slist_free_all(c->headers_gz);
    curl_slist_free_all(c->auth_headers);
    free(c->gz);
    memset(c, 0, sizeof *c);
}

/* gzip (RFC 1952) at level 1: cheap, and line protocol compresses ~8x. */
static long gzip_into(influx_conn *c, const char *in, size_t len)
{
    z_stream z = {0};
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = c->gz;
    z.avail_out = (uInt)c->gz_cap;
    int rc = deflate(&z, Z_FINISH);
    long out = rc == Z_STREAM_END ? (long)z.total_out : -1;
    deflateEnd(&z);
    return out;
}

/* Perform the prepared request; the answer goes to `out` (NULL: c->body);
 * sets status/body_len/error. */
static influx_rc perform(influx_conn *c, sink *out)
{
    sink own = {.p = c->body, .cap = sizeof c->body};
    sink *s = out ? out : &own;
    s->p[0] = 0;
    s->len = 0;
    c->body[0] = 0;
    c->error[0] = 0;
    c->status = 0;
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    if (c->username[0]) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->username);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
    }
    CURLcode rc = curl_easy_perform(h);
    c->body_len = s->len;
    if (rc != CURLE_OK) {
        snprintf(c->error, sizeof c->error, "%s", curl_easy_strerror(rc));
        return INFLUX_RETRY;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
    long st = c->status;
    if (st >= 200 && st < 300)
        return INFLUX_OK;
    if (st == 401 || st == 403)
        return INFLUX_AUTH;
    if (st == 404 && strstr(c->body, "database not found"))
        return INFLUX_NO_DATABASE;
    if (st == 413)
        return INFLUX_TOO_LARGE;
    if (st == 400)
        return INFLUX_REJECTED;
    if (st >= 500 || st == 408 || st == 429)
        return INFLUX_RETRY;
    return INFLUX_FAILED;
}

/* How many lines a 400 answer says were refused: "dropped=N" when the
 * server counts them, else one per "unable to parse". */
static uint64_t count_rejected(const char *body, uint64_t lines)
{
    const char *d = strstr(body, "dropped=");
    if (d)
        return strtoull(d + 8, NULL, 10);
    uint64_t n = 0;
    for (const char *p = body; (p = strstr(p, "unable to parse")); p += 15)
        n++;
    return n ? n : lines;
}

influx_rc influx_write(influx_conn *c, const char *lines, size_t len)
{
    CURL *h = c->curl;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, c->write_url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    if (c->gzip) {
        long gl = gzip_into(c, lines, len);
        if (gl < 0)
            return INFLUX_FAILED;
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->gz);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, gl);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers_gz);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, lines);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    }
    influx_rc rc = perform(c, NULL);
    c->rejected = 0;
    if (rc == INFLUX_REJECTED) {
        uint64_t n = 0;
        for (size_t i = 0; i < len; i++)
            n += lines[i] == '\n';
        c->rejected = count_rejected(c->body, n);
    }
    return rc;
}

/* GET (or POST, for statements that change the server) /query. */
static influx_rc query(influx_conn *c, const char *influxql, bool post, sink *out)
{
    CURL *h = c->curl;
    curl_easy_reset(h);
    char *eq = curl_easy_escape(h, influxql, 0);
    char *db = curl_easy_escape(h, c->database, 0);
    char url[8192];
    int n = snprintf(url, sizeof url, "%s/query?db=%s&epoch=ns&q=%s", c->base_url, db, eq);
    curl_free(eq);
    curl_free(db);
    if (n >= (int)sizeof url)
        return INFLUX_FAILED;
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (c->auth_headers)
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->auth_headers);
    if (post) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    }
    return perform(c, out);
}

influx_rc influx_create_database(influx_conn *c)
{
    char q[128];
    snprintf(q, sizeof q, "CREATE DATABASE \"%s\"", c->database);
    return query(c, q, true, NULL);
}

influx_rc influx_exec(influx_conn *c, const char *influxql)
{
    influx_rc rc = query(c, influxql, true, NULL);
    /* A statement the server refuses still answers 200, with the error in
     * its result. */
    if (rc == INFLUX_OK && strstr(c->body, "\"error\""))
        return INFLUX_FAILED;
    return rc;
}

influx_rc influx_query(influx_conn *c, const char *influxql, char *out, size_t cap, size_t *out_len)
{
    /* Large answers: read straight into the caller's buffer. */
    sink s = {.p = out, .cap = cap};
    influx_rc rc = query(c, influxql, false, &s);
    *out_len = s.len;
    return rc == INFLUX_OK && s.len + 1 >= cap ? INFLUX_TOO_LARGE : rc;
}
