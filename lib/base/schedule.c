/* Daily FIX session schedule (lib/base/schedule.h). */
#include "lib/base/schedule.h"

#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000ull
#define DAY_S    86400

/* "HH:MM" or "HH:MM:SS" into seconds of the day; what names the field. */
static int parse_time_of_day(const char *what, const char *text, uint32_t *out, char *err, size_t errlen)
{
    if (!text) {
        snprintf(err, errlen, "%s time missing", what);
        return -1;
    }
    size_t n = strnlen(text, 9);
    bool shape = n == 5 || n == 8;
    for (size_t i = 0; shape && i < n; i++)
        shape = i % 3 == 2 ? text[i] == ':' : text[i] >= '0' && text[i] <= '9';
    if (!shape) {
        snprintf(err, errlen, "%s time \"%.16s\": expected HH:MM or HH:MM:SS", what, text);
        return -1;
    }
    unsigned field[3] = {0, 0, 0};
    for (size_t f = 0; f < n / 3 + 1; f++)
        field[f] = (unsigned)(text[3 * f] - '0') * 10 + (unsigned)(text[3 * f + 1] - '0');
    const char *bad = field[0] > 23 ? "hour must be 00..23"
                      : field[1] > 59 ? "minute must be 00..59"
                      : field[2] > 59 ? "second must be 00..59"
                                      : NULL;
    if (bad) {
        snprintf(err, errlen, "%s time \"%s\": %s", what, text, bad);
        return -1;
    }
    *out = field[0] * 3600 + field[1] * 60 + field[2];
    return 0;
}

int tf_schedule_parse(tf_schedule *s, const char *start, const char *end, const char *zone, char *err,
                      size_t errlen)
{
    s->enabled = false;
    if (parse_time_of_day("start", start, &s->start_s, err, errlen) != 0 ||
        parse_time_of_day("end", end, &s->end_s, err, errlen) != 0 ||
        tf_tz_load(&s->tz, zone, err, errlen) != 0)
        return -1;
    s->enabled = true;
    return 0;
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b < 0); }

/* The session opening on local day `day` (days since 1970-01-01 local), in
 * UTC seconds. */
typedef struct window {
    int64_t open_s, close_s;
} window;

static window window_of_day(const tf_schedule *s, int64_t day)
{
    int64_t midnight = day * DAY_S;
    int64_t close_local = midnight + s->end_s + (s->end_s > s->start_s ? 0 : DAY_S);
    return (window){tf_tz_utc_of_local(&s->tz, midnight + s->start_s),
                    tf_tz_utc_of_local(&s->tz, close_local)};
}

/* Where an instant stands: the last open at or before it, whether its
 * session is still on, and the first boundary after it. */
typedef struct position {
    int64_t open_s;
    bool inside;
    int64_t next_s;
} position;

/* Boundaries are whole seconds, so comparing them with floor(wall_ns / 1 s)
 * decides the same as comparing with wall_ns. */
static position locate(const tf_schedule *s, uint64_t wall_ns)
{
    int64_t wall_s = (int64_t)(wall_ns / NS_PER_S);
    int64_t today = floor_div(wall_s + tf_tz_offset_s(&s->tz, wall_s), DAY_S);
    position p = {INT64_MIN, false, INT64_MAX};
    /* The session holding wall_s opened today or yesterday, the next one
     * opens tomorrow; two days either side also cover a session lost in a DST
     * gap and clocks set back across midnight. Windows never overlap: local
     * opens and closes are ordered and the local -> UTC mapping keeps order. */
    for (int64_t day = today - 2; day <= today + 2; day++) {
        window w = window_of_day(s, day);
        if (w.open_s >= w.close_s)
            continue; /* wholly inside a DST gap: no session that day */
        if (w.open_s <= wall_s && w.open_s > p.open_s) {
            p.open_s = w.open_s;
            p.inside = wall_s < w.close_s;
        }
        if (w.open_s > wall_s && w.open_s < p.next_s)
            p.next_s = w.open_s;
        if (w.close_s > wall_s && w.close_s < p.next_s)
            p.next_s = w.close_s;
    }
    return p;
}

static uint64_t ns_of(int64_t utc_s)
{
    if (utc_s < 0)
        return 0;
    if ((uint64_t)utc_s > UINT64_MAX / NS_PER_S)
        return UINT64_MAX;
    return (uint64_t)utc_s * NS_PER_S;
}

bool tf_schedule_in_session(const tf_schedule *s, uint64_t wall_ns)
{
    return !s->enabled || locate(s, wall_ns).inside;
}

uint64_t tf_schedule_session_start(const tf_schedule *s, uint64_t wall_ns)
{
    return s->enabled ? ns_of(locate(s, wall_ns).open_s) : 0;
}

uint64_t tf_schedule_next_change(const tf_schedule *s, uint64_t wall_ns)
{
    return s->enabled ? ns_of(locate(s, wall_ns).next_s) : UINT64_MAX;
}
