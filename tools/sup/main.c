/* tfsup: one box's supervisor (see sup.h for what it promises).
 *
 *   tfsup -c CONFIG [--daemon] [--no-monitoring] [--no-sim]   start and supervise
 *   tfsup -c CONFIG --status                                 print each service's state
 *   tfsup -c CONFIG --down                                   stop everything, in reverse order
 *   tfsup -c CONFIG --plan                                   print what up would start, and how
 *   tfsup -c CONFIG --gate [--timeout S]                     wait (60 s) until the engine trades: exit 0, or 1
 *
 * --daemon returns once every service is up (exit 0, the status printed)
 * or one did not come up (exit 1, its log's tail printed; nothing left
 * running). Started again while a supervisor runs for the same run_dir,
 * it asks that one to start what is held or waiting (SIGUSR1) instead.
 * TF_MONITORING=0 is --no-monitoring. Signals: TERM/INT stop everything;
 * USR1 starts held and backed-off services now. Exit codes: 0 done, 1 a
 * service did not come up or not all are up (--status), 2 bad usage or
 * config, or no supervisor (--status, --down). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "tools/sup/sup.h"

#define BACKOFF_MIN_MS 500u
#define BACKOFF_MAX_MS 30000u
#define STABLE_MS 60000u        /* up this long: the next failure starts from the shortest backoff */
#define HEALTH_EVERY_MS 2000u
#define HEALTH_FAILS_MAX 3      /* checks failed in a row before a running service is restarted */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char ts[32];
    time_t t = time(NULL);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", gmtime(&t));
    fprintf(stderr, "%sZ tfsup: ", ts);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int running_pid(const char *pid_path)
{
    FILE *f = fopen(pid_path, "r");
    int pid = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%d", &pid) != 1 || pid <= 0 || kill(pid, 0) != 0)
        pid = 0;
    fclose(f);
    return pid;
}

static void tail_log(const sup *s, const sup_service *v, FILE *out)
{
    char path[SUP_PATH + 48], cmd[SUP_PATH + 80];
    snprintf(path, sizeof path, "%s/%s.log", s->log_dir, v->name);
    fprintf(out, "tfsup: %s did not come up; the end of %s:\n", v->name, path);
    fflush(out);
    snprintf(cmd, sizeof cmd, "tail -n 15 '%s' >&%d", path, fileno(out));
    if (system(cmd) != 0)
        fprintf(out, "(no log)\n");
}

static void stop_all(sup *s)
{
    for (int i = s->n; i-- > 0;) {
        sup_service *v = &s->svc[i];
        if (v->pid > 0) {
            say("stopping %s (pid %d)", v->name, (int)v->pid);
            sup_stop(v, v->engine ? 30000 : 10000);
        }
        v->state = SUP_STOPPED;
    }
    sup_write_status(s);
}

/* Wait for SIGTERM/INT/USR1 or up to ms. */
static int next_signal(const sigset_t *set, uint32_t ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    int sig = sigtimedwait(set, NULL, &t);
    return sig < 0 ? 0 : sig;
}

/* The first start, in order, each healthy before the next. 0, or -1 with
 * everything started stopped again (the failed one is *failed). */
static int start_in_order(sup *s, const sigset_t *set, int *failed)
{
    for (int i = 0; i < s->n; i++) {
        sup_service *v = &s->svc[i];
        if (sup_spawn(s, v) != 0) {
            *failed = i;
            stop_all(s);
            return -1;
        }
        sup_write_status(s);
        uint64_t end = sup_now_ms() + v->start_timeout_ms;
        for (;;) {
            int st;
            if (waitpid(v->pid, &st, WNOHANG) == v->pid) {
                v->last_status = st;
                v->pid = 0;
                break;
            }
            if (sup_healthy(s, v)) {
                v->state = SUP_UP;
                v->backoff_ms = BACKOFF_MIN_MS;
                break;
            }
            int sig = next_signal(set, 100);
            if (sig == SIGTERM || sig == SIGINT || sup_now_ms() >= end)
                break;
        }
        if (v->state != SUP_UP) {
            *failed = i;
            stop_all(s);
            return -1;
        }
        say("%s up (pid %d)", v->name, (int)v->pid);
        sup_write_status(s);
    }
    return 0;
}

