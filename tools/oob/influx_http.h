/* InfluxDB 1.x over HTTP with libcurl: one keep-alive connection, writes
 * (POST /write, optionally gzip), CREATE DATABASE and InfluxQL queries
 * (GET /query), and the answer classified the way a careful writer must
 * act on it. Cold path (its own process); buffers allocated once. */
#ifndef TF_TOOLS_OOB_INFLUX_HTTP_H
#define TF_TOOLS_OOB_INFLUX_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/conf/config.h"

typedef enum influx_rc {
    INFLUX_OK = 0,         /* 204: every line stored */
    INFLUX_REJECTED,       /* 400 (parse error, partial write): good lines stored; never retry */
    INFLUX_AUTH,           /* 401/403: credentials wrong: a configuration error */
    INFLUX_NO_DATABASE,    /* 404 database not found */
    INFLUX_TOO_LARGE,      /* 413: split the batch */
    INFLUX_RETRY,          /* 5xx, timeout, connection refused/reset: retry, keep the position */
    INFLUX_FAILED,         /* any other answer: a configuration or protocol error */
} influx_rc;

typedef struct influx_conn {
    void *curl;            /* CURL * */
    void *headers, *headers_gz;
    char write_url[1024];
    char base_url[TF_CFG_PATH_MAX];
    char database[64];
    char username[64];
    char token[512];       /* api 2 */
    void *auth_headers;    /* api 2: the token on queries */
    char password[256];
    bool gzip;
    uint64_t timeout_ms;
    uint8_t *gz;           /* compressed body */
    size_t gz_cap;
    char body[4096];       /* the server's answer (error text), NUL-terminated */
    size_t body_len;
    long status;           /* HTTP status, 0 when none came */
    char error[256];       /* libcurl's reason when no status came */
    uint64_t rejected;     /* INFLUX_REJECTED: lines the server refused */
} influx_conn;

/* From the config; reads the password secret. `max_body` bounds a write. */
int influx_open(influx_conn *c, const tf_cfg_influx *cfg, size_t max_body);
void influx_close(influx_conn *c);

influx_rc influx_write(influx_conn *c, const char *lines, size_t len);
/* CREATE DATABASE "<database>" (idempotent on the server). */
influx_rc influx_create_database(influx_conn *c);
/* POST /query: one statement that changes the server (CREATE, ALTER, DROP,
 * SELECT ... INTO); INFLUX_FAILED when its result holds an error (the text
 * in c->body). */
influx_rc influx_exec(influx_conn *c, const char *influxql);
/* GET /query?db=..&epoch=ns&q=<influxql>; the JSON answer lands in `out`
 * (NUL-terminated, truncated to cap) and its length in *out_len. */
influx_rc influx_query(influx_conn *c, const char *influxql, char *out, size_t cap, size_t *out_len);

const char *influx_rc_name(influx_rc rc);

#endif
