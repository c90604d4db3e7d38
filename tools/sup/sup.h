/* tfsup, the single-box supervisor: the services one engine needs (the
 * local servers, tfsim where the environment uses it, the engine, the
 * out-of-band processes), started in dependency order with a health check
 * each, kept running, stopped in reverse order.
 *
 * PROMISES
 * - A service is "up" only once its health check passed (HTTP 2xx, a Redis
 *   PONG, a TCP connect, or the engine's segments published by that very
 *   process); start is refused as a whole when one does not come up in
 *   time, and what was started is stopped again.
 * - An out-of-band process or a server that exits is started again after
 *   a backoff (0.5 s doubling to 30 s, back to 0.5 s once it ran a minute).
 * - The engine is never started again behind the operator's back while
 *   orders are open: when it exits, its order table (left in shared
 *   memory) is counted; with open orders, or when they cannot be counted,
 *   it is held down and alerted (status "held", the metric
 *   tradefan_engine_held 1) until an operator says `tfctl up` again.
 *   With none open it is restarted as any other service.
 * - Status: <run_dir>/supervisor.status (one line per service, rewritten
 *   atomically on every change); metrics for the node exporter's textfile
 *   collector in <run_dir>/monitoring/textfile/supervisor.prom; each
 *   service's output appended to <run_dir>/logs/<service>.log.
 * Cold code: allocation, stdio and blocking calls are fine here. */
#ifndef TF_TOOLS_SUP_H
#define TF_TOOLS_SUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/conf/config.h"

#define SUP_MAX_SERVICES 16
#define SUP_MAX_ARGS 40
#define SUP_PATH 512

typedef enum sup_health {
    SUP_HEALTH_ALIVE = 0, /* running for a moment is all it can show */
    SUP_HEALTH_HTTP,      /* GET url answers 2xx */
    SUP_HEALTH_REDIS,     /* PING answers +PONG (or -NOAUTH: it is up, it wants a password) */
    SUP_HEALTH_TCP,       /* port accepts a connection */
    SUP_HEALTH_ENGINE,    /* the stats segment published, owned by this process */
    SUP_HEALTH_INFLUX,    /* /ping answers, and a point written to its database is taken (an
                           * influxd whose WAL failed once, a full disk, refuses every write
                           * after, however much room comes back: only a restart heals it) */
} sup_health;

typedef enum sup_state {
    SUP_STOPPED = 0,
    SUP_STARTING,
    SUP_UP,
    SUP_BACKOFF,          /* exited; started again at next_start */
    SUP_HELD,             /* the engine, down with open orders: waits for the operator */
} sup_state;
extern const char *const sup_state_names[];

typedef struct sup_service {
    char name[32];
    char args[2048];                 /* the argv strings, NUL-separated */
    char *argv[SUP_MAX_ARGS + 1];
    int argc;
    uint8_t health;                  /* sup_health */
    char url[256];                   /* HTTP */
    char probe[256];                 /* INFLUX: the write URL of the probe point */
    uint32_t port;                   /* REDIS, TCP */
    uint32_t start_timeout_ms;
    bool engine;                     /* the held-down rule applies */
    int cpu;                         /* pinned here (-1: not) */
    /* running state */
    pid_t pid;
    uint8_t state;                   /* sup_state */
    uint32_t restarts;
    uint64_t started_ms, next_start_ms, backoff_ms;
    int last_status;                 /* wait status of the last exit */
    uint32_t open_orders_at_exit;    /* the engine: counted when it exited */
} sup_service;

typedef struct sup {
    tf_config cfg;
    char config_path[SUP_PATH];
    char bindir[SUP_PATH];           /* where tfengine and the tools are (this program's folder) */
    char run_dir[TF_CFG_PATH_MAX];
    char log_dir[SUP_PATH], status_path[SUP_PATH], pid_path[SUP_PATH];
    char metrics_dir[SUP_PATH];
    int n;
    sup_service svc[SUP_MAX_SERVICES];
    bool monitoring, sim;            /* start the monitoring servers; tfsim when the feed is local */
} sup;

/* plan.c: the services of this config, in start order (servers, tfsim,
 * the engine, the out-of-band processes); writes the files the servers
 * need (influxdb.conf, the monitoring configs). -1 with why. */
int sup_plan(sup *s, char *why, size_t cap);
/* Append one argument to a service's argv; -1 when it does not fit. */
int sup_arg(sup_service *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* proc.c */
int sup_spawn(const sup *s, sup_service *v);           /* 0, or -1 (fork failed) */
void sup_stop(sup_service *v, uint32_t grace_ms);      /* TERM, then KILL after grace; reaped */
uint64_t sup_now_ms(void);

/* health.c: 1 healthy, 0 not (yet); the engine's also checks its owner pid. */
int sup_healthy(const sup *s, const sup_service *v);
/* The engine's open orders from its order table in shared memory (a dead
 * engine's reads the same); -1 when it cannot be read. */
int sup_open_orders(const sup *s);

/* gate.c: is the engine trading? 1 when its heartbeat is fresh, its feed
 * live, every venue session logged on and reconciled with no order of
 * unknown fate; each criterion's verdict written into out. */
int sup_gate(const sup *s, char *out, size_t cap);

/* status.c */
void sup_write_status(const sup *s);
/* Print the status file of the supervisor for this config; 0 all up, 1 not
 * all up, 2 no supervisor running. */
int sup_print_status(const char *status_path, const char *pid_path);

#endif
