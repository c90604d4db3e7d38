/* The catalogue's label tables (shm/catalog.h). */
#include "shm/catalog.h"

#include <string.h>

#include "shm/common.h"

const char *const tf_fix_state_names[TF_FIX_STATE_COUNT] = {
    [TF_FIX_DISCONNECTED] = "disconnected", [TF_FIX_LOGON_SENT] = "logon_sent",
    [TF_FIX_AWAIT_LOGON] = "await_logon",   [TF_FIX_ACTIVE] = "active",
    [TF_FIX_LOGOUT_SENT] = "logout_sent",
};
_Static_assert(TF_ARRAY_LEN(tf_fix_state_names) == TF_FIX_STATE_COUNT, "a label per FIX state");

const tf_metric_def tf_counter_catalog[TF_CTR_COUNT] = {
#define TF__CTR_DEF(id, name, kind, stage, labels, help) [TF_CTR_##id] = {name, kind, stage, labels, help},
    TF_COUNTER_CATALOG(TF__CTR_DEF)
#undef TF__CTR_DEF
};

const tf_metric_def tf_hist_catalog[TF_HIST_COUNT] = {
#define TF__HIST_DEF(id, name, stage, labels, help) [TF_HIST_##id] = {name, 0, stage, labels, help},
    TF_HIST_CATALOG(TF__HIST_DEF)
#undef TF__HIST_DEF
};

const tf_metric_def *tf_counter_lookup(const char *name)
{
    for (int i = 0; i < TF_CTR_COUNT; i++)
        if (strcmp(tf_counter_catalog[i].name, name) == 0)
            return &tf_counter_catalog[i];
    return NULL;
}
