/* libFuzzer target: arbitrary bytes as the YAML config (tf_config_parse).
 * Every input is refused with a positioned message or accepted; nothing
 * crashes, over-reads (the copy is exactly the input's size) or loops.
 * An accepted config's strings are NUL-terminated within their fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static tf_config cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    char err[512];
    int rc = tf_config_parse(copy, size, "fuzz.yaml", 4, &cfg, err, sizeof err);
    if (rc != 0 && rc != -1)
        abort();
    if (rc == -1 && (!err[0] || strncmp(err, "fuzz.yaml:", 10) != 0))
        abort(); /* a refusal always says where */
    if (rc == 0 && (memchr(cfg.instance, 0, sizeof cfg.instance) == NULL ||
                    memchr(cfg.shm_dir, 0, sizeof cfg.shm_dir) == NULL ||
                    memchr(cfg.exchange.key_file, 0, sizeof cfg.exchange.key_file) == NULL ||
                    (cfg.shm_mode & 0022) != 0))
        abort();
    free(copy);
    return 0;
}
