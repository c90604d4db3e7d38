/* TZif time zones (lib/base/tzif.h). Only the transitions and their UTC
 * offsets are kept; abbreviations, isdst and the std/wall indicators do not
 * change which instant a local time is. The POSIX TZ footer is not parsed:
 * Debian's tzdata ships "fat" files with explicit transitions up to 2037, so
 * the last transition's offset holds after it. A "slim" file (DST only in the
 * footer) is refused at load rather than answering with winter time forever. */
#include "lib/base/tzif.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZIF_HEADER_LEN 44
#define TZIF_FILE_MAX   (256 * 1024) /* the largest real zone file is under 4 KiB */
#define TZIF_MAX_TYPES  256          /* a transition's type index is one byte */
/* A fat file has transitions to 2037; a DST zone ending before 2030-01-01 is slim. */
#define TZIF_FAT_HORIZON_S 1893456000

#define FAIL(...)                               \
    do {                                        \
        snprintf(err, errlen, __VA_ARGS__);     \
        return -1;                              \
    } while (0)

typedef struct tzif_header {
    char version; /* 0 for v1, '2', '3', '4' ... */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_header;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p) { return (uint64_t)be32(p) << 32 | be32(p + 4); }

static void set_utc(tf_tz *tz, const char *name)
{
    snprintf(tz->name, sizeof tz->name, "%s", name && *name ? name : "UTC");
    tz->initial_offset_s = 0;
    tz->count = 0;
}

static int read_header(const uint8_t *b, size_t len, size_t at, tzif_header *h)
{
    if (len < at || len - at < TZIF_HEADER_LEN || memcmp(b + at, "TZif", 4) != 0)
        return -1;
    const uint8_t *p = b + at;
    h->version = (char)p[4];
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return 0;
}

/* Bytes of the data block after a header; 64-bit sums cannot overflow from
 * 32-bit counts. */
