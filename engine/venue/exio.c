/* The exchange I/O stage: sessions, connections and the duty cycle (see
 * exio.h). Each cycle: hand reports to the OMS, reap io_uring completions
 * into the sessions, run session timers, reconnect what is down (backoff),
 * take venue commands while a session can carry them, and submit the
 * sends. The top of the exio files (see exio_internal.h): it calls down
 * into exio_orders.c (the translation between venue commands / execution
 * reports and FIX messages), exio_reconcile.c, exio_table.c, exio_logon.c
 * and exio_out.c; none of them calls back up. Called from the stage's
 * thread only (init and free: cold, from the engine's). */
#include "engine/venue/exio.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/venue/exio_logon.h"
#include "engine/venue/exio_orders.h"
#include "engine/venue/exio_out.h"
#include "engine/venue/exio_reconcile.h"
#include "engine/venue/exio_table.h"
#include "shm/common.h"
#include "shm/err.h"

/* ---- sessions and connections --------------------------------------------- */

/* At most once a millisecond: the stats lines are read by other processes,
 * and writing them every duty cycle would keep pulling them back. */
static void publish_health(const tf_exio *x, tf_exio_session *s, uint64_t mono)
{
    if (mono - s->health_mono < 1000000)
        return;
    s->health_mono = mono;
    tf_fix_session *f = &s->fix;
    tf_store_64(s->g_state, f->state);
    tf_store_64(s->g_heartbeat_age_ms, f->state == TF_FIX_ACTIVE ? (mono - f->last_in) / 1000000 : 0);
    *s->c_msgs_out = f->c.msgs_out;
    *s->c_msgs_in = f->c.msgs_in;
    *s->c_rejects = f->c.rejects_in + f->c.business_rejects_in;
    *s->c_garbled = f->c.garbled;
    *s->c_resends = f->c.resend_requests_in + f->c.resend_requests_out;
    *s->c_stale = f->c.stale_not_resent;
    *s->c_seq_resets = f->c.seq_resets;
    s->status.state = (uint8_t)f->state;
    s->status.halted = s->halted;
    s->status.reconciling = s->reconcile_pending != 0;
    s->status.unknown_orders = x->g_unknown ? (uint32_t)*x->g_unknown : 0;
    s->status.next_in = f->store.seq->next_in;
    if (s->status_slot)
        tf_state_write(s->status_slot, &s->status, sizeof s->status, mono);
}

/* The session's problem in words, for tfstat (cold: a session going down). */
static void set_problem(tf_exio *x, tf_exio_session *s, const char *what, const char *text)
{
    int n = snprintf(s->status.problem, sizeof s->status.problem, "%.40s", what ? what : "");
    if (text && text[0] && n >= 0 && (size_t)n < sizeof s->status.problem - 3)
        snprintf(s->status.problem + n, sizeof s->status.problem - (size_t)n, "%s%.62s", n ? ": " : "", text);
    s->status.problem_realtime_ns = x->wall;
    s->health_mono = 0; /* published at once */
}

/* A session-level Reject from the venue (a field or tag it refuses): its
 * words go to the session's problem, as a refused Logon's do. */
static void note_reject(tf_exio *x, tf_exio_session *s)
{
    if (s->fix.c.rejects_in == s->rejects_seen)
        return;
    s->rejects_seen = s->fix.c.rejects_in;
    set_problem(x, s, "session Reject", s->fix.reject_text);
}

static void set_halted(tf_exio *x, tf_exio_session *s, bool on)
{
    if (s->halted != on)
        tf_counter_inc(x->g_halted, on ? 1 : (uint64_t)-1);
    s->halted = on;
}

static void schedule_reconnect(tf_exio *x, tf_exio_session *s)
{
    s->next_connect_mono = x->mono + tf_backoff_next(&s->backoff);
}

