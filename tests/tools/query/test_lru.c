/* tfquery's answer cache (tools/query/lru.h): a hit returns a copy of the
 * body with its status, an entry expires at its time, the least recently
 * used goes first when the memory limit is reached, an answer over a
 * quarter of the limit is not cached, and a key is stored once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tools/query/lru.h"

/* What one entry costs beyond its key and body: learned from the cache. */
static size_t overhead(void)
{
    lru c;
    assert_int_equal(lru_init(&c, 1u << 20), 0);
    lru_put(&c, "k", "body", 4, 200, 10);
    size_t o = c.bytes - (1 + 1 + 4);
    lru_free(&c);
    assert_true(o > 0 && o < 1024);
    return o;
}

static void test_put_get(void **state)
{
    (void)state;
    lru c;
    assert_int_equal(lru_init(&c, 1u << 20), 0);
    char body[] = "{\"bars\":[1,2,3]}";
    lru_put(&c, "/v1/bars?symbol=BTCUSDT", body, strlen(body), 200, 1000);
    body[0] = 'X'; /* the cache holds its own copy */
    size_t len = 0;
    int status = 0;
    const char *got = lru_get(&c, "/v1/bars?symbol=BTCUSDT", 999, &len, &status);
    assert_non_null(got);
    assert_int_equal(len, 16);
    assert_memory_equal(got, "{\"bars\":[1,2,3]}", 16);
    assert_int_equal(got[len], 0); /* NUL-terminated too */
    assert_int_equal(status, 200);
    assert_int_equal(c.hits, 1);
    assert_int_equal(c.misses, 0);
    /* Keys are compared whole. */
    assert_null(lru_get(&c, "/v1/bars?symbol=BTCUSD", 0, &len, &status));
    assert_null(lru_get(&c, "/v1/bars?symbol=BTCUSDTX", 0, &len, &status));
    assert_int_equal(c.misses, 2);
    assert_int_equal(c.hits, 1);
    /* A status other than 200 and an empty body are cached as they are. */
    lru_put(&c, "/nope", "", 0, 404, 1000);
    got = lru_get(&c, "/nope", 0, &len, &status);
    assert_non_null(got);
    assert_int_equal(len, 0);
    assert_int_equal(status, 404);
    lru_free(&c);
    assert_null(c.buckets);
    assert_int_equal(c.bytes, 0);
}

static void test_expiry(void **state)
{
    (void)state;
    lru c;
    assert_int_equal(lru_init(&c, 1u << 20), 0);
    lru_put(&c, "a", "1", 1, 200, 5000);
    size_t len;
    int status;
    assert_non_null(lru_get(&c, "a", 4999, &len, &status));
    assert_null(lru_get(&c, "a", 5000, &len, &status)); /* expired at its time */
    assert_int_equal(c.bytes, 0);                      /* and dropped */
    assert_null(c.head);
    assert_int_equal(c.misses, 1);
    assert_int_equal(c.evictions, 0);                  /* expiry is not an eviction */
    assert_null(lru_get(&c, "a", 0, &len, &status));   /* gone for good */
    lru_free(&c);
}

static void test_same_key_replaces(void **state)
{
    (void)state;
    lru c;
    assert_int_equal(lru_init(&c, 1u << 20), 0);
    lru_put(&c, "q", "old", 3, 200, 100);
    size_t one = c.bytes;
    lru_put(&c, "q", "newer", 5, 503, 200);
    assert_int_equal(c.bytes, one + 2); /* one entry, the longer body */
    size_t len;
    int status;
    const char *got = lru_get(&c, "q", 150, &len, &status);
    assert_non_null(got);
    assert_int_equal(len, 5);
    assert_memory_equal(got, "newer", 5);
    assert_int_equal(status, 503);
    assert_ptr_equal(c.head, c.tail);   /* a single entry in the list */
    assert_int_equal(c.evictions, 0);
    lru_free(&c);
}

