/* tfctl's parent-order commands (algo_cmd.c): build a request from the
 * command line, checked here first by the algorithm's own rules
 * (lib/algo), so a mistake is named in full before anything is sent. */
#ifndef TF_TFCTL_ALGO_CMD_H
#define TF_TFCTL_ALGO_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "include/tradefan/client.h"

/* `algo twap|vwap|pov|iceberg SYMBOL buy|sell QTY [--option VALUE]...`,
 * `algo pause|resume|cancel ID`, `algo amend ID [--qty Q] [--limit P]
 * [--end SECONDS_FROM_NOW]`. Sends it: the request id, or 0 with why in err. */
uint64_t tfctl_algo_request(tfc *c, int na, char **a, char *err, size_t cap);
/* `parents`: the parents running, with their progress. 0, or 1 without an algo stage. */
int tfctl_list_parents(tfc *c);
extern const char tfctl_algo_usage[];

#endif
