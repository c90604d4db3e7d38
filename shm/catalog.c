/* The catalogue's label tables (shm/catalog.h). */
#include "shm/catalog.h"

#include "shm/common.h"

const char *const tf_fix_state_names[TF_FIX_STATE_COUNT] = {
    [TF_FIX_DISCONNECTED] = "disconnected", [TF_FIX_LOGON_SENT] = "logon_sent",
    [TF_FIX_AWAIT_LOGON] = "await_logon",   [TF_FIX_ACTIVE] = "active",
    [TF_FIX_LOGOUT_SENT] = "logout_sent",
};
_Static_assert(TF_ARRAY_LEN(tf_fix_state_names) == TF_FIX_STATE_COUNT, "a label per FIX state");
