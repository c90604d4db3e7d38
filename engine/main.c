/* tfengine: start the engine from a config file and run until SIGINT or
 * SIGTERM (or --duration), then stop cleanly: rings drained, journal
 * flushed, segments marked closed.
 *
 * The main thread does no trading work: it waits for signals with a
 * timeout and, on each wake, heartbeats the segments and publishes the
 * engine status. Signals are blocked in every other thread. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/runtime/prefault.h"
#include "engine/runtime/host_fit.h"
#include "engine/runtime/privilege.h"
#include "lib/conf/config.h"
#include "engine/engine.h"
#include "shm/err.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tfengine -c CONFIG [--check-config] [--duration SECONDS]\n"
            "  -c, --config FILE    environment YAML (tuning/environments/*.yaml)\n"
            "      --check-config   validate the config, print the layout, exit\n"
            "      --host-check     does the host fit the layout? item by item (exit 1: changes wanted)\n"
            "      --host-apply     change what can change at run time (governor, C-states, THP, IRQs)\n"
            "      --root DIR       read (and write) the host's /proc and /sys under DIR (tests)\n"
            "      --duration S     stop by itself after S seconds (tests, demos)\n"
            "      --replace-stale  replace segments left by a crashed engine\n"
            "                       (same as shm.on_stale: replace)\n");
}

static void print_layout(const tf_config *c)
{
    printf("instance %s, segments in %s (mode %04o), on_stale %s\n", c->instance, c->shm_dir,
           c->shm_mode, c->on_stale == TF_STALE_REPLACE ? "replace" : "refuse");
    printf("lock_memory %s\n", c->lock_memory ? "true" : "false");
    printf("prefault_memory %s\n", c->prefault_memory ? "true" : "false");
    printf("rings %u records, requests %u, md journal %u records %s%s\n", c->ring_capacity,
           c->request_ring_capacity, c->md_journal_capacity,
           c->md_journal_file[0] ? "in " : "in shared memory", c->md_journal_file);
    for (uint32_t i = 0; i < c->thread_count; i++) {
        const tf_cfg_thread *t = &c->threads[i];
        printf("thread %-10s cpu %-3d %-9s rt %-2d stages:", t->name, t->cpu,
               tf_idle_kind_name(t->idle.kind), t->rt_priority);
        for (uint32_t k = 0; k < t->stage_count; k++)
            printf(" %s", tf_stage_kind_name(t->stages[k]));
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    const char *config_path = NULL;
    int check_only = 0, replace_stale = 0, host = 0; /* host: 1 check, 2 apply */
    const char *host_root = "/";
    double duration = 0;
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"check-config", no_argument, NULL, 'k'},
        {"duration", required_argument, NULL, 'd'},
        {"replace-stale", no_argument, NULL, 'r'},
        {"host-check", no_argument, NULL, 'H'},
        {"host-apply", no_argument, NULL, 'A'},
        {"root", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': config_path = optarg; break;
        case 'k': check_only = 1; break;
        case 'r': replace_stale = 1; break;
        case 'H': host = 1; break;
        case 'A': host = 2; break;
        case 'R': host_root = optarg; break;
        case 'd': {
            char *end;
            duration = strtod(optarg, &end);
            if (*end || duration <= 0) {
                fprintf(stderr, "tfengine: --duration needs a positive number of seconds\n");
                return 2;
            }
            break;
        }
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!config_path || optind != argc) {
        usage(stderr);
        return 2;
    }

    static tf_config cfg;
    char err[512];
    long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (tf_config_load(config_path, (int)ncpus, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "tfengine: bad config: %s\n", err);
        return 2;
    }
    if (replace_stale)
        cfg.on_stale = TF_STALE_REPLACE;
    if (check_only) {
        print_layout(&cfg);
        printf("config ok\n");
        return 0;
    }
    static tf_host_report host_report;
    if (host == 1) { /* tuning/host/check */
        tf_host_check(&cfg, host_root, &host_report);
        tf_host_print(&host_report, stdout);
        printf("%d of %d items want a change\n", host_report.changes, host_report.n);
        return host_report.changes ? 1 : 0;
    }
    if (host == 2) { /* tuning/host/apply */
        int failed = tf_host_apply(&cfg, host_root, stdout);
        tf_host_check(&cfg, host_root, &host_report);
        printf("after: %d of %d items want a change; %d writes failed\n", host_report.changes, host_report.n, failed);
        return failed ? 1 : 0;
    }
    /* Say at start what of the host does not fit the layout (nothing is refused for it). */
    tf_host_check(&cfg, "/", &host_report);
    for (int i = 0; i < host_report.n; i++)
        if (host_report.items[i].verdict == TF_HOST_CHANGE)
            fprintf(stderr, "tfengine: host does not fit the layout: %s: %s\n", host_report.items[i].name,
                    host_report.items[i].text);
    if (host_report.changes)
        fprintf(stderr, "tfengine: %d host items want a change (tuning/host/check -c %s says each; "
                        "tuning/host/apply does what can be done at run time)\n", host_report.changes, config_path);

    /* The service user, before anything is created: segments, journals
     * and stores belong to it, and nothing else of root's stays. */
    if (cfg.user[0]) {
        if (tf_become_user(cfg.user) != 0) {
            fprintf(stderr, "tfengine: %s\n", tf_err_msg());
            return 1;
        }
        fprintf(stderr, "tfengine: running as %s (uid %u), keeping CAP_SYS_NICE and CAP_IPC_LOCK\n", cfg.user,
                (unsigned)getuid());
    }

    /* Block the stop signals here so every thread inherits the mask and
     * only the main thread's sigtimedwait sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    /* Lock before the segments are mapped so they are locked too
     * (MCL_FUTURE): no page fault on the hot path later. */
    if (cfg.lock_memory && mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
        fprintf(stderr, "tfengine: lock_memory: mlockall: %s (raise RLIMIT_MEMLOCK or grant "
                        "CAP_IPC_LOCK, or set lock_memory: false)\n", strerror(errno));
        return 1;
    }

    tf_engine *e = calloc(1, sizeof *e);
    if (!e) {
        fprintf(stderr, "tfengine: out of memory\n");
        return 1;
    }
    if (tf_engine_open(e, &cfg) != 0) {
        fprintf(stderr, "tfengine: %s\n", tf_err_msg());
        free(e);
        return 1;
    }
    /* Every page written before the threads start: no page fault on the
     * hot path (mlockall already did it). Sanitizer builds reserve shadow
     * memory that must stay unfilled. */
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    tf_prefault_result pf;
    if (cfg.prefault_memory && !cfg.lock_memory) {
        if (tf_prefault_writable(16ull << 30, &pf) != 0)
            fprintf(stderr, "tfengine: %s; the hot path may take page faults\n", tf_err_msg());
        else
            fprintf(stderr, "tfengine: prefaulted %llu MiB in %llu regions\n",
                    (unsigned long long)(pf.bytes >> 20), (unsigned long long)pf.regions);
    }
