/* tfsup's processes: each service runs in a process group of its own
 * (a server's helpers stop with it), its output appended to its log, and
 * pinned to export.cpu when set (off the engine's cores). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/sup/sup.h"

uint64_t sup_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

int sup_spawn(const sup *s, sup_service *v)
{
    char log[SUP_PATH + 48];
    snprintf(log, sizeof log, "%s/%s.log", s->log_dir, v->name);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL); /* the supervisor's blocked signals are not the child's */
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        int null = open("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (null >= 0)
            dup2(null, 0);
        if (v->cpu >= 0) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(v->cpu, &set);
            sched_setaffinity(0, sizeof set, &set);
        }
        execvp(v->argv[0], v->argv);
        fprintf(stderr, "tfsup: cannot run %s: %s\n", v->argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* both sides: no race with the child's exec */
    v->pid = pid;
    v->started_ms = sup_now_ms();
    v->state = SUP_STARTING;
    return 0;
}

void sup_stop(sup_service *v, uint32_t grace_ms)
{
    if (v->pid <= 0)
        return;
    kill(-v->pid, SIGTERM);
    uint64_t end = sup_now_ms() + grace_ms;
    int st;
    for (;;) {
        pid_t r = waitpid(v->pid, &st, WNOHANG);
        if (r == v->pid || (r < 0 && errno == ECHILD))
            break;
        if (sup_now_ms() >= end) {
            kill(-v->pid, SIGKILL);
            waitpid(v->pid, &st, 0);
            break;
        }
        usleep(20000);
    }
    kill(-v->pid, SIGKILL); /* what the group left behind */
    v->pid = 0;
    v->state = SUP_STOPPED;
}
