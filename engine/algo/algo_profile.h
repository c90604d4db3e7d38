/* VWAP volume profiles by time of day (orders.algo_vwap_profile): a text
 * file of lines "SYMBOL HH:MM VOLUME" (UTC minute of the day, the volume
 * the instrument usually trades in that minute, in its base units, e.g.
 * "BTCUSDT 10:00 12.5"; decimals past the quantity's precision are cut;
 * '#' starts a comment). Made from history: the
 * average of past days' 1-minute bars (tools/vwap_profile.py reads them
 * from InfluxDB). A minute not listed is 0. Cold: read once at start. */
#ifndef TF_ENGINE_ALGO_PROFILE_H
#define TF_ENGINE_ALGO_PROFILE_H

#include <stdint.h>

#include "engine/md/instruments.h"
#include "lib/algo/algo.h"

/* Per instrument, TF_ALGO_DAY_MINUTES volumes in qty units (NULL: none). */
typedef struct tf_algo_day_profiles {
    int64_t *day[TF_MAX_INSTRUMENTS];
} tf_algo_day_profiles;

/* Read path (a line naming an unknown symbol, a bad time or a bad volume
 * is refused with its line number). 0, or -1 with TF_ERR. */
int tf_algo_profiles_load(tf_algo_day_profiles *p, const char *path, const tf_instruments *ins);
void tf_algo_profiles_free(tf_algo_day_profiles *p);

#endif
