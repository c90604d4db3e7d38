/* IANA time zones read from TZif files (RFC 8536), so session times can be
 * given in a venue's local time without mktime/localtime: those go through
 * the process-wide TZ, and the engine is multithreaded. Loading reads the
 * file once into a fixed-size tf_tz; lookups allocate nothing and are safe
 * from any thread on a loaded zone. Cold path (load), warm path (lookup). */
#ifndef TF_BASE_TZIF_H
#define TF_BASE_TZIF_H

#include <stddef.h>
#include <stdint.h>

#define TF_TZ_DIR             "/usr/share/zoneinfo"
#define TF_TZ_MAX_TRANSITIONS 2048 /* the largest zone in tzdata has under 400 */
#define TF_TZ_NAME_MAX        64
/* RFC 8536 keeps offsets within -25 h .. +26 h; anything further is malformed. */
#define TF_TZ_MAX_OFFSET_S 93600

typedef struct tf_tz {
    char name[TF_TZ_NAME_MAX];    /* as given, for messages ("UTC" when empty) */
    int32_t initial_offset_s;     /* before the first transition */
    uint32_t count;               /* transitions used in at_s / offset_s */
    int64_t at_s[TF_TZ_MAX_TRANSITIONS];     /* UTC seconds, strictly ascending */
    int32_t offset_s[TF_TZ_MAX_TRANSITIONS]; /* UTC offset from at_s[i] on */
} tf_tz;

/* Loads a zone: "" or "UTC" (no file needed), a fixed offset "UTC+08:00" /
 * "UTC-05:30" (ISO sign: local = UTC + offset), or an IANA name such as
 * "America/New_York" read from TF_TZ_DIR. Returns 0, or -1 with a message in
 * err naming the zone (bad name, unknown zone, unreadable, malformed). */
int tf_tz_load(tf_tz *tz, const char *name, char *err, size_t errlen);

/* The same with the zone files under dir (tests, other tzdata copies). */
int tf_tz_load_dir(tf_tz *tz, const char *dir, const char *name, char *err, size_t errlen);

/* The UTC offset in seconds in effect at utc_s (local = UTC + offset). */
int32_t tf_tz_offset_s(const tf_tz *tz, int64_t utc_s);

/* The UTC instant of a local wall time given as seconds since 1970-01-01
 * 00:00 local. A local time skipped by a forward jump gives the instant of
 * the jump (the first one after it); a repeated one gives its first
 * occurrence. */
int64_t tf_tz_utc_of_local(const tf_tz *tz, int64_t local_s);

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1..12, d 1..31). */
int64_t tf_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
