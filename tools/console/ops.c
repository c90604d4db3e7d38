/* Operator actions (see ops.h). */
#include "tools/console/ops.h"

#include <stdio.h>
#include <string.h>

#include "include/tradefan/client.h"

static tfc *g_tfc;

static tfc *client(const tf_config *cfg, char *err, size_t cap)
{
    if (g_tfc && tfc_alive(g_tfc))
        return g_tfc;
    if (g_tfc)
        tfc_close(g_tfc);
    g_tfc = tfc_open(cfg->instance, cfg->shm_dir, 0, err, cap);
    return g_tfc;
}

int ops_do(const tf_config *cfg, const char *name, const char *arg, char *body, size_t cap)
{
    char err[256] = "";
    uint64_t req = 0;
    bool kill = strcmp(name, "kill") == 0, state = strcmp(name, "state") == 0,
         cancel = strcmp(name, "cancel-all") == 0;
    if (!kill && !state && !cancel) {
        snprintf(body, cap, "{\"error\":\"no such action (kill, state, cancel-all)\"}");
        return 400;
    }
    if ((kill && strcmp(arg, "1") != 0 && strcmp(arg, "0") != 0) ||
        (state && strcmp(arg, "ACTIVE") != 0 && strcmp(arg, "REDUCING") != 0 && strcmp(arg, "HALTED") != 0)) {
        snprintf(body, cap, "{\"error\":\"%s takes %s\"}", name, kill ? "on=1 or on=0" : "value=ACTIVE|REDUCING|HALTED");
        return 400;
    }
    tfc *c = client(cfg, err, sizeof err);
    if (!c) {
        snprintf(body, cap, "{\"error\":\"no engine: %.200s\"}", err);
        return 503;
    }
    req = kill ? tfc_kill(c, arg[0] == '1', 0) : state ? tfc_set_state(c, arg) : tfc_cancel_all(c);
    if (!req) {
        snprintf(body, cap, "{\"error\":\"not sent: %.200s\"}", tfc_error(c));
        return 503;
    }
    tf_order_event ev;
    if (tfc_wait(c, req, 2000, &ev) != 1) {
        snprintf(body, cap, "{\"error\":\"no answer from the engine in 2 s\",\"request\":%llu}", (unsigned long long)req);
        return 503;
    }
    bool refused = ev.kind == TF_EV_REJECTED;
    snprintf(body, cap, "{\"ok\":%s,\"request\":%llu,\"answer\":\"%s\",\"reason\":\"%s\"}", refused ? "false" : "true",
             (unsigned long long)req, tfc_event_name(ev.kind), refused ? tfc_reason_name(ev.reason) : "");
    return refused ? 409 : 200;
}

void ops_close(void)
{
    if (g_tfc)
        tfc_close(g_tfc);
    g_tfc = NULL;
}
