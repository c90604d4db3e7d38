/* lib/base: time zones from TZif files (tzif.h) and the daily FIX session
 * schedule (schedule.h). Expected instants are literals from
 * `date -u -d '2026-03-08 07:00' +%s` (and TZ=America/New_York date) on a
 * Debian tzdata 2025b machine, not recomputed by the code under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/base/schedule.h"
#include "lib/base/tzif.h"

#define NS(s) ((uint64_t)(s) * 1000000000ull)

static char err[256];

static void assert_parse_fails(const char *start, const char *end, const char *zone, const char *needle)
{
    tf_schedule s;
    err[0] = 0;
    assert_int_equal(tf_schedule_parse(&s, start, end, zone, err, sizeof err), -1);
    assert_false(s.enabled);
    if (!strstr(err, needle))
        fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
}

static void test_parse_errors(void **state)
{
    (void)state;
    assert_parse_fails("25:00", "17:00", "UTC", "start time \"25:00\": hour must be 00..23");
    assert_parse_fails("09:00", "12:60", "UTC", "end time \"12:60\": minute must be 00..59");
    assert_parse_fails("09:00", "12:00:60", "UTC", "second must be 00..59");
    assert_parse_fails("1:2:3x", "17:00", "UTC", "start time \"1:2:3x\": expected HH:MM or HH:MM:SS");
    assert_parse_fails("9:00", "17:00", "UTC", "\"9:00\"");
    assert_parse_fails("09:00:00x", "17:00", "UTC", "expected HH:MM");
    assert_parse_fails("09:00", "", "UTC", "end time \"\"");
    assert_parse_fails("09:00", NULL, "UTC", "end time missing");
    assert_parse_fails("09:00", "17:00", "Mars/Olympus_Mons", "\"Mars/Olympus_Mons\": unknown");
    assert_parse_fails("09:00", "17:00", "../etc/passwd", "not a zone name");
    assert_parse_fails("09:00", "17:00", "America/../../etc/passwd", "not a zone name");
    assert_parse_fails("09:00", "17:00", "/etc/passwd", "not a zone name");
    assert_parse_fails("09:00", "17:00", "America/New York", "not a zone name");
    assert_parse_fails("09:00", "17:00", "America", "not a zone file");
    assert_parse_fails("09:00", "17:00", "UTC+5", "UTC+HH:MM");
    assert_parse_fails("09:00", "17:00", "UTC+24:00", "UTC+HH:MM");

    tf_schedule s;
    assert_int_equal(tf_schedule_parse(&s, "09:00:30", "23:59:59", "America/New_York", err, sizeof err), 0);
    assert_true(s.enabled);
    assert_int_equal(s.start_s, 9 * 3600 + 30);
    assert_int_equal(s.end_s, 86399);
}

static void test_offsets(void **state)
{
    (void)state;
    tf_tz tz;
    assert_int_equal(tf_tz_load(&tz, "America/New_York", err, sizeof err), 0);
    assert_int_equal(tf_tz_offset_s(&tz, 1768478400), -18000); /* 2026-01-15 12:00 UTC */
    assert_int_equal(tf_tz_offset_s(&tz, 1784116800), -14400); /* 2026-07-15 12:00 UTC */
    /* 2026-03-08 07:00 UTC is 02:00 EST -> 03:00 EDT; 11-01 06:00 UTC back. */
    assert_int_equal(tf_tz_offset_s(&tz, 1772953199), -18000);
    assert_int_equal(tf_tz_offset_s(&tz, 1772953200), -14400);
    assert_int_equal(tf_tz_offset_s(&tz, 1793512799), -14400);
    assert_int_equal(tf_tz_offset_s(&tz, 1793512800), -18000);
    assert_int_equal(tf_tz_offset_s(&tz, -3000000000), -17762); /* LMT before 1883 */

    assert_int_equal(tf_tz_load(&tz, "Europe/London", err, sizeof err), 0);
    assert_int_equal(tf_tz_offset_s(&tz, 1768478400), 0);
    assert_int_equal(tf_tz_offset_s(&tz, 1784116800), 3600);
    assert_int_equal(tf_tz_offset_s(&tz, 1774745999), 0); /* 2026-03-29 01:00 UTC */
    assert_int_equal(tf_tz_offset_s(&tz, 1774746000), 3600);
    assert_int_equal(tf_tz_offset_s(&tz, 1792889999), 3600); /* 2026-10-25 01:00 UTC */
    assert_int_equal(tf_tz_offset_s(&tz, 1792890000), 0);

    /* Tokyo's last transition is in 1951: its offset holds after it. */
    assert_int_equal(tf_tz_load(&tz, "Asia/Tokyo", err, sizeof err), 0);
    assert_int_equal(tf_tz_offset_s(&tz, 1784116800), 32400);

    assert_int_equal(tf_tz_load(&tz, "UTC", err, sizeof err), 0);
    assert_int_equal(tf_tz_offset_s(&tz, 1784116800), 0);
    assert_int_equal(tf_tz_load(&tz, "", err, sizeof err), 0);
    assert_string_equal(tz.name, "UTC");
    assert_int_equal(tf_tz_load(&tz, "UTC+08:00", err, sizeof err), 0);
    assert_int_equal(tf_tz_offset_s(&tz, 1784116800), 28800);
    assert_int_equal(tf_tz_load(&tz, "UTC-05:30", err, sizeof err), 0);
    assert_int_equal(tf_tz_offset_s(&tz, 1784116800), -19800);
    assert_int_equal(tf_tz_utc_of_local(&tz, 0), 19800);
}

