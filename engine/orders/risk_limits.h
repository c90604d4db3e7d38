/* The risk gate's limits: built from the config, changed live by a
 * TF_REQ_SET_LIMIT request, published to the state segment's "limits"
 * region for tfctl. Pure functions over a tf_risk_limits (shm/orders.h);
 * the risk stage owns the only copy that counts. Cold path. */
#ifndef TF_ENGINE_RISK_LIMITS_H
#define TF_ENGINE_RISK_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/conf/config.h"
#include "shm/orders.h"

/* Index of the rate budgets in tf_risk_limits.s_rate / g_rate. */
enum { TF_RATE_ORDER = 0, TF_RATE_CANCEL = 1, TF_RATE_REPLACE = 2 };

/* Limits and the known strategies (0, the operator, always) from the config. */
void tf_risk_limits_from_config(tf_risk_limits *l, bool known[TF_MAX_STRATEGIES], const tf_config *cfg);

/* Apply one change to `l`: false (and `l` untouched) if the limit, its
 * target or its value is out of range. */
bool tf_risk_limit_set(tf_risk_limits *l, const bool known[TF_MAX_STRATEGIES],
                       uint32_t instrument_count, const tf_req_limit *b);

/* Write `l` to `slot` under its seqlock (slot NULL: nothing). */
void tf_risk_limits_publish(tf_limits_slot *slot, const tf_risk_limits *l);

#endif
