/* The engine's least privilege (see privilege.h). */
#include "engine/runtime/privilege.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "shm/err.h"

static const cap_value_t kept[] = {CAP_SYS_NICE, CAP_IPC_LOCK};
#define NKEPT ((int)(sizeof kept / sizeof *kept))

static int is_kept(cap_value_t c)
{
    for (int i = 0; i < NKEPT; i++)
        if (kept[i] == c)
            return 1;
    return 0;
}

/* The process holds exactly the kept capabilities, effective and
 * permitted, none inheritable, none other in the bounding set. */
static int check_caps(void)
{
    cap_t now = cap_get_proc();
    if (!now)
        return TF_ERR("cap_get_proc: %s", strerror(errno));
    int bad = 0;
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
        cap_flag_value_t e = CAP_CLEAR, p = CAP_CLEAR, i = CAP_CLEAR;
        cap_get_flag(now, c, CAP_EFFECTIVE, &e);
        cap_get_flag(now, c, CAP_PERMITTED, &p);
        cap_get_flag(now, c, CAP_INHERITABLE, &i);
        int want = is_kept(c);
        if ((e == CAP_SET) != want || (p == CAP_SET) != want || i == CAP_SET ||
            (!want && CAP_IS_SUPPORTED(c) && cap_get_bound(c) == 1))
            bad = 1;
    }
    cap_free(now);
    return bad ? TF_ERR("capabilities: more than CAP_SYS_NICE and CAP_IPC_LOCK remain") : 0;
}

int tf_become_user(const char *name)
{
    struct passwd *pw = getpwnam(name);
    if (!pw)
        return TF_ERR("user %s: no such user", name);
    if (geteuid() != 0) {
        if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
            return 0;
        return TF_ERR("user %s: running as uid %u, not root: cannot become %s (start it as root or as %s)", name,
                      (unsigned)geteuid(), name, name);
    }
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    /* The bounding set first: dropping from it needs CAP_SETPCAP, which
     * root has now and the user will not. */
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
        if (!is_kept(c) && CAP_IS_SUPPORTED(c) && cap_drop_bound(c) != 0)
            return TF_ERR("dropping capability %d from the bounding set: %s", (int)c, strerror(errno));
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || initgroups(name, gid) != 0 || setresgid(gid, gid, gid) != 0 ||
        setresuid(uid, uid, uid) != 0)
        return TF_ERR("becoming %s (uid %u): %s", name, (unsigned)uid, strerror(errno));
    cap_t caps = cap_init(); /* all clear */
    int rc = !caps || cap_set_flag(caps, CAP_PERMITTED, NKEPT, kept, CAP_SET) != 0 ||
             cap_set_flag(caps, CAP_EFFECTIVE, NKEPT, kept, CAP_SET) != 0 || cap_set_proc(caps) != 0;
    if (caps)
        cap_free(caps);
    if (rc)
        return TF_ERR("keeping CAP_SYS_NICE and CAP_IPC_LOCK as %s: %s", name, strerror(errno));
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0 || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return TF_ERR("prctl: %s", strerror(errno));
    /* Trust the result, not the calls: back to root must be impossible. */
    if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid || setuid(0) == 0)
        return TF_ERR("becoming %s did not hold", name);
    return check_caps();
}
