/* Names of the parent orders' enumerations (see parents.h). */
#include "shm/parents.h"

const char *const tf_algo_kind_names[TF_ALGO_KIND_END] = {"-", "twap", "vwap", "pov", "iceberg"};
const char *const tf_algo_state_names[TF_ALGO_STATE_END] = {"waiting", "running", "paused",
                                                            "done",    "stopped", "canceled"};
const char *const tf_algo_price_style_names[TF_ALGO_PX_END] = {"market", "touch", "mid", "passive"};
const char *const tf_algo_end_policy_names[TF_ALGO_END_POLICY_END] = {"sweep", "stop"};
const char *const tf_algo_action_names[TF_ALGO_ACT_END] = {"start", "pause", "resume", "cancel", "amend"};
