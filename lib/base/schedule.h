/* A daily FIX session schedule, as QuickFIX's StartTime / EndTime /
 * TimeZone: the session opens at start and closes at end, both local times
 * of the zone.
 *   start <  end  within one local day (09:00 -> 17:00);
 *   start >  end  across midnight, belonging to the day it opens
 *                 (17:00 -> 16:55 the next day);
 *   start == end  continuous: one session ends and the next (new session,
 *                 sequence numbers reset) begins at that time every day.
 * A session is the half-open interval [open, close) in UTC; local times are
 * mapped with the zone's offsets (tzif.h), so DST days are 23 or 25 hours.
 * A local time skipped by a DST jump opens/closes at the jump; a repeated
 * one at its first occurrence. All instants are UTC nanoseconds since the
 * epoch. No allocation, no global state: safe from any thread on a parsed
 * schedule. */
#ifndef TF_BASE_SCHEDULE_H
#define TF_BASE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/tzif.h"

typedef struct tf_schedule {
    bool enabled;          /* false (e.g. a zeroed schedule): always in session */
    uint32_t start_s;      /* seconds of the local day, 0..86399 */
    uint32_t end_s;        /* seconds of the local day, 0..86399 */
    tf_tz tz;
} tf_schedule;

/* start and end as "HH:MM" or "HH:MM:SS" (two digits each, 24-hour), zone
 * as tf_tz_load takes it (NULL or "" is UTC). Returns 0 with s enabled, or
 * -1 with a message naming the bad value and s disabled. */
int tf_schedule_parse(tf_schedule *s, const char *start, const char *end, const char *zone, char *err,
                      size_t errlen);

/* Whether wall_ns is inside a session (always, when disabled). */
bool tf_schedule_in_session(const tf_schedule *s, uint64_t wall_ns);

/* When the session holding wall_ns opened; outside sessions, when the last
 * one before wall_ns opened. 0 when disabled (or before 1970). */
uint64_t tf_schedule_session_start(const tf_schedule *s, uint64_t wall_ns);

/* The first session boundary (an open or a close) strictly after wall_ns;
 * UINT64_MAX when disabled. */
uint64_t tf_schedule_next_change(const tf_schedule *s, uint64_t wall_ns);

#endif
