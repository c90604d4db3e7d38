/* Labels for the distinct-error log's codes. */
#include "shm/errlog.h"

const char *const tf_err_code_names[TF_E_CODE_COUNT] = {
    [TF_E_NONE] = "none",
    [TF_E_RING_FULL_DROP] = "ring_full_drop",
    [TF_E_SEQ_GAP] = "sequence_gap",
    [TF_E_SEQ_REORDER] = "sequence_reorder",
    [TF_E_JOURNAL_APPEND] = "journal_append",
    [TF_E_REQUEST_UNKNOWN] = "request_unknown",
    [TF_E_REQUEST_INVALID] = "request_invalid",
    [TF_E_STATE_OVERFLOW] = "state_overflow",
    [TF_E_JOURNAL_FLUSH] = "journal_flush",
    [TF_E_DEADLINE_OVERRUN] = "deadline_overrun",
};
_Static_assert(TF_ARRAY_LEN(tf_err_code_names) == TF_E_CODE_COUNT, "a label per code");

const char *tf_err_code_name(uint32_t code)
{
    return code < TF_E_CODE_COUNT && tf_err_code_names[code] ? tf_err_code_names[code] : "unknown";
}
