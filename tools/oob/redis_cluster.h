/* Redis Cluster for the exporters and tfquery: which node holds a key (its
 * hash slot: CRC16 of the key, or of its {hash tag}), the slot map read
 * with CLUSTER SLOTS, one connection per master, and a pipeline split by
 * node. A MOVED or ASK answer (slots resharded, a failover) makes the
 * caller read the map again and resend: every exporter command is
 * idempotent (redis_cmds.h). Cold path apart from the send; no hiredis
 * cluster library in Debian 12, and this is all the exporters need. */
#ifndef TF_TOOLS_OOB_REDIS_CLUSTER_H
#define TF_TOOLS_OOB_REDIS_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "lib/conf/config.h"

#define RCL_SLOTS 16384u
#define RCL_MAX_NODES 64u

/* The hash slot of a key (Redis Cluster specification: CRC16/XMODEM of the
 * part between the first '{' and the next '}' when that is not empty, else
 * of the whole key, mod 16384). */
uint16_t rcl_slot(const char *key, size_t len);

typedef struct rcl_node {
    char host[64];
    int port;
    redisContext *ctx;       /* NULL until first used */
} rcl_node;

typedef struct redis_cluster {
    tf_cfg_redis cfg;
    char password[256];
    uint64_t timeout_ns;
    redisReplyObjectFunctions *replies; /* reader functions for pipelines (NULL: hiredis' own) */
    uint8_t slot_node[RCL_SLOTS];       /* node index + 1; 0: no master for it */
    rcl_node nodes[RCL_MAX_NODES];
    unsigned nnodes;
    uint64_t refreshes, moved;          /* map reads; MOVED/ASK answers seen */
    char *scratch;                      /* one node's share of a pipeline */
    size_t scratch_cap;
} redis_cluster;

/* Read the slot map from the configured host:port (or, once known, any
 * node that answers). 0 ready; -1 unreachable or the map incomplete (retry
 * later); -2 refused (AUTH, or the server is not a cluster). */
int rcl_open(redis_cluster *c, const tf_cfg_redis *cfg, const char *password, uint64_t timeout_ns,
             redisReplyObjectFunctions *replies, char *err, size_t errlen);
int rcl_refresh(redis_cluster *c, char *err, size_t errlen);
void rcl_close(redis_cluster *c);

/* The connection to the master holding `key` (connected on first use);
 * NULL when unreachable (err says why). */
redisContext *rcl_node_for(redis_cluster *c, const char *key, size_t len, char *err, size_t errlen);

/* Send a pipeline of RESP commands (as redis_cmds writes them: each an
 * array whose second element is its key), each to the master of its key,
 * and read every reply with the connection's reader functions, then call
 * on_reply(arg), which returns 1 when that reply was MOVED or ASK. 0 done;
 * 1 some answered MOVED/ASK (read the map again and resend); -1 a
 * connection was lost (err). */
int rcl_send(redis_cluster *c, const char *cmds, size_t len, uint32_t commands, int (*on_reply)(void *arg),
             void *arg, char *err, size_t errlen);

/* Whether an error reply's text is a redirection (MOVED or ASK). */
bool rcl_redirected(const char *error);

#endif
