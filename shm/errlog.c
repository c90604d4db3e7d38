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
    [TF_E_MD_MALFORMED] = "md_malformed",
    [TF_E_MD_UNKNOWN] = "md_unknown",
    [TF_E_MD_BAD_VALUE] = "md_bad_value",
    [TF_E_MD_OVERSIZED] = "md_oversized",
    [TF_E_MD_DUPLICATE] = "md_duplicate_trade",
    [TF_E_MD_TRADE_GAP] = "md_trade_gap",
    [TF_E_MD_BAD_TRADE] = "md_bad_trade",
    [TF_E_MD_BOOK_GAP] = "md_book_gap",
    [TF_E_MD_SNAPSHOT] = "md_snapshot",
    [TF_E_MD_CONNECT] = "md_connect",
    [TF_E_MD_IDLE] = "md_idle",
    [TF_E_MD_DISCONNECT] = "md_disconnect",
    [TF_E_MD_LATE_TRADE] = "md_late_trade",
    [TF_E_MD_VENUE_ERROR] = "md_venue_error",
    [TF_E_ORDER_ILLEGAL] = "order_illegal_report",
    [TF_E_ORDER_VENUE_FULL] = "order_venue_ring_full",
    [TF_E_FIX_CONNECT] = "fix_connect_failed",
    [TF_E_FIX_DISCONNECT] = "fix_session_down",
    [TF_E_FIX_GARBLED] = "fix_garbled_message",
    [TF_E_FIX_REJECT] = "fix_venue_reject",
    [TF_E_FIX_BAD_REPORT] = "fix_bad_report",
    [TF_E_FIX_UNKNOWN_FATE] = "fix_order_fate_unknown",
    [TF_E_FIX_SEQ_RESET] = "fix_seq_reset",
    [TF_E_FIX_LOGON_REFUSED] = "fix_logon_refused",
    [TF_E_ORDER_OUT_OF_BAND] = "order_out_of_band_fill",
    [TF_E_FIX_OUT_OF_SCHEDULE] = "fix_out_of_schedule",
    [TF_E_ALGO_REFUSED] = "algo_refused",
};
_Static_assert(TF_ARRAY_LEN(tf_err_code_names) == TF_E_CODE_COUNT, "a label per code");

const char *tf_err_code_name(uint32_t code)
{
    return code < TF_E_CODE_COUNT && tf_err_code_names[code] ? tf_err_code_names[code] : "unknown";
}
