/* Labels for record types. */
#include "shm/records.h"

const char *const tf_rec_type_names[TF_REC_TYPE_COUNT] = {
    [TF_REC_NONE] = "none",
    [TF_REC_SYNTH_TICK] = "synth_tick",
    [TF_REC_ENGINE_EVENT] = "engine_event",
    [TF_REC_MD_TRADE] = "trade",
    [TF_REC_MD_QUOTE] = "quote",
    [TF_REC_MD_DEPTH] = "depth",
    [TF_REC_MD_BAR] = "bar",
    [TF_REC_MD_FEED_EVENT] = "feed_event",
    [TF_REC_ORDER_EVENT] = "order_event",
};
_Static_assert(TF_ARRAY_LEN(tf_rec_type_names) == TF_REC_TYPE_COUNT, "a label per type");

const char *tf_rec_type_name(uint32_t type)
{
    return type < TF_REC_TYPE_COUNT ? tf_rec_type_names[type] : "unknown";
}

const char *const tf_feed_disconnect_names[TF_FEED_DISC_COUNT] = {
    [0] = "-",
    [TF_FEED_DISC_ERROR] = "error",
    [TF_FEED_DISC_CLOSED] = "closed",
    [TF_FEED_DISC_IDLE] = "idle",
    [TF_FEED_DISC_ROTATE] = "rotate",
    [TF_FEED_DISC_SHUTDOWN] = "shutdown",
    [TF_FEED_DISC_STOP] = "stop",
};
