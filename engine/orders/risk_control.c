/* The risk gate's controls (see risk.h): publishing the limits, and the
 * operator's controls — limit changes, the kill switch, the trading state.
 * Called on the risk stage's thread from risk.c (tf_risk_kill also from the
 * engine's stage-failure watch via a request); calls nothing above it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/orders/position.h"
#include "engine/orders/risk_internal.h"
#include "shm/err.h"

void tf_risk_publish_limits(tf_risk *r, tf_limits_slot *slot)
{
    if (slot)
        r->limits_slot = slot;
    tf_risk_limits_publish(r->limits_slot, &r->lim);
}

/* ---- the operator's controls ------------------------------------------------ */

void tf_risk_kill(tf_risk *r, uint32_t trigger, uint64_t now, tf_order_cmd *cmd)
{
    r->trading_state = TF_TS_HALTED;
    r->kill_active = true;
    r->kill_trigger = trigger;
    r->kill_realtime_ns = tf_realtime_ns();
    r->flatten_pending = r->flatten_on_kill; /* risk.flatten_on_kill: every kill flattens */
    if (r->c_kills)
        tf_counter_inc(r->c_kills, 1);
    tf__risk_stop_parents(r); /* no parent releases another child */
    *cmd = (tf_order_cmd){.kind = TF_CMD_CANCEL_ALL, .reason = (uint16_t)trigger,
                          .req_type = TF_REQ_KILL, .t_trigger_ns = now, .t_request_ns = now};
    tf__risk_publish(r, now);
}

tf_reject_reason tf__risk_check_control(const tf_risk *r, uint32_t s, const struct tf_request *q)
{
    (void)s; /* a strategy id is no authority: who sent it is (r->req_operator, from the door) */
    switch (q->type) {
    case TF_REQ_SET_LIMIT: {
        tf_risk_limits scratch = r->lim; /* checked on a copy; tf_risk_handle applies it */
        if (!r->req_operator)
            return TF_RJ_NOT_AUTHORIZED;
        return tf_risk_limit_set(&scratch, r->strategy_known, r->instruments->count, (const tf_req_limit *)q->body)
                   ? TF_RJ_NONE
                   : TF_RJ_BAD_LIMIT;
    }
    case TF_REQ_KILL: return r->req_operator ? TF_RJ_NONE : TF_RJ_NOT_AUTHORIZED;
    case TF_REQ_SESSION_RESET: { /* a session of the pool (exchange.sessions: at most 8), or all */
        uint64_t which = ((const tf_req_resolve *)q->body)->order_id;
        if (!r->req_operator)
            return TF_RJ_NOT_AUTHORIZED;
        return which == UINT64_MAX || which < 8 ? TF_RJ_NONE : TF_RJ_BAD_REQUEST;
    }
    case TF_REQ_RESOLVE: { /* the operator's alone; the OMS checks the order */
        const tf_req_resolve *b = (const tf_req_resolve *)q->body;
        bool ok = b->outcome == TF_RESOLVE_CANCELED ||
                  (b->outcome == TF_RESOLVE_FILLED && b->qty > 0 && b->price > 0);
        if (!r->req_operator)
            return TF_RJ_NOT_AUTHORIZED;
        return ok ? TF_RJ_NONE : TF_RJ_BAD_REQUEST;
    }
    case TF_REQ_SET_STATE:
        if (!r->req_operator)
            return TF_RJ_NOT_AUTHORIZED;
        return ((const tf_req_control *)q->body)->on < TF_TS_COUNT ? TF_RJ_NONE : TF_RJ_BAD_REQUEST;
    default: return TF_RJ_BAD_REQUEST;
    }
}

void tf__risk_apply_control(tf_risk *r, const struct tf_request *q, uint64_t now, tf_order_cmd *cmd)
{
    uint32_t s = q->source_id;
    switch (q->type) {
    case TF_REQ_SET_LIMIT: {
        const tf_req_limit *lb = (const tf_req_limit *)q->body;
        tf_risk_limit_set(&r->lim, r->strategy_known, r->instruments->count, lb);
        if (lb->limit == TF_LIM_S_DAILY_LOSS)
            r->strategy_blocked[lb->target] = false; /* a new limit is a new decision */
        tf_risk_publish_limits(r, NULL);
        tf__risk_cmd(cmd, q, TF_CMD_NOTE);
        cmd->reason = TF_EV_LIMIT_SET;
        cmd->type = (uint8_t)lb->limit;
        cmd->instrument = lb->target;
        cmd->arg = lb->value;
        break;
    }
    case TF_REQ_KILL: {
        const tf_req_control *cb = (const tf_req_control *)q->body;
        if (cb->on) {
            tf_risk_kill(r, TF_KILL_MANUAL, now, cmd);
            r->flatten_pending |= cb->flatten != 0; /* this kill only */
            cmd->client_req_id = q->client_seq;
            cmd->strategy = s;
        } else {
            r->kill_active = false;
            r->flatten_pending = false;
            r->trading_state = TF_TS_ACTIVE;
            memset(r->strategy_blocked, 0, sizeof r->strategy_blocked);
            tf__risk_cmd(cmd, q, TF_CMD_NOTE);
            cmd->reason = TF_EV_KILL_RESET;
        }
        break;
    }
    case TF_REQ_SET_STATE:
        r->trading_state = ((const tf_req_control *)q->body)->on;
        tf__risk_cmd(cmd, q, TF_CMD_NOTE);
        cmd->reason = TF_EV_STATE_SET;
        cmd->arg = r->trading_state;
        break;
    case TF_REQ_RESOLVE:
    case TF_REQ_SESSION_RESET: {
        /* Passed to the OMS: arg = outcome | the operator's uid << 8. */
        const tf_req_resolve *b = (const tf_req_resolve *)q->body;
        bool resolve = q->type == TF_REQ_RESOLVE;
        tf__risk_cmd(cmd, q, resolve ? TF_CMD_RESOLVE : TF_CMD_SESSION_RESET);
        cmd->order_id = resolve ? b->order_id : 0;
        cmd->price = b->price;
        cmd->qty = resolve ? b->qty : b->order_id == UINT64_MAX ? -1 : (int64_t)b->order_id;
        cmd->arg = (int64_t)((uint64_t)b->uid << 8 | (resolve ? b->outcome & 0xff : 0));
        break;
    }
    }
}