static void test_local_to_utc(void **state)
{
    (void)state;
    tf_tz tz;
    assert_int_equal(tf_tz_load(&tz, "America/New_York", err, sizeof err), 0);
    int64_t mar8 = 20520 * INT64_C(86400), nov1 = (20520 + 238) * INT64_C(86400);
    /* 01:59:59 EST exists; 02:30 is skipped: the jump's instant, 07:00 UTC. */
    assert_int_equal(tf_tz_utc_of_local(&tz, mar8 + 7199), 1772953199);
    assert_int_equal(tf_tz_utc_of_local(&tz, mar8 + 9000), 1772953200);
    assert_int_equal(tf_tz_utc_of_local(&tz, mar8 + 10800), 1772953200); /* 03:00 EDT */
    /* 01:30 happens twice on 11-01: the first, EDT, 05:30 UTC. */
    assert_int_equal(tf_tz_utc_of_local(&tz, nov1 + 5400), 1793511000);
    assert_int_equal(tf_tz_utc_of_local(&tz, nov1 + 7200), 1793512800 + 3600); /* 02:00 EST */

    /* Every quarter hour of 2026 in two zones: either the first instant
     * showing that local time, or the instant of the jump over it. */
    const char *zones[] = {"America/New_York", "Europe/London"};
    for (int z = 0; z < 2; z++) {
        assert_int_equal(tf_tz_load(&tz, zones[z], err, sizeof err), 0);
        int gaps = 0;
        for (int64_t local = 20454 * INT64_C(86400); local < 20819 * INT64_C(86400); local += 900) {
            int64_t u = tf_tz_utc_of_local(&tz, local);
            if (u + tf_tz_offset_s(&tz, u) == local) {
                for (int64_t back = 900; back <= 7200; back += 900)
                    assert_int_not_equal(u - back + tf_tz_offset_s(&tz, u - back), local);
            } else {
                gaps++;
                assert_true(u - 1 + tf_tz_offset_s(&tz, u - 1) < local);
                assert_true(u + tf_tz_offset_s(&tz, u) > local);
            }
        }
        assert_int_equal(gaps, 4); /* 01:00 (London) or 02:00 (NY), :15, :30, :45 */
    }
}

static void test_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(tf_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tf_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(tf_days_from_civil(2026, 3, 8), 20520);
    assert_int_equal(tf_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(tf_days_from_civil(1600, 3, 1), -135080);
    assert_int_equal(tf_days_from_civil(2400, 12, 31), 157419);
}

/* A TZif image of one made-up zone: +1 h (type 0), at t=1000 -2 h (type 1),
 * at t=2000 +1 h again. Version 0 keeps it in the 32-bit block; otherwise an
 * empty 32-bit block comes first and the data sits in the 64-bit one. */
typedef struct tzif_image {
    uint8_t b[512];
    size_t n;
    size_t header, times, indices, types; /* of the block the data is in */
} tzif_image;

static void put(tzif_image *m, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--)
        m->b[m->n++] = (uint8_t)(v >> (8 * i));
}

