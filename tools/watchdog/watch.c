/* The watchdog's judgement (see watch.h). */
#include "tools/watchdog/watch.h"

wd_look wd_scan(wd_state *s, const uint64_t *heartbeat_ns, uint32_t n, uint64_t now_ns, uint64_t stall_ns)
{
    wd_look l = {.first_new = -1, .worst = -1};
    if (n > WD_MAX_STAGES)
        n = WD_MAX_STAGES;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t hb = heartbeat_ns[i];
        uint64_t age = hb && now_ns > hb ? now_ns - hb : 0;
        bool stalled = age > stall_ns;
        if (age > l.worst_age_ns) {
            l.worst_age_ns = age;
            l.worst = (int)i;
        }
        if (stalled) {
            l.stalled_now++;
            if (!s->stalled[i]) {
                l.newly++;
                s->episodes++;
                if (l.first_new < 0)
                    l.first_new = (int)i;
            }
        }
        s->stalled[i] = stalled;
    }
    return l;
}
