/* Opening a Redis connection the way every TradeFan process does: connect
 * and command timeouts, AUTH ([username] password) when a password is set,
 * SELECT db. Cold path. */
#ifndef TF_TOOLS_OOB_REDIS_CONN_H
#define TF_TOOLS_OOB_REDIS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

#include "lib/conf/config.h"

/* 0: *out is ready. -1: unreachable or dropped (retry later). -2: refused
 * (AUTH or SELECT: a configuration error, "AUTH refused: ..." or
 * "SELECT n refused: ..."). On failure `err` says why and *out is NULL. */
int oob_redis_connect(const tf_cfg_redis *rc, const char *password, uint64_t timeout_ns, redisContext **out,
                     char *err, size_t errlen);

#endif