static void put_header(tzif_image *m, char version, uint32_t timecnt, uint32_t typecnt, uint32_t charcnt)
{
    m->header = m->n;
    memcpy(m->b + m->n, "TZif", 4);
    m->n += 4;
    m->b[m->n++] = (uint8_t)version;
    memset(m->b + m->n, 0, 15);
    m->n += 15;
    put(m, 0, 4); /* isutcnt */
    put(m, 0, 4); /* isstdcnt */
    put(m, 0, 4); /* leapcnt */
    put(m, timecnt, 4);
    put(m, typecnt, 4);
    put(m, charcnt, 4);
}

static void build_tzif(tzif_image *m, char version, const char *footer)
{
    memset(m, 0, sizeof *m);
    int time_size = version ? 8 : 4;
    if (version) {
        put_header(m, version, 0, 1, 1);
        put(m, 0, 4 + 1 + 1); /* one type: offset 0 */
        put(m, 0, 1);         /* "" */
    }
    put_header(m, version, 2, 2, 4);
    m->times = m->n;
    put(m, 1000, time_size);
    put(m, 2000, time_size);
    m->indices = m->n;
    put(m, 1, 1);
    put(m, 0, 1);
    m->types = m->n;
    put(m, 3600, 4); /* utoff, isdst, desigidx */
    put(m, 0, 1);
    put(m, 0, 1);
    put(m, (uint32_t)-7200, 4);
    put(m, 1, 1);
    put(m, 2, 1);
    memcpy(m->b + m->n, "A\0B\0", 4);
    m->n += 4;
    if (footer) {
        memcpy(m->b + m->n, footer, strlen(footer));
        m->n += strlen(footer);
    }
}

static char tmpdir[64];

static int load_image(const tzif_image *m, tf_tz *tz)
{
    char path[128];
    snprintf(path, sizeof path, "%s/Zone", tmpdir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(m->b, 1, m->n, f), m->n);
    assert_int_equal(fclose(f), 0);
    err[0] = 0;
    return tf_tz_load_dir(tz, tmpdir, "Zone", err, sizeof err);
}

static void assert_image_fails(const tzif_image *m, const char *needle)
{
    tf_tz tz;
    assert_int_equal(load_image(m, &tz), -1);
    if (!strstr(err, needle))
        fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
    assert_int_equal(tz.count, 0); /* left as UTC, not half-filled */
}

