/* tfconsole's operator actions, through the client library as strategy 0:
 * the engine's door checks this process's uid (an operator: the engine's
 * user, root, risk.operator_user or group), exactly as it does tfctl's. */
#ifndef TF_TOOLS_CONSOLE_OPS_H
#define TF_TOOLS_CONSOLE_OPS_H

#include <stddef.h>

#include "lib/conf/config.h"

/* Do action `name` ("kill" with arg "1"/"0", "state" with ACTIVE/REDUCING/
 * HALTED, "cancel-all"); the engine's answer as JSON in body. Returns the
 * HTTP status (200 answered, 400 bad action or argument, 409 refused by the
 * engine, 503 no engine or no answer). */
int ops_do(const tf_config *cfg, const char *name, const char *arg, char *body, size_t cap);
void ops_close(void);

#endif
