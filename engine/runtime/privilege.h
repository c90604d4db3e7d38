/* The engine's least privilege: started as root (systemd, the
 * supervisor), it becomes its service user before it creates anything,
 * keeping only the two capabilities its work needs: CAP_SYS_NICE
 * (SCHED_FIFO threads, CPU pinning beyond its own) and CAP_IPC_LOCK
 * (mlockall beyond RLIMIT_MEMLOCK).
 *
 * PROMISES
 * - tf_become_user(NAME) as root: the user's uid, gid and groups; every
 *   other capability gone from the effective, permitted, inheritable and
 *   bounding sets; no ambient ones; no_new_privs set (nothing it could
 *   exec gains privilege). Checked after the change: -1 if any of it did
 *   not hold (the engine then refuses to start).
 * - Not root: 0 when it already runs as NAME (nothing to drop), else -1
 *   saying it cannot become NAME.
 * - An unknown user: -1 naming it. */
#ifndef TF_ENGINE_RUNTIME_PRIVILEGE_H
#define TF_ENGINE_RUNTIME_PRIVILEGE_H

int tf_become_user(const char *name);

#endif