#endif
    if (tf_engine_start(e) != 0) {
        fprintf(stderr, "tfengine: %s\n", tf_err_msg());
        tf_engine_close(e);
        free(e);
        return 1;
    }
    fprintf(stderr, "tfengine: instance %s running (pid %d, %u threads); stop with SIGINT/SIGTERM\n",
            cfg.instance, (int)getpid(), e->thread_count);

    uint64_t period = cfg.heartbeat_period_ns ? cfg.heartbeat_period_ns : 100000000ull;
    uint64_t deadline = duration > 0 ? tf_now_ns() + (uint64_t)(duration * 1e9) : UINT64_MAX;
    int sig = 0;
    for (;;) {
        uint64_t now = tf_now_ns();
        tf_engine_tick(e, now);
        if (now >= deadline)
            break;
        uint64_t wait = period;
        if (deadline - now < wait)
            wait = deadline - now;
        struct timespec ts = {.tv_sec = (time_t)(wait / 1000000000ull),
                              .tv_nsec = (long)(wait % 1000000000ull)};
        sig = sigtimedwait(&stop, NULL, &ts);
        if (sig > 0)
            break;
        if (sig < 0 && errno != EAGAIN && errno != EINTR) {
            perror("tfengine: sigtimedwait");
            break;
        }
    }
    fprintf(stderr, "tfengine: stopping (%s)\n", sig > 0 ? strsignal(sig) : "duration reached");
    tf_engine_stop(e);
    fprintf(stderr, "tfengine: stopped cleanly; journal head %llu\n",
            (unsigned long long)e->md.desc->head);
    tf_engine_close(e);
    free(e);
    return 0;
}
