/* tfwatchdog: the engine's stage heartbeats, watched from outside the
 * engine (the engine's own thread-silence check runs on its main thread,
 * which a stopped or wedged process stops too).
 *
 *   tfwatchdog -c CONFIG
 *
 * Every watchdog.poll_ms it maps the stats segment read-only and looks at
 * each stage's heartbeat (the time its thread last polled it). A stage not
 * polled for watchdog.stall_ms is stalled: said on stderr (its log), counted
 * and named in its status segment tradefan.<instance>.watchdog (tfstat shows
 * it, tfexport-prom serves it as tradefan_watchdog_*), and with
 * watchdog.kill_switch the kill switch is asked for through the door, as the
 * operator (the watchdog runs as the engine's user). The request is sent
 * from a thread of its own: a stopped engine does not stop the watching.
 * Nothing is judged while the engine is absent or closed.
 * EXIT: 0 stopped, 1 usage or config. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "include/tradefan/client.h"
#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/err.h"
#include "shm/records.h"
#include "tools/oob/oob_process.h"
#include "tools/oob/view.h"
#include "tools/watchdog/watch.h"

typedef struct watchdog {
    tf_config cfg;
    tf_view view;
    bool open;
    wd_state state;
    tf_segment seg;
    tf_state_slot *slot;
    tf_watchdog_status st;
    pthread_t killer;
    bool killer_running;
    uint32_t kill_pending, kill_done; /* atomics: requests asked of / done by the killer thread */
    uint32_t kill_ok;
} watchdog;

static watchdog g;

/* The killer thread: the door's handshake would wait on a stopped engine. */
static void *killer_main(void *arg)
{
    (void)arg;
    while (!oob_stop) {
        if (tf_load_acquire_32(&g.kill_pending) == tf_load_32(&g.kill_done)) {
            oob_sleep(10000000);
            continue;
        }
        char err[256] = "";
        tfc *c = tfc_open(g.cfg.instance, g.cfg.shm_dir, 0, err, sizeof err);
        uint64_t id = c ? tfc_kill(c, 1, 0) : 0;
        tf_order_event ev;
        bool ok = id && tfc_wait(c, id, 2000, &ev) == 1 && ev.kind == TF_EV_KILL;
        if (ok)
            fprintf(stderr, "tfwatchdog: kill switch tripped (watchdog.kill_switch)\n");
        else
            fprintf(stderr, "tfwatchdog: the kill switch request was not taken: %s\n",
                    c ? "no answer from the risk gate" : err);
        if (c)
            tfc_close(c);
        __atomic_add_fetch(&g.kill_ok, ok ? 1 : 0, __ATOMIC_RELAXED);
        tf_store_release_32(&g.kill_done, tf_load_32(&g.kill_done) + 1);
    }
    return NULL;
}

static void attach(void)
{
    if (g.open && view_replaced(&g.view, g.cfg.shm_dir, g.cfg.instance)) {
        view_close(&g.view);
        g.open = false;
    }
    if (g.open)
        return;
    char path[256];
    struct stat sb;
    if (tf_segment_path(path, sizeof path, g.cfg.shm_dir, g.cfg.instance, TF_SEG_STATS) != 0 || stat(path, &sb) != 0)
        return;
    g.open = view_open(&g.view, "tfwatchdog", g.cfg.shm_dir, g.cfg.instance) == 0;
    if (!g.open)
        view_close(&g.view);
    memset(&g.state, 0, sizeof g.state);
}

