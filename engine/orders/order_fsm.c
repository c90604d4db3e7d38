/* Order state machine: one table of the legal moves; anything else is
 * impossible. */
#include "engine/orders/order_fsm.h"

const char *const tf_fsm_input_names[TF_IN_COUNT] = {
    "ack", "reject", "fill_partial", "fill_full", "cancel_req", "canceled",
    "replace_req", "replaced", "cancel_reject", "expired"};

/* The state an order is live in, given whether it has fills. */
static tf_ord_state tf__live(bool has_fills)
{
    return has_fills ? TF_OS_PARTIALLY_FILLED : TF_OS_NEW;
}

tf_ord_state tf_order_next(tf_ord_state from, tf_fsm_input in, bool has_fills)
{
    switch (from) {
    case TF_OS_PENDING_NEW:
        switch (in) {
        case TF_IN_ACK: return tf__live(has_fills);
        case TF_IN_REJECT: return TF_OS_REJECTED;
        case TF_IN_FILL_PARTIAL: return TF_OS_PARTIALLY_FILLED;
        case TF_IN_FILL_FULL: return TF_OS_FILLED;
        case TF_IN_CANCEL_REQ: return TF_OS_PENDING_CANCEL;
        case TF_IN_CANCELED: return TF_OS_CANCELED;
        case TF_IN_EXPIRED: return TF_OS_EXPIRED;
        default: return TF_OS_NONE;
        }
    case TF_OS_NEW:
    case TF_OS_PARTIALLY_FILLED:
        switch (in) {
        case TF_IN_FILL_PARTIAL: return TF_OS_PARTIALLY_FILLED;
        case TF_IN_FILL_FULL: return TF_OS_FILLED;
        case TF_IN_CANCEL_REQ: return TF_OS_PENDING_CANCEL;
        case TF_IN_REPLACE_REQ: return TF_OS_PENDING_REPLACE;
        case TF_IN_CANCELED: return TF_OS_CANCELED;
        case TF_IN_EXPIRED: return TF_OS_EXPIRED;
        default: return TF_OS_NONE;
        }
    case TF_OS_PENDING_CANCEL:
        switch (in) {
        case TF_IN_ACK: return TF_OS_PENDING_CANCEL; /* a cancel sent before the ack */
        case TF_IN_FILL_PARTIAL: return TF_OS_PENDING_CANCEL;
        case TF_IN_FILL_FULL: return TF_OS_FILLED;
        case TF_IN_CANCELED: return TF_OS_CANCELED;
        case TF_IN_CANCEL_REJECT: return tf__live(has_fills);
        case TF_IN_EXPIRED: return TF_OS_EXPIRED;
        case TF_IN_REJECT: return TF_OS_REJECTED;    /* canceled before the venue accepted it */
        default: return TF_OS_NONE;
        }
    case TF_OS_PENDING_REPLACE:
        switch (in) {
        case TF_IN_FILL_PARTIAL: return TF_OS_PENDING_REPLACE;
        case TF_IN_FILL_FULL: return TF_OS_FILLED;
        case TF_IN_REPLACED: return TF_OS_REPLACED;
        case TF_IN_CANCEL_REJECT: return tf__live(has_fills);
        case TF_IN_CANCELED: return TF_OS_CANCELED;
        case TF_IN_EXPIRED: return TF_OS_EXPIRED;
        default: return TF_OS_NONE;
        }
    default:
        return TF_OS_NONE; /* final states and NONE take nothing */
    }
}
