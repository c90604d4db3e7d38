/* Labels for the order path's enums (tools print them, stats label by them). */
#include "shm/orders.h"

const char *const tf_reject_reason_names[TF_RJ_REASON_COUNT] = {
    [TF_RJ_NONE] = "none",
    [TF_RJ_DUPLICATE_REQUEST] = "duplicate_request",
    [TF_RJ_UNKNOWN_STRATEGY] = "unknown_strategy",
    [TF_RJ_UNKNOWN_INSTRUMENT] = "unknown_instrument",
    [TF_RJ_BAD_REQUEST] = "bad_request",
    [TF_RJ_TICK_SIZE] = "tick_size",
    [TF_RJ_LOT_SIZE] = "lot_size",
    [TF_RJ_MIN_QTY] = "min_qty",
    [TF_RJ_MAX_QTY] = "max_qty",
    [TF_RJ_MIN_NOTIONAL] = "min_notional",
    [TF_RJ_MAX_NOTIONAL] = "max_notional",
    [TF_RJ_PRICE_COLLAR] = "price_collar",
    [TF_RJ_NO_REFERENCE] = "no_reference",
    [TF_RJ_POSITION_LIMIT] = "position_limit",
    [TF_RJ_GROSS_EXPOSURE] = "gross_exposure",
    [TF_RJ_CONCENTRATION] = "concentration",
    [TF_RJ_DAILY_LOSS] = "daily_loss",
    [TF_RJ_ORDER_RATE] = "order_rate",
    [TF_RJ_CANCEL_RATE] = "cancel_rate",
    [TF_RJ_REPLACE_RATE] = "replace_rate",
    [TF_RJ_MAX_OPEN_ORDERS] = "max_open_orders",
    [TF_RJ_DUPLICATE_ORDER] = "duplicate_order",
    [TF_RJ_SELF_TRADE] = "self_trade",
    [TF_RJ_HALTED] = "halted",
    [TF_RJ_REDUCE_ONLY] = "reduce_only",
    [TF_RJ_UNKNOWN_ORDER] = "unknown_order",
    [TF_RJ_ORDER_NOT_OPEN] = "order_not_open",
    [TF_RJ_TABLE_FULL] = "table_full",
    [TF_RJ_VENUE] = "venue",
    [TF_RJ_VENUE_UNAVAILABLE] = "venue_unavailable",
    [TF_RJ_BAD_LIMIT] = "bad_limit",
    [TF_RJ_NOT_TRADABLE] = "not_tradable",
    [TF_RJ_NOT_AUTHORIZED] = "not_authorized",
    [TF_RJ_NO_ALGO_STAGE] = "no_algo_stage",
    [TF_RJ_BAD_ALGO_PARAMS] = "bad_algo_params",
};
_Static_assert(TF_ARRAY_LEN(tf_reject_reason_names) == TF_RJ_REASON_COUNT, "a label per reason");

const char *const tf_ord_state_names[TF_OS_COUNT] = {
    [TF_OS_NONE] = "none",
    [TF_OS_PENDING_NEW] = "PendingNew",
    [TF_OS_NEW] = "New",
    [TF_OS_PARTIALLY_FILLED] = "PartiallyFilled",
    [TF_OS_FILLED] = "Filled",
    [TF_OS_PENDING_CANCEL] = "PendingCancel",
    [TF_OS_CANCELED] = "Canceled",
    [TF_OS_PENDING_REPLACE] = "PendingReplace",
    [TF_OS_REPLACED] = "Replaced",
    [TF_OS_REJECTED] = "Rejected",
    [TF_OS_EXPIRED] = "Expired",
};
_Static_assert(TF_ARRAY_LEN(tf_ord_state_names) == TF_OS_COUNT, "a label per state");

