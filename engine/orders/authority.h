/* Who may do what, from the operating system's identities (the door,
 * shm/door.h, gives the uid and gid of whoever knocks):
 * - operators: the engine's own user, root, risk.operator_user and the
 *   members of risk.operator_group. They may use any known strategy
 *   (strategy 0 is theirs alone) and send the operator's requests (limits,
 *   the kill switch, the trading state, resolutions, session resets).
 * - traders: a configured strategy's `user` and its `group`'s members may
 *   trade that strategy, and nothing else.
 * - anyone else: no lane at all. Reading the segments (tfstat) is the
 *   file mode's business (shm.mode), and gives no right to trade.
 * Names are resolved once, at start; an unknown one refuses the start. */
#ifndef TF_ENGINE_AUTHORITY_H
#define TF_ENGINE_AUTHORITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/conf/config.h"
#include "shm/orders.h"

typedef struct tf_identity {
    bool any_user, any_group;
    uid_t uid;
    gid_t gid;
} tf_identity;

typedef struct tf_authority {
    uid_t engine_uid;
    tf_identity operators;
    bool known[TF_MAX_STRATEGIES];
    tf_identity traders[TF_MAX_STRATEGIES];
} tf_authority;

/* Cold: 0, or -1 with TF_ERR naming an unknown user or group. */
int tf_authority_init(tf_authority *a, const tf_config *cfg);
bool tf_authority_is_operator(const tf_authority *a, uid_t uid, gid_t gid);
/* The door's policy (tf_door_policy; ctx = the tf_authority). */
int tf_authority_admit(void *ctx, uid_t uid, gid_t gid, pid_t pid, uint32_t asked, uint32_t *strategy,
                       bool *operator_, char *why, size_t why_len);

#endif
