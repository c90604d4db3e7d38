/* VWAP volume profiles by time of day (see algo_profile.h). */
#include "engine/algo/algo_profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/err.h"
#include "shm/fixed.h"

int tf_algo_profiles_load(tf_algo_day_profiles *p, const char *path, const tf_instruments *ins)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "r");
    if (!f)
        return TF_ERR("orders.algo_vwap_profile %s: %s", path, strerror(errno));
    char line[256];
    unsigned n = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        n++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char sym[32], hm[16], vol[64];
        int got = sscanf(line, "%31s %15s %63s", sym, hm, vol);
        if (got <= 0)
            continue; /* blank or a comment */
        unsigned h, m;
        char extra;
        const tf_instrument *in = got == 3 ? tf_instruments_find(ins, sym, strlen(sym)) : NULL;
        int64_t units;
        /* An average has more decimals than a quantity: the rest is cut (an estimate). */
        char *dot = got == 3 && in ? strchr(vol, '.') : NULL;
        if (dot && strlen(dot + 1) > in->qty_precision)
            dot[1 + in->qty_precision] = 0;
        if (got != 3) {
            rc = TF_ERR("%s:%u: want SYMBOL HH:MM VOLUME", path, n);
        } else if (!in) {
            rc = TF_ERR("%s:%u: %s is not an instrument of this engine", path, n, sym);
        } else if (sscanf(hm, "%u:%u%c", &h, &m, &extra) != 2 || h > 23 || m > 59) {
            rc = TF_ERR("%s:%u: time %s is not HH:MM (UTC)", path, n, hm);
        } else if (tf_fixed_parse(vol, strlen(vol), in->qty_precision, &units) != TF_FIXED_OK || units < 0) {
            rc = TF_ERR("%s:%u: volume %s is not a non-negative decimal", path, n, vol);
        } else {
            uint32_t i = (uint32_t)(in - ins->items);
            if (!p->day[i] && !(p->day[i] = calloc(TF_ALGO_DAY_MINUTES, sizeof(int64_t))))
                rc = TF_ERR("out of memory");
            else
                p->day[i][h * 60 + m] = units;
        }
    }
    fclose(f);
    if (rc != 0)
        tf_algo_profiles_free(p);
    return rc;
}

void tf_algo_profiles_free(tf_algo_day_profiles *p)
{
    for (uint32_t i = 0; i < TF_MAX_INSTRUMENTS; i++) {
        free(p->day[i]);
        p->day[i] = NULL;
    }
}