static uint64_t block_len(const tzif_header *h, unsigned time_size)
{
    return (uint64_t)h->timecnt * time_size + h->timecnt + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

/* Fills tz from the data block at b[at..len) described by h. */
static int parse_block(tf_tz *tz, const uint8_t *b, size_t len, size_t at, const tzif_header *h,
                       unsigned time_size, char *err, size_t errlen)
{
    const char *name = tz->name;
    if (block_len(h, time_size) > len - at)
        FAIL("time zone \"%s\": malformed (data past the end of the file)", name);
    if (h->typecnt == 0 || h->typecnt > TZIF_MAX_TYPES || h->charcnt == 0 ||
        (h->isutcnt && h->isutcnt != h->typecnt) || (h->isstdcnt && h->isstdcnt != h->typecnt))
        FAIL("time zone \"%s\": malformed (bad counts in the header)", name);
    if (h->leapcnt)
        FAIL("time zone \"%s\": leap-second zones (right/...) are not supported", name);
    if (h->timecnt > TF_TZ_MAX_TRANSITIONS)
        FAIL("time zone \"%s\": %u transitions, more than %d", name, h->timecnt, TF_TZ_MAX_TRANSITIONS);

    const uint8_t *times = b + at;
    const uint8_t *indices = times + (size_t)h->timecnt * time_size;
    const uint8_t *types = indices + h->timecnt;
    int32_t offsets[TZIF_MAX_TYPES];
    for (uint32_t t = 0; t < h->typecnt; t++) {
        const uint8_t *ti = types + 6 * t;
        int32_t off = (int32_t)be32(ti);
        if (off < -TF_TZ_MAX_OFFSET_S || off > TF_TZ_MAX_OFFSET_S || ti[4] > 1 || ti[5] >= h->charcnt)
            FAIL("time zone \"%s\": malformed (local time type %u)", name, t);
        offsets[t] = off;
    }
    /* Type 0 covers the time before the first transition (RFC 8536 3.2). */
    tz->initial_offset_s = offsets[0];
    for (uint32_t i = 0; i < h->timecnt; i++) {
        const uint8_t *p = times + (size_t)i * time_size;
        int64_t t = time_size == 8 ? (int64_t)be64(p) : (int32_t)be32(p);
        if (i && t <= tz->at_s[i - 1])
            FAIL("time zone \"%s\": malformed (transitions out of order)", name);
        if (indices[i] >= h->typecnt)
            FAIL("time zone \"%s\": malformed (transition %u names type %u of %u)", name, i, indices[i],
                 h->typecnt);
        tz->at_s[i] = t;
        tz->offset_s[i] = offsets[indices[i]];
    }
    tz->count = h->timecnt;
    return 0;
}

/* "UTC+HH:MM" / "UTC-HH:MM", exactly. */
static int parse_fixed_offset(tf_tz *tz, const char *name, char *err, size_t errlen)
{
    const char *p = name + 3;
    bool digits = strlen(p) == 6 && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
                  p[3] == ':' && p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9';
    int hours = digits ? (p[1] - '0') * 10 + (p[2] - '0') : 0;
    int minutes = digits ? (p[4] - '0') * 10 + (p[5] - '0') : 0;
    if (!digits || hours > 23 || minutes > 59)
        FAIL("time zone \"%s\": a fixed offset is UTC+HH:MM or UTC-HH:MM (HH 00..23, MM 00..59)", name);
    set_utc(tz, name);
    tz->initial_offset_s = (p[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
    return 0;
}

/* Zone names are relative paths of tzdata's own characters: nothing that
 * could leave the zone directory. */
static bool zone_name_ok(const char *name)
{
    size_t n = strnlen(name, TF_TZ_NAME_MAX);
    if (n == TF_TZ_NAME_MAX || name[0] == '/' || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
              c == '_' || c == '-' || c == '+' || c == '.'))
            return false;
    }
    return true;
}

/* The whole file into a malloc'd buffer (freed by the caller). */
static uint8_t *read_zone_file(const char *path, const char *name, size_t *len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            snprintf(err, errlen, "time zone \"%s\": unknown (no %s)", name, path);
        else
            snprintf(err, errlen, "time zone \"%s\": cannot open %s: %s", name, path, strerror(errno));
        return NULL;
    }
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "time zone \"%s\": unknown (%s is not a zone file)", name, path);
    } else if (st.st_size > TZIF_FILE_MAX) {
        snprintf(err, errlen, "time zone \"%s\": %s is larger than %d bytes; not a zone file", name, path,
                 TZIF_FILE_MAX);
    } else if (!(buf = malloc((size_t)st.st_size + 1))) {
        snprintf(err, errlen, "time zone \"%s\": out of memory", name);
    } else {
        size_t got = 0;
        ssize_t r = 1;
        while (got < (size_t)st.st_size && (r = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
            got += (size_t)r;
        if (r < 0) {
            snprintf(err, errlen, "time zone \"%s\": cannot read %s: %s", name, path, strerror(errno));
            free(buf);
            buf = NULL;
        }
        *len = got; /* a file that shrank reads as truncated below */
    }
    close(fd);
    return buf;
}

/* The footer of a v2+ file is "\n<POSIX TZ>\n"; a ',' there means DST rules. */
static bool footer_has_dst_rules(const uint8_t *b, size_t len, size_t at)
{
    if (at >= len || b[at] != '\n')
        return false;
    const uint8_t *end = memchr(b + at + 1, '\n', len - at - 1);
    return end && memchr(b + at + 1, ',', (size_t)(end - (b + at + 1))) != NULL;
}

static int parse_tzif(tf_tz *tz, const uint8_t *b, size_t len, char *err, size_t errlen)
{
    tzif_header h;
    if (read_header(b, len, 0, &h) != 0)
        FAIL("time zone \"%s\": malformed (not a TZif file)", tz->name);
    size_t at = TZIF_HEADER_LEN;
    if (h.version == 0)
        return parse_block(tz, b, len, at, &h, 4, err, errlen);
    /* v2+: skip the 32-bit block to the 64-bit one after a second header. */
    uint64_t v1_len = block_len(&h, 4);
    if (v1_len > len - at || read_header(b, len, at + (size_t)v1_len, &h) != 0)
        FAIL("time zone \"%s\": malformed (no 64-bit data after the version 1 block)", tz->name);
    at += (size_t)v1_len + TZIF_HEADER_LEN;
    if (parse_block(tz, b, len, at, &h, 8, err, errlen) != 0)
        return -1;
    if (footer_has_dst_rules(b, len, at + (size_t)block_len(&h, 8)) &&
        (tz->count == 0 || tz->at_s[tz->count - 1] < TZIF_FAT_HORIZON_S))
        FAIL("time zone \"%s\": slim zone file (DST rules only in its POSIX footer); fat tzdata needed",
             tz->name);
    return 0;
}

int tf_tz_load_dir(tf_tz *tz, const char *dir, const char *name, char *err, size_t errlen)
{
    if (!name)
        name = "";
    set_utc(tz, "");
    if (!*name || strcmp(name, "UTC") == 0)
        return 0;
    if (strncmp(name, "UTC+", 4) == 0 || strncmp(name, "UTC-", 4) == 0)
        return parse_fixed_offset(tz, name, err, errlen);
    if (!zone_name_ok(name))
        FAIL("time zone \"%.*s\": not a zone name (letters, digits, '/', '_', '-', '+', '.'; "
             "no leading '/', no '..', under %d characters)",
             TF_TZ_NAME_MAX, name, TF_TZ_NAME_MAX);
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        FAIL("time zone \"%s\": path under %s too long", name, dir);
    size_t len = 0;
    uint8_t *buf = read_zone_file(path, name, &len, err, errlen);
    if (!buf)
        return -1;
    snprintf(tz->name, sizeof tz->name, "%s", name);
    int rc = parse_tzif(tz, buf, len, err, errlen);
    free(buf);
    if (rc != 0)
        set_utc(tz, "");
    return rc;
}

int tf_tz_load(tf_tz *tz, const char *name, char *err, size_t errlen)
{
    return tf_tz_load_dir(tz, TF_TZ_DIR, name, err, errlen);
}

/* How many transitions are at or before utc_s. */
static uint32_t transitions_until(const tf_tz *tz, int64_t utc_s)
{
    uint32_t lo = 0, hi = tz->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tz->at_s[mid] <= utc_s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int32_t tf_tz_offset_s(const tf_tz *tz, int64_t utc_s)
{
    uint32_t k = transitions_until(tz, utc_s);
    return k ? tz->offset_s[k - 1] : tz->initial_offset_s;
}

/* u + offset(u) rises with u between transitions and jumps at them; the
 * answer is the first u where it reaches local_s. Nothing before
 * local_s - TF_TZ_MAX_OFFSET_S can, so the walk starts in the stretch
 * holding that instant and stops within a day or two of stretches. */
int64_t tf_tz_utc_of_local(const tf_tz *tz, int64_t local_s)
{
    /* Far beyond any calendar; keeps the subtractions below from overflowing. */
    const int64_t limit = INT64_C(1) << 61;
    if (local_s > limit)
        local_s = limit;
    if (local_s < -limit)
        local_s = -limit;
    for (uint32_t k = transitions_until(tz, local_s - TF_TZ_MAX_OFFSET_S);; k++) {
        int32_t off = k ? tz->offset_s[k - 1] : tz->initial_offset_s;
        int64_t u = local_s - off;
        if (k && u < tz->at_s[k - 1])
            u = tz->at_s[k - 1]; /* skipped by a jump: the jump's instant */
        if (k == tz->count || u < tz->at_s[k])
            return u;
    }
}

/* Howard Hinnant's days_from_civil: 400-year eras of 146097 days, years
 * starting in March so the leap day is last. */
int64_t tf_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}
