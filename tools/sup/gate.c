/* tfsup's health gate for a deploy (see sup.h): is the engine really
 * trading? Its heartbeat fresh, its feed live, every venue session logged
 * on and reconciled, no order of unknown fate. Read from its segments. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "shm/catalog.h"
#include "shm/orders.h"
#include "shm/records.h"
#include "shm/segment.h"
#include "shm/state.h"
#include "tools/sup/sup.h"

static uint64_t clock_ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

#define PUT(...) (n += snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__))

int sup_gate(const sup *s, char *out, size_t cap)
{
    size_t n = 0;
    int pass = 1;
    out[0] = 0;
    char path[SUP_PATH];
    tf_segment seg;
    /* 1. the engine: its stats segment live, the heartbeat under a second old */
    tf_segment_path(path, sizeof path, s->cfg.shm_dir, s->cfg.instance, TF_SEG_STATS);
    if (tf_segment_attach(&seg, path, TF_SEG_KIND_STATS) != TF_SEG_OK) {
        PUT("engine: no live segments (%s)\n", tf_err_msg());
        return 0;
    }
    uint64_t hb = __atomic_load_n(&seg.hdr->heartbeat_ns, __ATOMIC_ACQUIRE), now = clock_ns(CLOCK_MONOTONIC);
    int live = seg.hdr->owner_state == TF_OWNER_STATE_LIVE && hb && now - hb < 1000000000ull;
    PUT("engine: %s (heartbeat %.0f ms ago, pid %d)\n", live ? "ok" : "NOT LIVE", hb ? (now - hb) / 1e6 : -1.0,
        (int)seg.hdr->owner_pid);
    pass &= live;
    tf_segment_close(&seg);
    tf_segment_path(path, sizeof path, s->cfg.shm_dir, s->cfg.instance, TF_SEG_STATE);
    if (tf_segment_attach(&seg, path, TF_SEG_KIND_STATE) != TF_SEG_OK) {
        PUT("state: unreadable (%s)\n", tf_err_msg());
        return 0;
    }
    uint64_t len = 0;
    const tf_state_table *t = tf_segment_region(&seg, TF_REGION_STATE, &len);
    if (!t || tf_state_table_check(t, len, path) != 0) {
        PUT("state: unusable\n");
        tf_segment_close(&seg);
        return 0;
    }
    uint64_t wall = clock_ns(CLOCK_REALTIME);
    /* 2. the feed: connected, a frame in the last two seconds */
    if (tf_config_has_stage(&s->cfg, TF_STAGE_FEED)) {
        tf_md_feed_status f;
        const tf_state_slot *sl = tf_state_find(t, TF_STATE_FEED, "feed");
        int ok = sl && tf_state_read(sl, &f, sizeof f, 1000, NULL) == TF_STATE_OK && f.connected &&
                 wall - f.last_frame_realtime_ns < 2000000000ull;
        PUT("feed: %s\n", ok ? "ok (live)" : "NOT LIVE");
        pass &= ok;
    }
    /* 3. the venue: every session logged on, not halted, reconciled; no order of unknown fate */
    if (tf_config_has_stage(&s->cfg, TF_STAGE_EXIO)) {
        for (uint32_t k = 0; k < s->cfg.exchange.sessions; k++) {
            char key[16];
            snprintf(key, sizeof key, "fix/%u", k);
            tf_venue_session_status v;
            const tf_state_slot *sl = tf_state_find(t, TF_STATE_VENUE_SESSION, key);
            int got = sl && tf_state_read(sl, &v, sizeof v, 1000, NULL) == TF_STATE_OK;
            int ok = got && v.state == TF_FIX_ACTIVE && !v.halted && !v.reconciling && !v.unknown_orders;
            PUT("venue session %u: %s%s%s%s\n", k, ok ? "ok (logged on, reconciled)" : "NOT READY",
                got && v.state != TF_FIX_ACTIVE ? " (not logged on)" : "", got && v.reconciling ? " (reconciling)" : "",
                got && v.unknown_orders ? " (orders of unknown fate: tfctl resolve)" : "");
            pass &= ok;
        }
    }
    tf_segment_close(&seg);
    return pass;
}