/* The connection is gone (error, EOF, or the session asked to close). */
static void session_down(tf_exio *x, tf_exio_session *s, int res)
{
    tf_fix_close why = s->fix.close;
    if (x->net.conns[s->index].state != TF_NET_CLOSED)
        tf_net_close(&x->net, s->index);
    bool was_up = s->fix.state != TF_FIX_DISCONNECTED;
    tf_fix_session_disconnected(&s->fix);
    if (x->tls)
        tf_tls_stop(&s->tls);
    s->reconcile_deadline = 0;
    s->reconcile_pending = 0;
    tf__exio_session_lost(x, s);
    const char *name = why != TF_FIX_CLOSE_NONE ? tf_fix_close_names[why] : res == 0 ? "peer_closed" : "io_error";
    if (was_up)
        tf__exio_error(x, TF_E_FIX_DISCONNECT, s->index, name);
    /* The venue reset its numbers without saying so: retrying would only
     * burn them, so the session waits for an operator or the schedule. */
    if (why == TF_FIX_CLOSE_LOGON_SEQ_LOW) {
        set_halted(x, s, true);
        tf__exio_error(x, TF_E_FIX_SEQ_RESET, s->index, "venue_seq_reset");
        set_problem(x, s, NULL, s->fix.close_text); /* `halted` says the rest */
    } else if (why == TF_FIX_CLOSE_LOGON_REFUSED) {
        tf__exio_error(x, TF_E_FIX_LOGON_REFUSED, s->index, "logon_refused");
        set_problem(x, s, "logon refused", s->fix.close_text);
        s->rejects_seen = s->fix.c.rejects_in; /* a Reject of the Logon is said here already */
    } else if (was_up) {
        set_problem(x, s, name, s->fix.close_text);
    }
    s->fix.close = TF_FIX_CLOSE_NONE;
    if (s->reset_requested) { /* an operator's reset: numbers back to 1, connect now */
        s->reset_requested = false;
        tf_fix_session_reset_seq(&s->fix);
        set_halted(x, s, false);
        set_problem(x, s, "sequence numbers reset by an operator", NULL);
        s->next_connect_mono = x->mono;
        tf_backoff_reset(&s->backoff);
        return;
    }
    if (!x->stopping)
        schedule_reconnect(x, s);
}

/* An operator asked for a reset (exio_orders.c set reset_requested): log
 * out, or drop a connection not logged on; session_down does the reset. */
static void reset_if_asked(tf_exio *x, tf_exio_session *s)
{
    if (!s->reset_requested || s->fix.state == TF_FIX_LOGOUT_SENT)
        return;
    if (s->fix.state == TF_FIX_ACTIVE)
        tf_fix_session_logout(&s->fix, "sequence reset");
    else if (x->net.conns[s->index].state != TF_NET_CLOSED && s->fix.close == TF_FIX_CLOSE_NONE)
        s->fix.close = TF_FIX_CLOSE_LOGOUT_DONE; /* nothing to say to it: close */
    else if (x->net.conns[s->index].state == TF_NET_CLOSED)
        session_down(x, s, 0);
}

/* exchange.schedule (cold: at most at each boundary): outside the hours the
 * sessions log out and stay down; a session day that began after a store's
 * numbers were started begins them again at 1, with the flag. */
static void schedule_tick(tf_exio *x)
{
    if (!x->schedule || x->wall < x->schedule_next)
        return;
    bool in = tf_schedule_in_session(x->schedule, x->wall);
    uint64_t start = tf_schedule_session_start(x->schedule, x->wall);
    x->schedule_next = tf_schedule_next_change(x->schedule, x->wall);
    for (uint32_t i = 0; i < x->session_count; i++) {
        tf_exio_session *s = &x->sessions[i];
        s->status.in_schedule = in;
        bool new_day = s->fix.store.seq->created_realtime_ns < start;
        if (!in || new_day) {
            if (s->fix.state == TF_FIX_ACTIVE) {
                tf__exio_error(x, TF_E_FIX_OUT_OF_SCHEDULE, i, "end_of_session");
                tf_fix_session_logout(&s->fix, "end of session");
            }
        }
        if (in && new_day && s->fix.state == TF_FIX_DISCONNECTED) {
            tf_fix_session_reset_seq(&s->fix); /* its Logon carries ResetSeqNumFlag=Y */
            set_halted(x, s, false);
            set_problem(x, s, "new session: sequence numbers begin at 1", NULL);
        } else if (in && new_day) {
            x->schedule_next = x->wall; /* again once it is down */
        }
        if (!in && s->fix.state != TF_FIX_DISCONNECTED && s->fix.state != TF_FIX_ACTIVE &&
            s->fix.state != TF_FIX_LOGOUT_SENT)
            x->schedule_next = x->wall; /* logging on as the hours ended: out once it is on */
    }
    x->in_session = in;
}

static void on_plain(void *ctx, const char *p, size_t n)
{
    tf_exio_session *s = ctx;
    tf_fix_session_on_bytes(&s->fix, p, n);
}