/* A service's process ended. */
static void on_exit_of(sup *s, sup_service *v, int st)
{
    uint64_t now = sup_now_ms(), ran = now - v->started_ms;
    char how[48];
    if (WIFEXITED(st))
        snprintf(how, sizeof how, "exit %d", WEXITSTATUS(st));
    else
        snprintf(how, sizeof how, "signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    v->last_status = st;
    v->pid = 0;
    if (v->engine) {
        int open = sup_open_orders(s);
        if (open != 0) {
            v->state = SUP_HELD;
            v->open_orders_at_exit = open < 0 ? 0 : (uint32_t)open;
            char count[24];
            snprintf(count, sizeof count, open < 0 ? "an unknown number of" : "%d", open);
            say("ALERT: the engine exited (%s) with %s open orders: not restarted. Check them against the "
                "venue (tfstat shows its last state), then `tfctl up`", how, count);
            return;
        }
    }
    if (ran >= STABLE_MS || !v->backoff_ms)
        v->backoff_ms = BACKOFF_MIN_MS;
    v->state = SUP_BACKOFF;
    v->next_start_ms = now + v->backoff_ms;
    say("%s exited (%s) after %llu ms; starting it again in %u ms", v->name, how, (unsigned long long)ran,
        (unsigned)v->backoff_ms);
    v->backoff_ms = v->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : v->backoff_ms * 2;
}

static void supervise(sup *s, const sigset_t *set)
{
    uint32_t fails[SUP_MAX_SERVICES] = {0};
    uint64_t last_check = sup_now_ms();
    for (;;) {
        int sig = next_signal(set, 100);
        if (sig == SIGTERM || sig == SIGINT) {
            say("stopping on signal %d", sig);
            stop_all(s);
            return;
        }
        bool changed = false;
        uint64_t now = sup_now_ms();
        if (sig == SIGUSR1) /* the operator: start what is held or waiting, now */
            for (int i = 0; i < s->n; i++)
                if (s->svc[i].state == SUP_HELD || s->svc[i].state == SUP_BACKOFF) {
                    s->svc[i].next_start_ms = now;
                    s->svc[i].state = SUP_BACKOFF;
                    say("%s: started again by the operator", s->svc[i].name);
                }
        int st;
        pid_t pid;
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
            for (int i = 0; i < s->n; i++)
                if (s->svc[i].pid == pid) {
                    on_exit_of(s, &s->svc[i], st);
                    changed = true;
                }
        bool check = now - last_check >= HEALTH_EVERY_MS;
        if (check)
            last_check = now;
        for (int i = 0; i < s->n; i++) {
            sup_service *v = &s->svc[i];
            if (v->state == SUP_BACKOFF && now >= v->next_start_ms) {
                v->restarts++;
                if (sup_spawn(s, v) == 0)
                    say("%s started again (pid %d, restart %u)", v->name, (int)v->pid, v->restarts);
                changed = true;
            } else if (v->state == SUP_STARTING) {
                if (sup_healthy(s, v)) {
                    v->state = SUP_UP;
                    fails[i] = 0;
                    say("%s up (pid %d)", v->name, (int)v->pid);
                    changed = true;
                } else if (now - v->started_ms > v->start_timeout_ms) {
                    say("%s did not come up in %u ms: stopping it", v->name, v->start_timeout_ms);
                    kill(-v->pid, SIGKILL); /* reaped above next time round, then backed off */
                }
            } else if (v->state == SUP_UP && check && !v->engine && v->health != SUP_HEALTH_ALIVE) {
                /* Alive but not answering: after a few checks in a row, started again.
                 * Not the engine: a stalled engine is the watchdog's (and the kill switch's). */
                fails[i] = sup_healthy(s, v) ? 0 : fails[i] + 1;
                if (fails[i] >= HEALTH_FAILS_MAX) {
                    say("%s runs but failed %u health checks: stopping it", v->name, fails[i]);
                    fails[i] = 0;
                    kill(-v->pid, SIGTERM);
                }
            }
        }
        if (changed)
            sup_write_status(s);
    }
}

static int down(const sup *s)
{
    int pid = running_pid(s->pid_path);
    if (!pid) {
        printf("tfsup: no supervisor running for %s\n", s->run_dir);
        return 2;
    }
    kill(pid, SIGTERM);
    for (int i = 0; i < 1500 && kill(pid, 0) == 0; i++) /* up to 150 s: the engine has 30 */
        usleep(100000);
    if (kill(pid, 0) == 0) {
        printf("tfsup: supervisor %d did not stop\n", pid);
        return 1;
    }
    printf("tfsup: stopped (supervisor %d)\n", pid);
    return 0;
}

int main(int argc, char **argv)
{
    static sup s; /* a config is large */
    const char *config = NULL;
    enum { RUN, STATUS, DOWN, PLAN, GATE } mode = RUN;
    double gate_s = 60;
    bool daemon_mode = false;
    s.monitoring = !(getenv("TF_MONITORING") && strcmp(getenv("TF_MONITORING"), "0") == 0);
    s.sim = true;
    static const struct option opts[] = {{"config", 1, NULL, 'c'},         {"daemon", 0, NULL, 'D'},
                                         {"status", 0, NULL, 'S'},         {"down", 0, NULL, 'X'},
                                         {"no-monitoring", 0, NULL, 'M'},  {"no-sim", 0, NULL, 'N'},
                                         {"plan", 0, NULL, 'P'},           {"gate", 0, NULL, 'G'},
                                         {"timeout", 1, NULL, 'T'},
                                         {"help", 0, NULL, 'h'},           {0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': config = optarg; break;
        case 'D': daemon_mode = true; break;
        case 'S': mode = STATUS; break;
        case 'X': mode = DOWN; break;
        case 'M': s.monitoring = false; break;
        case 'N': s.sim = false; break;
        case 'P': mode = PLAN; break;
        case 'G': mode = GATE; break;
        case 'T': gate_s = atof(optarg); break;
        default:
            fprintf(ch == 'h' ? stdout : stderr,
                    "usage: tfsup -c CONFIG [--daemon] [--no-monitoring] [--no-sim] | --status | --down | --plan | --gate [--timeout S]\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    if (!config) {
        fprintf(stderr, "tfsup: -c CONFIG is required\n");
        return 2;
    }
    char err[600];
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (tf_config_load(config, (int)(ncpu > 0 ? ncpu : 1), &s.cfg, err, sizeof err) != 0) {
        fprintf(stderr, "tfsup: bad config: %s\n", err);
        return 2;
    }
    snprintf(s.config_path, sizeof s.config_path, "%s", config);
    if (s.cfg.user[0] && !getenv("TRADEFAN_ENGINE_UID")) {
        /* The engine becomes this user: its segments are that user's, and
         * this config (the operator's word) says to trust them. */
        struct passwd *pw = getpwnam(s.cfg.user);
        if (!pw) {
            fprintf(stderr, "tfsup: user %s: no such user\n", s.cfg.user);
            return 2;
        }
        char uid[16];
        snprintf(uid, sizeof uid, "%u", (unsigned)pw->pw_uid);
        setenv("TRADEFAN_ENGINE_UID", uid, 1);
    }
    ssize_t n = readlink("/proc/self/exe", s.bindir, sizeof s.bindir - 1);
    if (n <= 0) {
        fprintf(stderr, "tfsup: where am I? %s\n", strerror(errno));
        return 2;
    }
    s.bindir[n] = 0;
    *strrchr(s.bindir, '/') = 0;
    snprintf(s.run_dir, sizeof s.run_dir, "%s", s.cfg.export_.run_dir);
    snprintf(s.status_path, sizeof s.status_path, "%s/supervisor.status", s.run_dir);
    snprintf(s.pid_path, sizeof s.pid_path, "%s/supervisor.pid", s.run_dir);
    if (mode == STATUS)
        return sup_print_status(s.status_path, s.pid_path);
    if (mode == DOWN)
        return down(&s);
    if (mode == GATE) {
        static char verdict[2048];
        uint64_t t0 = sup_now_ms(), end = t0 + (uint64_t)(gate_s * 1000);
        int ok;
        while (!(ok = sup_gate(&s, verdict, sizeof verdict)) && sup_now_ms() < end)
            usleep(50000);
        fputs(verdict, stdout);
        printf("gate: %s after %.2f s\n", ok ? "passed" : "FAILED", (sup_now_ms() - t0) / 1000.0);
        return ok ? 0 : 1;
    }
    int other = running_pid(s.pid_path);
    if (other) {
        kill(other, SIGUSR1);
        usleep(300000);
        printf("tfsup: supervisor %d already runs for %s: asked it to start what is held or waiting\n", other,
               s.run_dir);
        sup_print_status(s.status_path, s.pid_path);
        return 0;
    }
    if (sup_plan(&s, err, sizeof err) != 0) {
        fprintf(stderr, "tfsup: %s\n", err);
        return 2;
    }
    if (mode == PLAN) {
        static const char *const health[] = {"alive", "http", "redis", "tcp", "engine", "influx"};
        for (int i = 0; i < s.n; i++) {
            const sup_service *v = &s.svc[i];
            printf("%-22s %-6s", v->name, health[v->health]);
            for (int a = 0; a < v->argc; a++)
                printf(" %s", v->argv[a]);
            putchar('\n');
        }
        return 0;
    }
    int ready[2] = {-1, -1};
    if (daemon_mode) {
        if (pipe(ready) != 0)
            return 2;
        pid_t pid = fork();
        if (pid < 0)
            return 2;
        if (pid > 0) { /* the caller: wait for the word, then show where things stand */
            close(ready[1]);
            char word = 1;
            if (read(ready[0], &word, 1) != 1)
                word = 1;
            if (word == 0)
                return sup_print_status(s.status_path, s.pid_path) == 0 ? 0 : 1;
            char buf[4096];
            ssize_t k;
            while ((k = read(ready[0], buf, sizeof buf)) > 0)
                fwrite(buf, 1, (size_t)k, stderr);
            return 1;
        }
        close(ready[0]);
        setsid();
        char log[SUP_PATH + 16];
        snprintf(log, sizeof log, "%s/tfsup.log", s.log_dir);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644), null = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (null >= 0) {
            dup2(null, 0);
            close(null);
        }
    }
    FILE *pf = fopen(s.pid_path, "w");
    if (!pf || fprintf(pf, "%d\n", (int)getpid()) < 0 || fclose(pf) != 0) {
        fprintf(stderr, "tfsup: cannot write %s\n", s.pid_path);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (int i = 0; i < s.n; i++)
        s.svc[i].last_status = -1;
    say("starting %d services for instance %s (%s)", s.n, s.cfg.instance, config);
    int failed = -1, rc = 0;
    if (start_in_order(&s, &set, &failed) != 0) {
        unlink(s.pid_path); /* gone before the caller hears: nothing of this supervisor is left */
        FILE *out = daemon_mode ? fdopen(ready[1], "w") : stderr;
        if (daemon_mode && out)
            fputc(1, out);
        if (out)
            tail_log(&s, &s.svc[failed], out);
        if (out && daemon_mode)
            fclose(out);
        rc = 1;
    } else {
        if (daemon_mode) {
            char ok = 0;
            if (write(ready[1], &ok, 1) != 1)
                say("the caller went away");
            close(ready[1]);
        }
        say("all %d services up", s.n);
        supervise(&s, &set);
    }
    unlink(s.pid_path);
    curl_global_cleanup();
    return rc;
}