const char *const tf_limit_names[TF_LIM_COUNT] = {
    [TF_LIM_NONE] = "none",
    [TF_LIM_MIN_QTY] = "min_qty",
    [TF_LIM_MAX_ORDER_QTY] = "max_order_qty",
    [TF_LIM_MAX_ORDER_NOTIONAL] = "max_order_notional",
    [TF_LIM_MAX_POSITION] = "max_position",
    [TF_LIM_COLLAR_BPS] = "collar_bps",
    [TF_LIM_S_MAX_ORDER_NOTIONAL] = "strategy.max_order_notional",
    [TF_LIM_S_MAX_POSITION_NOTIONAL] = "strategy.max_position_notional",
    [TF_LIM_S_MAX_OPEN_ORDERS] = "strategy.max_open_orders",
    [TF_LIM_S_ORDERS_PER_S] = "strategy.orders_per_s",
    [TF_LIM_S_CANCELS_PER_S] = "strategy.cancels_per_s",
    [TF_LIM_S_REPLACES_PER_S] = "strategy.replaces_per_s",
    [TF_LIM_S_DAILY_LOSS] = "strategy.daily_loss_limit",
    [TF_LIM_G_MAX_GROSS_EXPOSURE] = "max_gross_exposure",
    [TF_LIM_G_MAX_CONCENTRATION_PCT] = "max_concentration_pct",
    [TF_LIM_G_DAILY_LOSS] = "daily_loss_limit",
    [TF_LIM_G_ORDERS_PER_S] = "orders_per_s",
    [TF_LIM_G_CANCELS_PER_S] = "cancels_per_s",
    [TF_LIM_G_REPLACES_PER_S] = "replaces_per_s",
    [TF_LIM_G_MAX_OPEN_ORDERS] = "max_open_orders",
    [TF_LIM_G_DUPLICATE_COUNT] = "duplicate_count",
    [TF_LIM_G_DUPLICATE_WINDOW_MS] = "duplicate_window_ms",
    [TF_LIM_G_REFERENCE_MAX_AGE_MS] = "reference_max_age_ms",
    [TF_LIM_TRADABLE] = "tradable",
};
_Static_assert(TF_ARRAY_LEN(tf_limit_names) == TF_LIM_COUNT, "a label per limit");

const char *const tf_kill_trigger_names[TF_KILL_TRIGGER_COUNT] = {
    [0] = "-", [TF_KILL_MANUAL] = "manual", [TF_KILL_DAILY_LOSS] = "daily_loss",
    [TF_KILL_STAGE_FAILURE] = "stage_failure", [TF_KILL_OUT_OF_BAND_FILL] = "out_of_band_fill"};

const char *const tf_trading_state_names[TF_TS_COUNT] = {
    [TF_TS_ACTIVE] = "ACTIVE", [TF_TS_REDUCING] = "REDUCING", [TF_TS_HALTED] = "HALTED"};

const char *const tf_event_kind_names[TF_EV_KIND_COUNT] = {
    [0] = "none",
    [TF_EV_ACCEPTED] = "accepted",
    [TF_EV_REJECTED] = "rejected",
    [TF_EV_NEW] = "new",
    [TF_EV_FILL] = "fill",
    [TF_EV_PENDING_CANCEL] = "pending_cancel",
    [TF_EV_CANCELED] = "canceled",
    [TF_EV_PENDING_REPLACE] = "pending_replace",
    [TF_EV_REPLACED] = "replaced",
    [TF_EV_CANCEL_REJECTED] = "cancel_rejected",
    [TF_EV_EXPIRED] = "expired",
    [TF_EV_KILL] = "kill",
    [TF_EV_KILL_DONE] = "kill_done",
    [TF_EV_KILL_RESET] = "kill_reset",
    [TF_EV_LIMIT_SET] = "limit_set",
    [TF_EV_STATE_SET] = "state_set",
    [TF_EV_ILLEGAL] = "illegal",
    [TF_EV_OUT_OF_BAND_FILL] = "out_of_band_fill",
    [TF_EV_RESOLVED] = "resolved",
    [TF_EV_SESSION_RESET] = "session_reset",
    [TF_EV_POSITION] = "position",
    [TF_EV_PARENT_ACCEPTED] = "parent_accepted",
    [TF_EV_PARENT_CONTROL] = "parent_control",
    [TF_EV_PARENT_STATE] = "parent_state",
};
_Static_assert(TF_ARRAY_LEN(tf_event_kind_names) == TF_EV_KIND_COUNT, "a label per event");