static void on_net(void *ctx, uint32_t conn, tf_net_event ev, int res, const char *data, size_t len)
{
    tf_exio *x = ctx;
    tf_exio_session *s = &x->sessions[conn];
    switch (ev) {
    case TF_NET_EV_CONNECTED:
        tf_counter_inc(s->c_reconnects, 1);
        s->connected_mono = x->mono;
        tf_fix_session_clock(&s->fix, x->mono, x->wall);
        if (!x->tls) {
            tf_fix_session_connected(&s->fix);
        } else if (tf_tls_start(&s->tls, &x->tls_ctx) != 0) {
            tf__exio_error(x, TF_E_FIX_CONNECT, s->tls.last_error, "tls_start");
            session_down(x, s, -EPROTO);
        }
        return;
    case TF_NET_EV_DATA:
        tf_fix_session_clock(&s->fix, x->mono, x->wall);
        if (!x->tls) {
            tf_fix_session_on_bytes(&s->fix, data, len);
            return;
        }
        bool was_ready = tf_tls_ready(&s->tls);
        if (tf_tls_feed(&s->tls, data, len, on_plain, s) != 0) {
            tf__exio_error(x, TF_E_FIX_CONNECT, s->tls.last_error, was_ready ? "tls_closed" : "tls_handshake");
            session_down(x, s, -EPROTO);
            return;
        }
        if (!was_ready && tf_tls_ready(&s->tls))
            tf_fix_session_connected(&s->fix); /* the Logon goes out now, encrypted */
        return;
    case TF_NET_EV_SENT:
        if (x->tls)
            tf_tls_cipher_done(&s->tls, (size_t)res);
        else
            tf_fix_session_out_done(&s->fix, (size_t)res);
        return;
    case TF_NET_EV_CLOSED:
        if (s->fix.state == TF_FIX_DISCONNECTED)
            tf__exio_error(x, TF_E_FIX_CONNECT, (uint64_t)-res, "connect");
        session_down(x, s, res);
        return;
    }
}

static void connect_due(tf_exio *x, tf_exio_session *s)
{
    if (x->net.conns[s->index].state != TF_NET_CLOSED || x->mono < s->next_connect_mono || x->stopping ||
        s->halted || !x->in_session)
        return;
    if (tf_net_connect(&x->net, s->index, &x->addr, (uint32_t)(x->cfg->exchange.connect_timeout_ns / 1000000)) != 0) {
        tf__exio_error(x, TF_E_FIX_CONNECT, (uint64_t)errno, "socket");
        schedule_reconnect(x, s);
    }
}

/* Session state changes: a Logon starts reconciliation; the backoff resets. */
static void on_state(void *ctx, tf_fix_session *f, tf_fix_state old)
{
    tf_exio_session *s = ctx;
    tf_exio *x = s->owner;
    (void)old;
    if (f->state == TF_FIX_ACTIVE) {
        tf_backoff_reset(&s->backoff);
        tf__exio_reconcile_start(x, s);
    }
}

static int on_app(void *ctx, tf_fix_session *f, const tf_fix_msg *m)
{
    tf_exio_session *s = ctx;
    (void)f;
    return tf__exio_on_message(s->owner, s, m);
}

static void logon_fields(void *ctx, tf_fix_session *f, tf_fix_writer *w)
{
    tf_exio_session *s = ctx;
    (void)f;
    tf__exio_logon_fields(s->owner, s, w);
}

static const tf_fix_session_ops exio_ops = {
    .on_app = on_app, .on_state = on_state, .logon_fields = logon_fields};

bool tf_exio_session_ready(const tf_exio *x, uint32_t i)
{
    return i < x->session_count && tf__exio_ready(&x->sessions[i]);
}

/* ---- the duty cycle --------------------------------------------------------- */

/* Bytes of this session not yet on the wire (plaintext, or ciphertext). */
static bool out_pending(tf_exio *x, tf_exio_session *s)
{
    return tf_fix_session_out_pending(&s->fix) || (x->tls && s->tls.coff < s->tls.clen);
}

