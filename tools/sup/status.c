/* tfsup's status file and metrics (see sup.h). Both are written to a
 * temporary name and renamed, so a reader never sees half of one. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tools/sup/sup.h"

const char *const sup_state_names[] = {"stopped", "starting", "up", "backoff", "held"};

static void exit_text(int st, char *out, size_t cap)
{
    if (st == -1)
        snprintf(out, cap, "-");
    else if (WIFEXITED(st))
        snprintf(out, cap, "exit=%d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(out, cap, "signal=%d", WTERMSIG(st));
    else
        snprintf(out, cap, "status=%d", st);
}

void sup_write_status(const sup *s)
{
    char tmp[SUP_PATH + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", s->status_path);
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "# tfsup pid %d, instance %s, config %s\n# service state pid restarts up_s last_exit\n",
                (int)getpid(), s->cfg.instance, s->config_path);
        uint64_t now = sup_now_ms();
        for (int i = 0; i < s->n; i++) {
            const sup_service *v = &s->svc[i];
            char ex[32];
            exit_text(v->last_status, ex, sizeof ex);
            fprintf(f, "%-22s %-8s %-8d %-4u %-8llu %s", v->name, sup_state_names[v->state], (int)v->pid, v->restarts,
                    v->state == SUP_UP ? (unsigned long long)((now - v->started_ms) / 1000) : 0ull, ex);
            if (v->state == SUP_HELD)
                fprintf(f, " open_orders=%u (not restarted: check the orders, then tfctl up)",
                        v->open_orders_at_exit);
            fputc('\n', f);
        }
        if (fclose(f) == 0)
            rename(tmp, s->status_path);
    }
    /* The node exporter's textfile collector: Prometheus sees the services
     * and the alert rules see a held engine and restarts. */
    char prom[SUP_PATH + 32], ptmp[SUP_PATH + 40];
    snprintf(prom, sizeof prom, "%s/supervisor.prom", s->metrics_dir);
    snprintf(ptmp, sizeof ptmp, "%s.tmp", prom);
    if (!(f = fopen(ptmp, "w")))
        return;
    fprintf(f, "# HELP tradefan_service_up 1 when the supervisor's health check of the service passes.\n"
               "# TYPE tradefan_service_up gauge\n");
    for (int i = 0; i < s->n; i++)
        fprintf(f, "tradefan_service_up{instance_name=\"%s\",service=\"%s\"} %d\n", s->cfg.instance, s->svc[i].name,
                s->svc[i].state == SUP_UP);
    fprintf(f, "# HELP tradefan_service_restarts_total Times the supervisor started the service again.\n"
               "# TYPE tradefan_service_restarts_total counter\n");
    for (int i = 0; i < s->n; i++)
        fprintf(f, "tradefan_service_restarts_total{instance_name=\"%s\",service=\"%s\"} %u\n", s->cfg.instance,
                s->svc[i].name, s->svc[i].restarts);
    int held = 0;
    for (int i = 0; i < s->n; i++)
        held |= s->svc[i].state == SUP_HELD;
    fprintf(f, "# HELP tradefan_engine_held 1 while the engine is down with open orders, waiting for an operator.\n"
               "# TYPE tradefan_engine_held gauge\ntradefan_engine_held{instance_name=\"%s\"} %d\n", s->cfg.instance, held);
    if (fclose(f) == 0)
        rename(ptmp, prom);
}

int sup_print_status(const char *status_path, const char *pid_path)
{
    FILE *p = fopen(pid_path, "r");
    int pid = 0;
    if (!p || fscanf(p, "%d", &pid) != 1 || pid <= 0 || kill(pid, 0) != 0) {
        if (p)
            fclose(p);
        printf("tfsup: no supervisor running (%s)\n", pid_path);
        return 2;
    }
    fclose(p);
    FILE *f = fopen(status_path, "r");
    if (!f) {
        printf("tfsup: supervisor %d has written no status yet\n", pid);
        return 1;
    }
    char line[1024];
    int all_up = 1, services = 0;
    while (fgets(line, sizeof line, f)) {
        fputs(line, stdout);
        if (line[0] == '#')
            continue;
        char name[64], state[16];
        if (sscanf(line, "%63s %15s", name, state) == 2) {
            services++;
            all_up &= strcmp(state, "up") == 0;
        }
    }
    fclose(f);
    return services && all_up ? 0 : 1;
}