static void test_least_recently_used_goes_first(void **state)
{
    (void)state;
    size_t each = overhead() + 3 + 10; /* key "k?" (2 + NUL), body 10 */
    lru c;
    assert_int_equal(lru_init(&c, each * 4), 0); /* 4 fit; each is exactly a quarter */
    const char *keys[] = {"ka", "kb", "kc", "kd"};
    for (int i = 0; i < 4; i++)
        lru_put(&c, keys[i], "0123456789", 10, 200, 1000);
    assert_int_equal(c.bytes, each * 4);
    assert_int_equal(c.evictions, 0);
    size_t len;
    int status;
    assert_non_null(lru_get(&c, "ka", 0, &len, &status)); /* ka is now the most recent */
    lru_put(&c, "ke", "0123456789", 10, 200, 1000);      /* kb, the oldest, goes */
    assert_int_equal(c.evictions, 1);
    assert_int_equal(c.bytes, each * 4);
    assert_null(lru_get(&c, "kb", 0, &len, &status));
    assert_non_null(lru_get(&c, "kc", 0, &len, &status));
    assert_non_null(lru_get(&c, "ka", 0, &len, &status));
    assert_non_null(lru_get(&c, "kd", 0, &len, &status));
    assert_non_null(lru_get(&c, "ke", 0, &len, &status));
    /* Order now, most recent first: ke kd ka kc. Two more push out kc, then ka. */
    lru_put(&c, "kf", "0123456789", 10, 200, 1000);
    assert_null(lru_get(&c, "kc", 0, &len, &status));
    lru_put(&c, "kg", "0123456789", 10, 200, 1000);
    assert_null(lru_get(&c, "ka", 0, &len, &status));
    assert_non_null(lru_get(&c, "kd", 0, &len, &status));
    assert_int_equal(c.evictions, 3);
    lru_free(&c);
}

static void test_too_big_is_not_cached(void **state)
{
    (void)state;
    size_t o = overhead();
    lru c;
    size_t limit = 4 * (o + 3 + 100);
    assert_int_equal(lru_init(&c, limit), 0);
    char body[128];
    memset(body, 'x', sizeof body);
    lru_put(&c, "k1", body, 100, 200, 1000);  /* exactly a quarter: kept */
    assert_int_equal(c.bytes, o + 3 + 100);
    lru_put(&c, "k2", body, 101, 200, 1000);  /* one byte over: not cached */
    assert_int_equal(c.bytes, o + 3 + 100);
    size_t len;
    int status;
    assert_null(lru_get(&c, "k2", 0, &len, &status));
    assert_non_null(lru_get(&c, "k1", 0, &len, &status));
    assert_int_equal(c.evictions, 0);         /* and nothing was evicted for it */
    /* A newer answer too big to keep still retires the older one of its key. */
    lru_put(&c, "k1", body, 101, 200, 1000);
    assert_null(lru_get(&c, "k1", 0, &len, &status));
    assert_int_equal(c.bytes, 0);
    lru_free(&c);

    /* A cache with no room caches nothing. */
    assert_int_equal(lru_init(&c, 0), 0);
    lru_put(&c, "k", "v", 1, 200, 1000);
    assert_int_equal(c.bytes, 0);
    assert_null(lru_get(&c, "k", 0, &len, &status));
    lru_free(&c);
}

/* Far more keys than buckets: chains hold them all, each found by its key. */
static void test_many_keys(void **state)
{
    (void)state;
    lru c;
    assert_int_equal(lru_init(&c, 64u << 20), 0);
    char key[32], body[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "/v1/trades?n=%d", i);
        int n = snprintf(body, sizeof body, "[%d]", i);
        lru_put(&c, key, body, (size_t)n, 200 + i % 3, 1000);
    }
    assert_int_equal(c.evictions, 0);
    for (int i = 19999; i >= 0; i--) {
        snprintf(key, sizeof key, "/v1/trades?n=%d", i);
        int n = snprintf(body, sizeof body, "[%d]", i);
        size_t len;
        int status;
        const char *got = lru_get(&c, key, 0, &len, &status);
        if (!got)
            fail_msg("key %s lost", key);
        assert_int_equal(len, (size_t)n);
        assert_memory_equal(got, body, len);
        assert_int_equal(status, 200 + i % 3);
    }
    assert_int_equal(c.hits, 20000);
    lru_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_same_key_replaces),
        cmocka_unit_test(test_least_recently_used_goes_first),
        cmocka_unit_test(test_too_big_is_not_cached),
        cmocka_unit_test(test_many_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
