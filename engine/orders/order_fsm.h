/* The order state machine, FIX OrdStatus semantics, as a pure function:
 * (state, input) → next state, or TF_OS_NONE for an impossible transition
 * (a fill after a cancel, an ack of a finished order ...), which the OMS
 * counts and journals while the order keeps its state.
 *
 * Rules worth stating: fills may arrive before the ack and while a cancel or
 * replace is pending (the order stays pending; a full fill finishes it); a
 * refused cancel/replace returns the order to New or PartiallyFilled as its
 * fills say; a venue may cancel or expire any live order unasked. Filled,
 * Canceled, Rejected and Expired are final. Replaced is reported on the
 * replace event; the order then goes on as New or PartiallyFilled. */
#ifndef TF_ENGINE_ORDER_FSM_H
#define TF_ENGINE_ORDER_FSM_H

#include <stdbool.h>

#include "shm/orders.h"

typedef enum tf_fsm_input {
    TF_IN_ACK = 0,            /* venue: New */
    TF_IN_REJECT,             /* venue: the new order refused */
    TF_IN_FILL_PARTIAL,       /* a fill leaving quantity open */
    TF_IN_FILL_FULL,          /* a fill completing the order */
    TF_IN_CANCEL_REQ,         /* we ask to cancel */
    TF_IN_CANCELED,
    TF_IN_REPLACE_REQ,        /* we ask to replace */
    TF_IN_REPLACED,
    TF_IN_CANCEL_REJECT,      /* the cancel or replace refused */
    TF_IN_EXPIRED,
    TF_IN_COUNT
} tf_fsm_input;

extern const char *const tf_fsm_input_names[TF_IN_COUNT];

/* `has_fills`: the order has filled quantity (after this input's fill). */
tf_ord_state tf_order_next(tf_ord_state from, tf_fsm_input in, bool has_fills);

static inline bool tf_ord_state_final(tf_ord_state s)
{
    return s == TF_OS_FILLED || s == TF_OS_CANCELED || s == TF_OS_REJECTED || s == TF_OS_EXPIRED;
}

/* Open: may still trade (its quantity counts against limits). */
static inline bool tf_ord_state_open(tf_ord_state s)
{
    return s != TF_OS_NONE && !tf_ord_state_final(s);
}

#endif
