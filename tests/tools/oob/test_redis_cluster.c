/* Redis Cluster routing (tools/oob/redis_cluster.h): hash slots as the
 * cluster specification computes them (the specification's CRC16 check
 * value, and CLUSTER KEYSLOT's answers), the hash-tag rules, and the
 * exporters' keys of one instrument sharing a slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tools/oob/redis_cluster.h"
#include "tools/oob/redis_cmds.h"

static uint16_t slot(const char *k) { return rcl_slot(k, strlen(k)); }

static void test_slots_as_redis_computes_them(void **state)
{
    (void)state;
    assert_int_equal(slot("123456789"), 0x31C3 & 16383); /* CRC16/XMODEM check value */
    assert_int_equal(slot("somekey"), 11058);            /* CLUSTER KEYSLOT, Redis documentation */
    assert_int_equal(slot("foo{hash_tag}"), 2515);
    assert_int_equal(slot("{hash_tag}"), 2515);
    assert_int_equal(slot(""), 0);
}

static void test_hash_tag_rules(void **state)
{
    (void)state;
    /* The first '{' and the next '}': the part between, when not empty. */
    assert_int_equal(slot("{user1000}.following"), slot("{user1000}.followers"));
    assert_int_equal(slot("foo{}{bar}"), rcl_slot("foo{}{bar}", 10)); /* empty tag: the whole key */
    assert_int_not_equal(slot("foo{}{bar}"), slot("bar"));
    assert_int_equal(slot("foo{{bar}}zap"), slot("{bar"));
    assert_int_equal(slot("foo{bar}{zap}"), slot("bar"));
    assert_int_equal(slot("no{close"), rcl_slot("no{close", 8));
}

static void test_an_instruments_keys_share_a_slot(void **state)
{
    (void)state;
    char a[RC_KEY_MAX], b[RC_KEY_MAX], c[RC_KEY_MAX], d[RC_KEY_MAX];
    redis_key(a, sizeof a, "md:bars", "prod", "binance", "BTCUSDT", ":1m");
    redis_key(b, sizeof b, "positions", "prod", "binance", "BTCUSDT", NULL);
    redis_key(c, sizeof c, "md:bars", "prod", "binance", "ETHUSDT", ":1m");
    redis_key(d, sizeof d, "md:bars", "paper", "binance", "BTCUSDT", ":1m");
    assert_string_equal(a, "md:bars:{prod:binance:BTCUSDT}:1m");
    assert_int_equal(slot(a), slot(b));
    assert_int_equal(slot(a), slot("{prod:binance:BTCUSDT}"));
    /* Other instruments and instances hash on their own tags. */
    assert_int_equal(slot(c), slot("prod:binance:ETHUSDT"));
    assert_int_equal(slot(d), slot("paper:binance:BTCUSDT"));
}

static void test_redirections(void **state)
{
    (void)state;
    assert_true(rcl_redirected("MOVED 3999 127.0.0.1:6381"));
    assert_true(rcl_redirected("ASK 3999 127.0.0.1:6381"));
    assert_false(rcl_redirected("ERR The ID specified in XADD is equal or smaller"));
    assert_false(rcl_redirected("MOVEDX"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots_as_redis_computes_them),
        cmocka_unit_test(test_hash_tag_rules),
        cmocka_unit_test(test_an_instruments_keys_share_a_slot),
        cmocka_unit_test(test_redirections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