static void test_tzif_files(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tf_tzif_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    tf_tz tz;
    tzif_image m;

    for (int v = 0; v < 2; v++) {
        build_tzif(&m, v ? '2' : 0, v ? "\nA-1\n" : NULL);
        assert_int_equal(load_image(&m, &tz), 0);
        assert_int_equal(tz.count, 2);
        assert_int_equal(tf_tz_offset_s(&tz, 999), 3600);
        assert_int_equal(tf_tz_offset_s(&tz, 1000), -7200);
        assert_int_equal(tf_tz_offset_s(&tz, 1999), -7200);
        assert_int_equal(tf_tz_offset_s(&tz, 2000), 3600);
        assert_int_equal(tf_tz_offset_s(&tz, INT64_MAX), 3600);
    }

    build_tzif(&m, '2', "\nA-1\n");
    m.b[0] = 'X';
    assert_image_fails(&m, "not a TZif file");

    build_tzif(&m, '2', "\nA-1\n");
    m.n = m.types + 3;
    assert_image_fails(&m, "past the end");

    build_tzif(&m, '2', "\nA-1\n");
    memset(m.b + m.header + 32, 0xff, 4); /* timecnt 2^32-1 */
    assert_image_fails(&m, "past the end");

    build_tzif(&m, 0, NULL);
    m.n = 30;
    assert_image_fails(&m, "not a TZif file");

    build_tzif(&m, '2', "\nA-1\n");
    m.b[m.indices] = 2; /* only types 0 and 1 */
    assert_image_fails(&m, "transition 0 names type 2 of 2");

    build_tzif(&m, '2', "\nA-1\n");
    m.b[m.times + 15] = 0xe8 - 0x10; /* 2000 -> 984, before 1000 */
    m.b[m.times + 14] = 0x03;
    assert_image_fails(&m, "out of order");

    build_tzif(&m, '2', "\nA-1\n");
    m.b[m.types + 6] = 0x7f; /* type 1's offset far past 26 h */
    assert_image_fails(&m, "local time type 1");

    build_tzif(&m, '2', "\nA-1\n");
    memset(m.b + m.header + 36, 0, 4); /* typecnt 0 */
    assert_image_fails(&m, "bad counts");

    build_tzif(&m, '2', "\nA-1\n");
    m.b[m.header + 31] = 1; /* one leap second record, with its 12 bytes */
    m.n += 12;
    assert_image_fails(&m, "leap-second");

    /* DST rules only in the footer: answering from transitions would be wrong. */
    build_tzif(&m, '2', "\nA-1B,M3.2.0,M11.1.0\n");
    assert_image_fails(&m, "slim zone file");

    char path[128];
    snprintf(path, sizeof path, "%s/Zone", tmpdir);
    unlink(path);
    assert_int_equal(tf_tz_load_dir(&tz, tmpdir, "Zone", err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown"));
    assert_int_equal(rmdir(tmpdir), 0);
}

static void assert_position(const tf_schedule *s, uint64_t wall_ns, bool inside, int64_t start_s, int64_t next_s)
{
    if (tf_schedule_in_session(s, wall_ns) != inside)
        fail_msg("at %llu ns: in_session should be %d", (unsigned long long)wall_ns, inside);
    assert_int_equal(tf_schedule_session_start(s, wall_ns), NS(start_s));
    assert_int_equal(tf_schedule_next_change(s, wall_ns), NS(next_s));
}

static void test_day_session_utc(void **state)
{
    (void)state;
    tf_schedule s;
    assert_int_equal(tf_schedule_parse(&s, "09:00", "17:00", "UTC", err, sizeof err), 0);
    const int64_t mar9_0900 = 1773046800, mar10_0900 = 1773133200, mar10_1200 = 1773144000,
                  mar10_1700 = 1773162000, mar11_0900 = 1773219600;
    assert_position(&s, NS(mar10_0900) - 1, false, mar9_0900, mar10_0900);
    assert_position(&s, NS(mar10_0900), true, mar10_0900, mar10_1700);
    assert_position(&s, NS(mar10_1200), true, mar10_0900, mar10_1700);
    assert_position(&s, NS(mar10_1700) - 1, true, mar10_0900, mar10_1700);
    assert_position(&s, NS(mar10_1700), false, mar10_0900, mar11_0900);
    assert_position(&s, NS(mar10_1700) + 500000000, false, mar10_0900, mar11_0900);
}

/* 17:00 -> 16:55 New York, the FX week's daily break, over both 2026 DST
 * changes: the session is 22:55 long on 03-08 and 24:55 on 11-01. */
static void test_overnight_session_new_york_dst(void **state)
{
    (void)state;
    tf_schedule s;
    assert_int_equal(tf_schedule_parse(&s, "17:00", "16:55", "America/New_York", err, sizeof err), 0);
    const int64_t mar6_1700 = 1772834400;  /* EST, 22:00 UTC */
    const int64_t mar7_1655 = 1772920500;  /* EST, 21:55 UTC */
    const int64_t mar7_1700 = 1772920800;  /* EST, 22:00 UTC */
    const int64_t mar8_0159 = 1772953199;  /* 01:59:59 EST, a second before the jump */
    const int64_t mar8_1655 = 1773003300;  /* EDT, 20:55 UTC */
    const int64_t mar8_1700 = 1773003600;  /* EDT, 21:00 UTC */
    const int64_t mar9_1655 = 1773089700;  /* EDT, 20:55 UTC */
    assert_position(&s, NS(mar7_1655) - 1, true, mar6_1700, mar7_1655);
    assert_position(&s, NS(mar7_1655), false, mar6_1700, mar7_1700);
    assert_position(&s, NS(mar7_1700), true, mar7_1700, mar8_1655);
    assert_position(&s, NS(mar8_0159), true, mar7_1700, mar8_1655);
    assert_position(&s, NS(mar8_0159 + 1), true, mar7_1700, mar8_1655);
    assert_position(&s, NS(mar8_1655 + 120), false, mar7_1700, mar8_1700);
    assert_position(&s, NS(mar8_1700), true, mar8_1700, mar9_1655);

    const int64_t oct31_1700 = 1793480400; /* EDT, 21:00 UTC */
    const int64_t nov1_0130_edt = 1793511000, nov1_0130_est = 1793514600;
    const int64_t nov1_1655 = 1793570100;  /* EST, 21:55 UTC */
    const int64_t nov1_1700 = 1793570400;  /* EST, 22:00 UTC */
    assert_position(&s, NS(oct31_1700), true, oct31_1700, nov1_1655);
    assert_position(&s, NS(nov1_0130_edt), true, oct31_1700, nov1_1655);
    assert_position(&s, NS(nov1_0130_est), true, oct31_1700, nov1_1655);
    assert_position(&s, NS(nov1_1655), false, oct31_1700, nov1_1700);
    assert_position(&s, NS(nov1_1700) - 1, false, oct31_1700, nov1_1700);
    assert_position(&s, NS(nov1_1700), true, nov1_1700, nov1_1700 + 86400 - 300);
}

static void test_continuous_session(void **state)
{
    (void)state;
    tf_schedule s;
    assert_int_equal(tf_schedule_parse(&s, "00:00", "00:00:00", "UTC", err, sizeof err), 0);
    const int64_t mar9 = 1773014400, mar10 = 1773100800, mar11 = 1773187200;
    assert_position(&s, NS(mar10) - 1, true, mar9, mar10);
    assert_position(&s, NS(mar10), true, mar10, mar11);
    assert_position(&s, NS(1773144000), true, mar10, mar11); /* 12:00 */

    /* 17:00 New York every day: the restart moves in UTC with DST. */
    assert_int_equal(tf_schedule_parse(&s, "17:00", "17:00", "America/New_York", err, sizeof err), 0);
    assert_position(&s, NS(1772953200), true, 1772920800, 1773003600);
    assert_position(&s, NS(1773003600), true, 1773003600, 1773003600 + 86400);
}

/* 02:00 -> 02:30 New York does not exist on 2026-03-08: no session that day. */
static void test_session_lost_in_dst_gap(void **state)
{
    (void)state;
    tf_schedule s;
    assert_int_equal(tf_schedule_parse(&s, "02:00", "02:30", "America/New_York", err, sizeof err), 0);
    const int64_t mar7_0200 = 1772866800, mar9_0200 = 1773036000;
    assert_position(&s, NS(1772953200), false, mar7_0200, mar9_0200);
    /* 03-07 03:00 EST: the next open is two local days ahead. */
    assert_position(&s, NS(1772870400), false, mar7_0200, mar9_0200);
    /* 03-09 01:00 EDT: the last open was two local days back. */
    assert_position(&s, NS(1773032400), false, mar7_0200, mar9_0200);
    assert_position(&s, NS(mar9_0200), true, mar9_0200, mar9_0200 + 1800);
}

static void test_disabled(void **state)
{
    (void)state;
    tf_schedule s;
    memset(&s, 0, sizeof s);
    assert_true(tf_schedule_in_session(&s, NS(1773162000)));
    assert_int_equal(tf_schedule_session_start(&s, NS(1773162000)), 0);
    assert_int_equal(tf_schedule_next_change(&s, NS(1773162000)), UINT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_local_to_utc),
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_tzif_files),
        cmocka_unit_test(test_day_session_utc),
        cmocka_unit_test(test_overnight_session_new_york_dst),
        cmocka_unit_test(test_continuous_session),
        cmocka_unit_test(test_session_lost_in_dst_gap),
        cmocka_unit_test(test_disabled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
