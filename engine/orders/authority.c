/* See authority.h. Cold: the door thread and start-up only. */
#include "engine/orders/authority.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shm/err.h"

static int resolve(tf_identity *id, const char *user, const char *group, const char *what)
{
    char buf[4096];
    if (user[0]) {
        struct passwd pw, *p = NULL;
        if (getpwnam_r(user, &pw, buf, sizeof buf, &p) != 0 || !p)
            return TF_ERR("%s: no local user '%s'", what, user);
        id->any_user = true;
        id->uid = p->pw_uid;
    }
    if (group[0]) {
        struct group gr, *g = NULL;
        if (getgrnam_r(group, &gr, buf, sizeof buf, &g) != 0 || !g)
            return TF_ERR("%s: no local group '%s'", what, group);
        id->any_group = true;
        id->gid = g->gr_gid;
    }
    return 0;
}

int tf_authority_init(tf_authority *a, const tf_config *cfg)
{
    memset(a, 0, sizeof *a);
    a->engine_uid = geteuid();
    if (resolve(&a->operators, cfg->risk.operator_user, cfg->risk.operator_group, "risk.operator") != 0)
        return -1;
    a->known[0] = true;
    for (uint32_t k = 0; k < cfg->risk.strategy_count; k++) {
        const tf_cfg_strategy *s = &cfg->risk.strategies[k];
        if (s->id >= TF_MAX_STRATEGIES)
            continue;
        a->known[s->id] = true;
        char what[64];
        snprintf(what, sizeof what, "risk.strategies %u", s->id);
        if (resolve(&a->traders[s->id], s->user, s->group, what) != 0)
            return -1;
    }
    if (cfg->orders.plugin[0] && cfg->orders.plugin_strategy < TF_MAX_STRATEGIES)
        a->known[cfg->orders.plugin_strategy] = true;
    return 0;
}

/* uid's groups (primary and supplementary) include gid? */
static bool member(uid_t uid, gid_t primary, gid_t gid)
{
    if (primary == gid)
        return true;
    char buf[4096];
    struct passwd pw, *p = NULL;
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &p) != 0 || !p)
        return false;
    gid_t groups[256];
    int n = 256;
    if (getgrouplist(p->pw_name, p->pw_gid, groups, &n) < 0)
        return false;
    for (int i = 0; i < n; i++)
        if (groups[i] == gid)
            return true;
    return false;
}

static bool matches(const tf_identity *id, uid_t uid, gid_t gid)
{
    return (id->any_user && id->uid == uid) || (id->any_group && member(uid, gid, id->gid));
}

bool tf_authority_is_operator(const tf_authority *a, uid_t uid, gid_t gid)
{
    return uid == a->engine_uid || uid == 0 || matches(&a->operators, uid, gid);
}

int tf_authority_admit(void *ctx, uid_t uid, gid_t gid, pid_t pid, uint32_t asked, uint32_t *strategy,
                       bool *operator_, char *why, size_t why_len)
{
    const tf_authority *a = ctx;
    (void)pid;
    if (asked >= TF_MAX_STRATEGIES || !a->known[asked]) {
        snprintf(why, why_len, "strategy %u is not configured (risk.strategies)", asked);
        return -1;
    }
    bool op = tf_authority_is_operator(a, uid, gid);
    if (!op && (asked == 0 || !matches(&a->traders[asked], uid, gid))) {
        snprintf(why, why_len,
                 asked == 0 ? "uid %u is not an operator (risk.operator_user, risk.operator_group)"
                            : "uid %u may not trade strategy %u (its user and group in risk.strategies)",
                 (unsigned)uid, asked);
        return -1;
    }
    *strategy = asked;
    *operator_ = op;
    return 0;
}
