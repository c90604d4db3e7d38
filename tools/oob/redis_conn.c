#include "tools/oob/redis_conn.h"

#include <stdio.h>
#include <sys/time.h>

/* One setup command; 0 ok, -1 connection gone, -2 refused (reason in err). */
static int setup(redisContext *c, redisReply *r, const char *what, char *err, size_t errlen)
{
    if (!r) {
        snprintf(err, errlen, "%s: %s", what, c->errstr[0] ? c->errstr : "no answer");
        return -1;
    }
    int rc = r->type == REDIS_REPLY_ERROR ? -2 : 0;
    if (rc)
        snprintf(err, errlen, "%s refused: %s", what, r->str);
    freeReplyObject(r);
    return rc;
}

int oob_redis_connect(const tf_cfg_redis *rc, const char *password, uint64_t timeout_ns, redisContext **out,
                     char *err, size_t errlen)
{
    struct timeval tv = {.tv_sec = (time_t)(timeout_ns / 1000000000u),
                         .tv_usec = (suseconds_t)(timeout_ns % 1000000000u / 1000u)};
    *out = NULL;
    redisContext *c = redisConnectWithTimeout(rc->host, (int)rc->port, tv);
    if (!c || c->err) {
        snprintf(err, errlen, "cannot connect to %s:%u: %s", rc->host, rc->port, c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return -1;
    }
    redisSetTimeout(c, tv);
    int r = 0;
    if (password[0])
        r = setup(c,
                  rc->username[0] ? redisCommand(c, "AUTH %s %s", rc->username, password)
                                  : redisCommand(c, "AUTH %s", password),
                  "AUTH", err, errlen);
    /* NOAUTH on SELECT means a password is needed: a configuration error too. */
    if (r == 0)
        r = setup(c, redisCommand(c, "SELECT %u", rc->db), "SELECT", err, errlen);
    if (r != 0) {
        redisFree(c);
        return r;
    }
    *out = c;
    return 0;
}