static void send_pending(tf_exio *x)
{
    for (uint32_t i = 0; i < x->session_count; i++) {
        tf_exio_session *s = &x->sessions[i];
        const char *p;
        size_t n;
        if (x->tls) { /* plaintext into TLS at once; ciphertext out one send at a time */
            while (tf_tls_ready(&s->tls) && (n = tf_fix_session_out_peek(&s->fix, &p)) > 0) {
                if (tf_tls_write(&s->tls, p, n) != 0)
                    break;
                tf_fix_session_out_done(&s->fix, n);
            }
            if (tf_net_can_send(&x->net, i) && (n = tf_tls_cipher_peek(&s->tls, &p)) > 0)
                tf_net_send(&x->net, i, p, n);
            continue;
        }
        if (tf_net_can_send(&x->net, i) && (n = tf_fix_session_out_peek(&s->fix, &p)) > 0)
            tf_net_send(&x->net, i, p, n);
    }
}

static int poll_inner(tf_exio *x, uint64_t now, bool take_commands)
{
    x->mono = now;
    x->wall = tf_realtime_ns();
    int work = (int)tf__exio_flush(x);
    schedule_tick(x);
    if (tf__exio_outbox_room(x))
        work += (int)tf_net_reap(&x->net, on_net, x, 8);
    for (uint32_t i = 0; i < x->session_count; i++) {
        tf_exio_session *s = &x->sessions[i];
        tf_fix_session_clock(&s->fix, x->mono, x->wall);
        tf_fix_session_poll(&s->fix);
        reset_if_asked(x, s);
        tf__exio_reconcile_check(x, s);
        /* A session that asked to close goes once its last words are out. */
        if (s->fix.close != TF_FIX_CLOSE_NONE && (!out_pending(x, s) || x->net.conns[i].state != TF_NET_OPEN))
            session_down(x, s, 0);
        /* A TLS handshake the venue never finishes. */
        if (x->tls && x->net.conns[i].state == TF_NET_OPEN && !tf_tls_ready(&s->tls) &&
            x->mono - s->connected_mono > x->cfg->exchange.logon_timeout_ns) {
            tf__exio_error(x, TF_E_FIX_CONNECT, ETIMEDOUT, "tls_handshake");
            session_down(x, s, -ETIMEDOUT);
        }
        connect_due(x, s);
        note_reject(x, s);
        publish_health(x, s, x->mono);
    }
    if (take_commands)
        work += tf__exio_take_commands(x);
    send_pending(x);
    tf_net_submit(&x->net);
    if (x->trace.pending_n)
        tf_exio_trace_submitted(&x->trace, tf_now_ns());
    return work;
}

int tf_exio_poll(tf_exio *x, uint64_t now) { return poll_inner(x, now, true); }

static int stage_poll(tf_stage *self, uint64_t now) { return poll_inner(self->ctx, now, true); }

/* At stop: answer what is taken (commands after this find no session and
 * are refused), log every session out and wait for the answers (bounded by
 * the session's logout timeout and the engine's drain deadline); no new
 * connections. */
static int stage_drain(tf_stage *self, uint64_t now)
{
    tf_exio *x = self->ctx;
    if (!x->stopping) {
        x->stopping = true;
        for (uint32_t i = 0; i < x->session_count; i++) {
            tf_fix_session_clock(&x->sessions[i].fix, now, tf_realtime_ns());
            tf_fix_session_logout(&x->sessions[i].fix, "engine stopping");
        }
    }
    int work = poll_inner(x, now, true);
    bool busy = false;
    for (uint32_t i = 0; i < x->session_count; i++) {
        tf_exio_session *s = &x->sessions[i];
        busy |= x->net.conns[i].state != TF_NET_CLOSED &&
                (s->fix.state == TF_FIX_LOGOUT_SENT || out_pending(x, s));
    }
    return work + (int)tf__exio_outbox_used(x) + (busy ? 1 : 0);
}

/* ---- life cycle -------------------------------------------------------------- */

/* Counters in the stats segment, or (tests, no segment) in memory of our
 * own, so the hot path never checks for NULL. */
static int counters(tf_exio *x, tf_stats *stats, const tf_counter_reg *regs, size_t n)
{
    if (!stats) {
        uint64_t *slots = calloc(n, sizeof *slots);
        if (!slots)
            return TF_ERR("out of memory");
        x->owned[x->owned_count++] = slots;
        for (size_t k = 0; k < n; k++)
            *regs[k].out = &slots[k];
        return 0;
    }
    /* On failure the message names the counter; the engine adds the stage. */
    return tf_stats_add_counters(stats, x->stage ? x->stage->owner : 0, regs, n);
}