static void look(void)
{
    attach();
    uint64_t now = tf_now_ns();
    g.st.looks++;
    g.st.engine_live = g.open && tf_segment_owner(&g.view.stats_seg, now, NULL) == TF_OWNER_LIVE;
    if (!g.st.engine_live) {
        memset(&g.state, 0, sizeof g.state); /* nothing to judge; a new run starts clean */
        g.st.stalled_now = 0;
        g.st.worst_age_ns = 0;
        return;
    }
    /* Stages are owners 1..n (0 is the engine's main thread). */
    uint32_t n = view_owners(&g.view);
    n = n > 1 ? n - 1 : 0;
    n = n < WD_MAX_STAGES ? n : WD_MAX_STAGES;
    uint64_t hb[WD_MAX_STAGES];
    for (uint32_t i = 0; i < n; i++)
        hb[i] = tf_load_64(&g.view.stats.dir->owners[i + 1].heartbeat_ns);
    wd_state before = g.state;
    wd_look l = wd_scan(&g.state, hb, n, now, g.cfg.watchdog.stall_ns);
    g.st.stalled_now = l.stalled_now;
    g.st.worst_age_ns = l.worst_age_ns;
    for (uint32_t i = 0; i < n; i++) {
        const char *name = view_owner_name(&g.view, i + 1);
        if (g.state.stalled[i] && !before.stalled[i]) {
            fprintf(stderr, "tfwatchdog: STALL: stage %s not polled for %llu ms (watchdog.stall_ms %llu)\n", name,
                    (unsigned long long)((now - hb[i]) / 1000000),
                    (unsigned long long)(g.cfg.watchdog.stall_ns / 1000000));
            g.st.stalls++;
            g.st.last_stall_realtime_ns = tf_realtime_ns();
            snprintf(g.st.last_stage, sizeof g.st.last_stage, "%s", name);
        } else if (!g.state.stalled[i] && before.stalled[i]) {
            fprintf(stderr, "tfwatchdog: stage %s is polled again\n", name);
        }
    }
    if (l.newly && g.cfg.watchdog.kill_switch) {
        __atomic_add_fetch(&g.kill_pending, 1, __ATOMIC_RELEASE);
        g.st.kills_sent++;
    }
}

int main(int argc, char **argv)
{
    const char *config = NULL;
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    for (int o; (o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1;) {
        if (o == 'c')
            config = optarg;
        else {
            fprintf(stderr, "usage: tfwatchdog -c CONFIG\n");
            return o == 'h' ? 0 : 1;
        }
    }
    if (oob_load_config(config, &g.cfg) != 0)
        return 1;
    oob_install_signals();
    if (oob_pin(&g.cfg) != 0) {
        fprintf(stderr, "tfwatchdog: %s\n", tf_err_msg());
        return 1;
    }
    g.slot = oob_segment_open(&g.seg, &g.cfg, TF_WATCHDOG_SEGMENT, TF_STATE_WATCHDOG, "watchdog");
    if (!g.slot) {
        fprintf(stderr, "tfwatchdog: %s\n", tf_err_msg());
        return 1;
    }
    g.st.stall_ns = g.cfg.watchdog.stall_ns;
    if (pthread_create(&g.killer, NULL, killer_main, NULL) == 0)
        g.killer_running = true;
    fprintf(stderr, "tfwatchdog: watching engine '%s' in %s: a stage not polled for %llu ms is stalled%s\n",
            g.cfg.instance, g.cfg.shm_dir, (unsigned long long)(g.cfg.watchdog.stall_ns / 1000000),
            g.cfg.watchdog.kill_switch ? "; a stall trips the kill switch" : "");
    while (!oob_stop) {
        look();
        g.st.kills_failed = tf_load_32(&g.kill_done) - __atomic_load_n(&g.kill_ok, __ATOMIC_RELAXED);
        uint64_t now = tf_now_ns();
        tf_state_write(g.slot, &g.st, sizeof g.st, now);
        tf_segment_heartbeat(&g.seg, now);
        oob_sleep(g.cfg.watchdog.poll_ns);
    }
    if (g.killer_running)
        pthread_join(g.killer, NULL);
    if (g.open)
        view_close(&g.view);
    tf_segment_close(&g.seg);
    fprintf(stderr, "tfwatchdog: stopped after %llu stalls\n", (unsigned long long)g.st.stalls);
    return 0;
}