static int session_init(tf_exio *x, tf_exio_session *s, uint32_t i, const char *password, tf_stats *stats,
                        tf_state_table *state)
{
    const tf_cfg_exchange *c = &x->cfg->exchange;
    tf_fix_session_config fc = {.initiator = true, .heartbeat_s = c->heartbeat_s,
                                .reset_on_logon = c->reset_on_logon, .resend_app = c->resend_orders,
                                .logon_timeout_ms = (uint32_t)(c->logon_timeout_ns / 1000000),
                                .resend_order_max_age_ns = c->resend_order_max_age_ns,
                                .resend_cancel_max_age_ns = c->resend_cancel_max_age_ns};
    /* One CompID per session of the pool: the venue tells them apart. */
    if (x->session_count > 1)
        snprintf(fc.sender, sizeof fc.sender, "%.28s%u", c->sender_comp_id, (i + 1) % 10);
    else
        snprintf(fc.sender, sizeof fc.sender, "%s", c->sender_comp_id);
    snprintf(fc.target, sizeof fc.target, "%s", c->target_comp_id);
    snprintf(fc.username, sizeof fc.username, "%s", c->username);
    snprintf(fc.password, sizeof fc.password, "%s", password);
    snprintf(fc.store_dir, sizeof fc.store_dir, "%s", c->store_dir);
    s->owner = x;
    s->index = i;
    if (tf_fix_session_init(&s->fix, &fc, &exio_ops, s) != 0)
        return -1;
    tf_backoff_init(&s->backoff, c->reconnect_min_ns, c->reconnect_max_ns, x->wall ^ (i * 0x9e3779b97f4a7c15ull));
    s->tokens = c->message_burst;
    s->tokens_mono = tf_now_ns();
    char labels[32];
    snprintf(labels, sizeof labels, "session=%u", i);
    const tf_counter_reg regs[] = {
        {&s->g_state, TF_CTR_FIX_SESSION_STATE, labels},
        {&s->g_heartbeat_age_ms, TF_CTR_FIX_HEARTBEAT_AGE_MS, labels},
        {&s->g_rtt_ns, TF_CTR_FIX_ORDER_RTT_NS, labels},
        {&s->c_rejects, TF_CTR_FIX_REJECTS_RECEIVED, labels},
        {&s->c_msgs_out, TF_CTR_FIX_MESSAGES_OUT, labels},
        {&s->c_msgs_in, TF_CTR_FIX_MESSAGES_IN, labels},
        {&s->c_reconnects, TF_CTR_FIX_CONNECTS, labels},
        {&s->c_garbled, TF_CTR_FIX_GARBLED, labels},
        {&s->c_resends, TF_CTR_FIX_RESEND_REQUESTS, labels},
        {&s->c_rate_limited, TF_CTR_FIX_RATE_LIMITED, labels},
        {&s->c_stale, TF_CTR_FIX_STALE_NOT_RESENT, labels},
        {&s->c_seq_resets, TF_CTR_FIX_SEQ_RESETS, labels},
    };
    s->status.session = i;
    s->status.in_schedule = 1;
    if (state) {
        char key[TF_STATE_KEY];
        snprintf(key, sizeof key, "fix/%u", i);
        if (!(s->status_slot = tf_state_claim(state, TF_STATE_VENUE_SESSION, key)))
            return TF_ERR("no state slot left for %s", key);
    }
    return counters(x, stats, regs, TF_ARRAY_LEN(regs));
}

int tf_exio_init(tf_stage *stage, tf_exio *x, const tf_config *cfg, const tf_instruments *ins, tf_stats *stats,
                 tf_state_table *state, tf_ring *in, tf_ring *out)
{
    memset(x, 0, sizeof *x);
    const tf_cfg_exchange *c = &cfg->exchange;
    x->cfg = cfg;
    x->instruments = ins;
    x->stage = stage;
    x->in = in;
    x->out = out;
    x->wall = tf_realtime_ns();
    x->mono = tf_now_ns();
    x->next_req = x->wall / 1000;
    x->session_count = c->sessions;
    /* Resolved once, here, off the hot path (a lookup blocks). */
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int gai = getaddrinfo(c->host, NULL, &hints, &ai);
    if (gai != 0 || !ai)
        return TF_ERR("exchange.host %s: %s", c->host, gai_strerror(gai));
    memcpy(&x->addr, ai->ai_addr, sizeof x->addr);
    freeaddrinfo(ai);
    x->addr.sin_port = htons((uint16_t)c->port);
    char password[64];
    if (tf_config_secret_read(&c->password, password, sizeof password) != 0)
        return TF_ERR_CTX("exchange.password: ");
    if (tf__exio_orders_init(x) != 0 || tf__exio_logon_init(x) != 0)
        goto fail;
    x->in_session = true;
    if (c->schedule_start[0]) {
        char why[160];
        x->schedule = calloc(1, sizeof *x->schedule);
        if (!x->schedule) {
            TF_ERR("out of memory");
            goto fail;
        }
        if (tf_schedule_parse(x->schedule, c->schedule_start, c->schedule_end, c->schedule_zone, why,
                              sizeof why) != 0) {
            TF_ERR("exchange.schedule: %s", why);
            goto fail;
        }
    }
    if (c->tls) {
        if (tf_tls_ctx_init(&x->tls_ctx, c->tls_verify, c->tls_ca_file,
                            c->tls_server_name[0] ? c->tls_server_name : c->host) != 0)
            goto fail;
        x->tls = true;
        for (uint32_t i = 0; i < x->session_count; i++)
            if (tf_tls_init(&x->sessions[i].tls) != 0)
                goto fail;
    }
    if (tf_net_init(&x->net, x->session_count, c->sqpoll, c->sqpoll_cpu, false) != 0)
        goto fail;
    for (uint32_t i = 0; i < x->session_count; i++)
        if (session_init(x, &x->sessions[i], i, password, stats, state) != 0)
            goto fail;
    memset(password, 0, sizeof password);
    const tf_counter_reg regs[] = {
        {&x->g_unknown, TF_CTR_FIX_ORDERS_UNKNOWN_NOW, NULL},
        {&x->c_orders_out, TF_CTR_FIX_ORDERS_SENT, NULL},
        {&x->c_reports_in, TF_CTR_FIX_REPORTS, NULL},
        {&x->c_dup_fills, TF_CTR_FIX_DUPLICATE_FILLS, NULL},
        {&x->c_unknown_fate, TF_CTR_FIX_ORDERS_FATE_UNKNOWN, NULL},
        {&x->c_illegal, TF_CTR_FIX_BAD_REPORTS, NULL},
        {&x->c_recovered_fills, TF_CTR_FIX_RECOVERED_FILLS, NULL},
        {&x->c_reconciled, TF_CTR_FIX_ORDERS_RECONCILED, NULL},
        {&x->c_venue_rejects, TF_CTR_FIX_VENUE_REJECTS, NULL},
        {&x->c_late, TF_CTR_FIX_LATE_REPORTS, NULL},
        {&x->c_out_of_band, TF_CTR_FIX_OUT_OF_BAND_FILLS, NULL},
        {&x->g_halted, TF_CTR_FIX_SESSIONS_HALTED, NULL},
    };
    if (counters(x, stats, regs, TF_ARRAY_LEN(regs)) != 0)
        goto fail;
    if (stats && !(x->h_rtt = tf_stats_add_hist(stats, stage ? stage->owner : 0, TF_HIST_FIX_ORDER_RTT_NS, NULL)))
        goto fail;
    if (tf_exio_trace_init(&x->trace, stats, stage ? stage->owner : 0, c->trace_file) != 0)
        goto fail;
    if (stage) {
        stage->poll = stage_poll;
        stage->drain = stage_drain;
        stage->ctx = x;
    }
    return 0;
fail:
    memset(password, 0, sizeof password);
    tf_exio_free(x);
    return -1;
}

void tf_exio_free(tf_exio *x)
{
    x->stopping = true;
    for (uint32_t i = 0; i < x->session_count; i++) {
        tf_exio_session *s = &x->sessions[i];
        if (s->owner)
            tf_fix_session_free(&s->fix);
        tf_tls_free(&s->tls);
        s->owner = NULL;
    }
    if (x->net.ring_open)
        tf_net_free(&x->net);
    tf__exio_orders_free(x);
    tf__exio_logon_free(x);
    tf_exio_trace_close(&x->trace);
    if (x->tls)
        tf_tls_ctx_free(&x->tls_ctx);
    x->tls = false;
    free(x->schedule);
    x->schedule = NULL;
    for (uint32_t k = 0; k < x->owned_count; k++)
        free(x->owned[k]);
    x->owned_count = 0;
}
