/* tfsim exchange: connections and FIX sessions, and the output path with
 * its faults. A connection's input is framed here (tf_fix_frame) and handed
 * to its session one whole message at a time. fix-drop marks the
 * connection after the Nth application message: the rest of that read is
 * still handled (so the counterparty never has to resend what we took half
 * of), nothing more is read, and the transport closes it once what is
 * queued is written (a venue closing the session; SIGUSR1 drops at once,
 * losing what is queued until the resend after the next Logon).
 * Until a session is picked the first message is parsed here: its
 * SenderCompID names the session (created at its first Logon, at most
 * EX_MAX_SESSIONS); a session already connected refuses the newcomer with a
 * Logout built outside any session. The Logon's checks (credentials,
 * Ed25519 signature, ResetSeqNumFlag required by --fix-reset,
 * fix-refuse-logon) run in the session's on_logon hook; a Logon with
 * ResetSeqNumFlag=Y starts both directions at 1 (the session layer).
 * fix-strict's dictionary (exchange_fault.c) sees the first message before
 * a session is picked, admin messages before their session does and
 * application messages in on_app; exchange_clock runs fix-session-reset.
 * Output: the transport writes straight from the session's send queue;
 * fix-delay holds a report's bytes (and what follows them) until it is
 * due, by marks of (stream offset, due time) per connection; fix-garble
 * bumps a digit of a queued report's CheckSum; fix-skip-seq skips a
 * sequence number before a report. */
#include "tools/tfsim/exchange/exchange_int.h"

#include <stdlib.h>
#include <string.h>

#include "lib/fix/fix_sign.h"
#include "shm/err.h"

#define MS 1000000ull
#define FIRST_MESSAGE_NS (10000 * MS) /* a connection must send its Logon within this */

static bool flag_yes(const tf_fix_msg *m, uint32_t tag)
{
    char c;
    return tf_fix_get_char(m, tag, &c) == 0 && c == 'Y';
}

static bool str_is(const tf_fix_msg *m, uint32_t tag, const char *want)
{
    const char *v;
    size_t n;
    return tf_fix_get_str(m, tag, &v, &n) == 0 && n == strlen(want) && memcmp(v, want, n) == 0;
}

/* ---- session hooks ------------------------------------------------------------ */

static int on_logon(void *ctx, tf_fix_session *fs, const tf_fix_msg *m)
{
    (void)fs;
    x_session *ss = ctx;
    exchange *x = ss->x;
    const sim *s = x->s;
    const char *why = NULL;
    x->logon_count++;
    if (s->fix.fault.refuse_logons && x->logon_count <= s->fix.fault.refuse_logons) {
        why = "simulated refusal (fix-refuse-logon)";
        x->c.f_refused++;
    } else if (s->fix.username && !str_is(m, TF_FIX_TAG_USERNAME, s->fix.username)) {
        why = "bad username";
    } else if (s->fix.password && !str_is(m, TF_FIX_TAG_PASSWORD, s->fix.password)) {
        why = "bad password";
    } else if (x->pubkey && !tf_fix_verify_logon(x->pubkey, m)) {
        why = "bad Ed25519 signature";
    } else if (s->fix.reset && !flag_yes(m, TF_FIX_TAG_RESET_SEQ_NUM_FLAG)) {
        why = "Logon must carry ResetSeqNumFlag=Y (tfsim --fix-reset)";
    }
    uint32_t account = 0;
    if (!why) {
        const char *v;
        size_t n;
        if (tf_fix_get_str(m, TF_FIX_TAG_USERNAME, &v, &n) != 0)
            v = ss->comp_id, n = strlen(ss->comp_id);
        if (!(account = ex_account(x, v, n)))
            why = "too many accounts";
    }
    if (why) {
        x->c.logons_refused++;
        if (!x->quiet)
            fprintf(stderr, "tfsim: FIX Logon of %s refused: %s\n", ss->comp_id, why);
        return -1;
    }
    ss->account = account;
    ss->cod = flag_yes(m, 8013);
    return 0;
}

static void on_state(void *ctx, tf_fix_session *fs, tf_fix_state old)
{
    (void)old;
    x_session *ss = ctx;
    exchange *x = ss->x;
    if (fs->state != TF_FIX_ACTIVE)
        return;
    ss->logged_on = true;
    x->c.logons++;
    if (!x->quiet)
        fprintf(stderr, "tfsim: FIX session %s logged on (account %s%s; our next MsgSeqNum %llu)\n", ss->comp_id,
                x->accounts[ss->account - 1], ss->cod ? ", cancel on disconnect" : "",
                (unsigned long long)fs->store.seq->next_out);
}

static int on_app(void *ctx, tf_fix_session *fs, const tf_fix_msg *m)
{
    (void)fs;
    x_session *ss = ctx;
    exchange *x = ss->x;
    int rc = ex_strict_refuse(x, ss, m) ? 0 : x->app->on_app(x, ss, m);
    const char *t = m->msg_type;
    if (ss->conn >= 0 && !((t[0] == '3' || t[0] == 'j') && !t[1])) {
        x_conn *c = &x->conn[ss->conn];
        c->app_in++;
        uint64_t every = x->s->fix.fault.drop_every;
        if (every && c->app_in % every == 0 && !c->drop) {
            c->drop = true;
            x->c.f_drops++;
        }
    }
    return rc;
}

static const tf_fix_session_ops session_ops = {.on_app = on_app, .on_logon = on_logon, .on_state = on_state};

int ex_session_init(exchange *x, int i, const char *id, size_t n)
{
    x_session *ss = &x->sess[i];
    tf_fix_session_config cfg = {.initiator = false, .resend_app = true, .send_while_down = true,
                                 .heartbeat_s = 30, .logon_timeout_ms = (uint32_t)(FIRST_MESSAGE_NS / MS)};
    snprintf(cfg.sender, sizeof cfg.sender, "%s", x->comp_id);
    snprintf(cfg.target, sizeof cfg.target, "%.*s", (int)n, id);
    if (x->s->fix.store_dir)
        snprintf(cfg.store_dir, sizeof cfg.store_dir, "%s", x->s->fix.store_dir);
    ss->x = x;
    ss->conn = -1;
    if (tf_fix_session_init(&ss->fix, &cfg, &session_ops, ss) != 0) {
        fprintf(stderr, "tfsim: FIX session %s: %s\n", cfg.target, tf_err_msg());
        return -1;
    }
    tf_fix_session_clock(&ss->fix, x->mono, x->wall);
    ss->used = true;
    snprintf(ss->comp_id, sizeof ss->comp_id, "%s", cfg.target);
    x->c.sessions++;
    ex_fault_rewind(x, ss);
    return 0;
}

/* The session of a SenderCompID, created at its first Logon; NULL (and
 * why) when all are taken or its store cannot be opened. */
static x_session *session_for(exchange *x, const char *id, size_t n, const char **why)
{
    *why = "too many sessions";
    x_session *free_one = NULL;
    for (int i = 0; i < EX_MAX_SESSIONS; i++) {
        x_session *ss = &x->sess[i];
        if (ss->used && strlen(ss->comp_id) == n && memcmp(ss->comp_id, id, n) == 0)
            return ss;
        if (!ss->used && !free_one)
            free_one = ss;
    }
    if (!free_one)
        return NULL;
    if (ex_session_init(x, (int)(free_one - x->sess), id, n) != 0) {
        *why = "session store unavailable";
        return NULL;
    }
    return free_one;
}

/* A Logout outside any session, then the connection closes. */
static void refuse(exchange *x, x_conn *c, const char *their_id, size_t n, const char *text)
{
    char buf[sizeof c->lone];
    tf_fix_writer w;
    tf_fix_begin(&w, buf, sizeof buf, "5");
    tf_fix_put_cstr(&w, TF_FIX_TAG_SENDER_COMP_ID, x->comp_id);
    tf_fix_put_str(&w, TF_FIX_TAG_TARGET_COMP_ID, their_id, n);
    tf_fix_put_u64(&w, TF_FIX_TAG_MSG_SEQ_NUM, 1);
    tf_fix_put_time(&w, TF_FIX_TAG_SENDING_TIME, x->wall);
    tf_fix_put_cstr(&w, TF_FIX_TAG_TEXT, text);
    size_t len = tf_fix_finish(&w);
    memcpy(c->lone, w.msg, len);
    c->lone_len = (uint32_t)len;
    c->lone_sent = 0;
    c->closing = true;
    x->c.logons_refused++;
    if (!x->quiet)
        fprintf(stderr, "tfsim: FIX connection of %.*s refused: %s\n", (int)n, their_id, text);
}

/* The first message: a Logon whose SenderCompID picks the session. 0,
 * -1 (refused: close), or 1 (fix-strict refused it: the connection waits, mute). */
static int attach(exchange *x, int ci, const char *msg, size_t len)
{
    x_conn *c = &x->conn[ci];
    const char *id;
    size_t n;
    if (tf_fix_parse(msg, len, &x->first) != TF_FIX_OK || !tf_fix_is(&x->first, "A") ||
        tf_fix_get_str(&x->first, TF_FIX_TAG_SENDER_COMP_ID, &id, &n) != 0 || n >= TF_FIX_COMP_ID_MAX)
        return -1;
    if (ex_strict_logon(x, c, &x->first))
        return 1;
    const char *why;
    x_session *ss = session_for(x, id, n, &why);
    if (!ss) {
        refuse(x, c, id, n, why);
        return -1;
    }
    if (ss->conn >= 0) {
        refuse(x, c, id, n, "session already logged on");
        return -1;
    }
    ss->conn = ci;
    ss->logged_on = false;
    c->session = (int)(ss - x->sess);
    tf_fix_session_clock(&ss->fix, x->mono, x->wall);
    tf_fix_session_connected(&ss->fix);
    /* What the counterparty sent before the last connection broke and we
     * never read is asked for again by the session layer (ResendRequest at
     * Logon), as a venue that takes client resends does. */
    return 0;
}

/* ---- connections ----------------------------------------------------------------- */

/* Input stops when the connection closes; a drop (fix-drop, SIGUSR1) still
 * lets the rest of the read be handled, so that what the counterparty sent
 * is never half taken. */
static bool stopped(const exchange *x, const x_conn *c)
{
    return c->closing || c->mute || (c->session >= 0 && x->sess[c->session].fix.close != TF_FIX_CLOSE_NONE);
}

/* Whole messages of [buf, buf+len) to the session; returns the bytes used. */
static size_t feed(exchange *x, int ci, const char *buf, size_t len)
{
    x_conn *c = &x->conn[ci];
    size_t used = 0;
    while (used < len && !stopped(x, c)) {
        size_t ml;
        tf_fix_frame_rc fr = tf_fix_frame(buf + used, len - used, &ml);
        if (fr == TF_FIX_FRAME_MORE)
            break;
        if (ml == 0)
            ml = 1;
        if (c->session < 0) {
            int rc = fr == TF_FIX_FRAME_OK ? attach(x, ci, buf + used, ml) : -1;
            if (rc != 0) {
                c->closing = rc < 0;
                used += ml; /* taken; a mute connection ignores what follows */
                break;
            }
        }
        x_session *ss = &x->sess[c->session];
        if (!(fr == TF_FIX_FRAME_OK && ex_strict_admin(x, ss, buf + used, ml)))
            tf_fix_session_on_bytes(&ss->fix, buf + used, ml);
        used += ml;
    }
    return used;
}

int exchange_conn_open(exchange *x)
{
    for (int i = 0; i < EX_MAX_CONNS; i++) {
        x_conn *c = &x->conn[i];
        if (c->used)
            continue;
        char *rbuf = c->rbuf;
        x_mark *marks = c->marks;
        memset(c, 0, sizeof *c);
        c->rbuf = rbuf;
        c->marks = marks;
        c->used = true;
        c->session = -1;
        c->opened_mono = x->mono;
        x->c.connections++;
        return i;
    }
    return -1;
}

void exchange_conn_input(exchange *x, int ci, const char *p, size_t n)
{
    x_conn *c = &x->conn[ci];
    if (c->drop || c->drop_now)
        return;
    while (n > 0 && c->used && !stopped(x, c)) {
        if (c->rlen == 0) {
            size_t used = feed(x, ci, p, n);
            p += used;
            n -= used;
            if (n == 0 || stopped(x, c))
                return;
        }
        size_t take = EX_RBUF - c->rlen < n ? EX_RBUF - c->rlen : n;
        memcpy(c->rbuf + c->rlen, p, take);
        c->rlen += (uint32_t)take;
        p += take;
        n -= take;
        size_t used = feed(x, ci, c->rbuf, c->rlen);
        memmove(c->rbuf, c->rbuf + used, c->rlen - used);
        c->rlen -= (uint32_t)used;
        if (used == 0 && c->rlen == EX_RBUF) { /* cannot happen: framing bounds a message */
            c->closing = true;
            return;
        }
        if (c->rlen && n == 0)
            return;
    }
}

static size_t pending_out(const tf_fix_session *fs)
{
    return fs->out_len[fs->sending] - fs->out_sent + fs->out_len[fs->sending ^ 1];
}

size_t exchange_conn_peek(exchange *x, int ci, const char **p)
{
    x_conn *c = &x->conn[ci];
    if (!c->used || c->drop_now)
        return 0;
    if (c->session < 0) {
        *p = c->lone + c->lone_sent;
        return c->lone_len - c->lone_sent;
    }
    size_t n = tf_fix_session_out_peek(&x->sess[c->session].fix, p);
    while (c->mhead != c->mtail && c->marks[c->mhead % EX_MARKS].due <= x->mono)
        c->mhead++;
    if (n && c->mhead != c->mtail) {
        uint64_t start = c->marks[c->mhead % EX_MARKS].start;
        uint64_t room = start > c->out_total ? start - c->out_total : 0;
        if (room < n)
            n = (size_t)room;
    }
    return n;
}

void exchange_conn_written(exchange *x, int ci, size_t n)
{
    x_conn *c = &x->conn[ci];
    if (c->session < 0)
        c->lone_sent += (uint32_t)n;
    else
        tf_fix_session_out_done(&x->sess[c->session].fix, n);
    c->out_total += n;
}

bool exchange_conn_done(const exchange *x, int ci)
{
    const x_conn *c = &x->conn[ci];
    if (!c->used)
        return false;
    if (c->drop_now)
        return true;
    if (c->session < 0)
        return c->closing && c->lone_sent >= c->lone_len;
    const tf_fix_session *fs = &x->sess[c->session].fix;
    return (c->drop || fs->close != TF_FIX_CLOSE_NONE) && !tf_fix_session_out_pending(fs);
}

void exchange_conn_close(exchange *x, int ci)
{
    x_conn *c = &x->conn[ci];
    if (!c->used)
        return;
    if (c->session >= 0) {
        x_session *ss = &x->sess[c->session];
        bool was = ss->logged_on;
        if (!x->quiet && was)
            fprintf(stderr, "tfsim: FIX session %s disconnected (%s%s%s)\n", ss->comp_id,
                    c->drop || c->drop_now                ? "dropped"
                    : ss->fix.close == TF_FIX_CLOSE_NONE ? "connection closed"
                                                          : tf_fix_close_names[ss->fix.close],
                    ss->fix.close_text[0] ? ": " : "",
                    ss->fix.close_text);
        tf_fix_session_disconnected(&ss->fix);
        ss->conn = -1;
        ss->logged_on = false;
        if (was && ss->cod)
            x->app->cancel_session_orders(x, (uint32_t)c->session);
    }
    c->used = false;
    c->session = -1;
    c->rlen = 0;
    c->mhead = c->mtail = 0;
}

void exchange_stamp_read(exchange *x, uint64_t mono_ns) { x->read_ns = mono_ns; }

void exchange_drop_all(exchange *x)
{
    for (int i = 0; i < EX_MAX_CONNS; i++)
        if (x->conn[i].used)
            x->conn[i].drop_now = true;
}

uint64_t exchange_wake_ns(const exchange *x)
{
    uint64_t due = 0;
    for (int i = 0; i < EX_MAX_CONNS; i++) {
        const x_conn *c = &x->conn[i];
        if (c->used && c->mhead != c->mtail) {
            uint64_t d = c->marks[c->mhead % EX_MARKS].due;
            if (!due || d < due)
                due = d;
        }
    }
    return due;
}

void exchange_clock(exchange *x, uint64_t mono_ns, uint64_t wall_ns)
{
    x->mono = mono_ns;
    x->wall = wall_ns;
    x->s->now_ms = wall_ns / MS;
    for (int i = 0; i < EX_MAX_SESSIONS; i++) {
        x_session *ss = &x->sess[i];
        if (!ss->used)
            continue;
        tf_fix_session_clock(&ss->fix, mono_ns, wall_ns);
        if (ss->conn >= 0)
            tf_fix_session_poll(&ss->fix);
    }
    for (int i = 0; i < EX_MAX_CONNS; i++) {
        x_conn *c = &x->conn[i];
        if (c->used && c->session < 0 && !c->closing && mono_ns - c->opened_mono >= FIRST_MESSAGE_NS)
            c->closing = true;
    }
    ex_fault_clock(x);
}

/* ---- output with faults ------------------------------------------------------------ */

tf_fix_writer *ex_begin(exchange *x, uint32_t session, const char *msg_type)
{
    tf_fix_session *fs = &x->sess[session].fix;
    uint64_t every = x->s->fix.fault.skip_seq_every;
    if (every && ++x->report_count % every == 0) {
        tf_fix_session_skip_seq(fs, 1);
        x->c.f_skipped++;
    }
    return tf_fix_session_begin(fs, msg_type);
}

void ex_send(exchange *x, uint32_t session)
{
    x_session *ss = &x->sess[session];
    tf_fix_session *fs = &ss->fix;
    const sim_fix_fault *f = &x->s->fix.fault;
    bool live = fs->state == TF_FIX_ACTIVE && ss->conn >= 0;
    uint32_t before[2] = {fs->out_len[0], fs->out_len[1]};
    size_t queued = live ? pending_out(fs) : 0;
    if (tf_fix_session_send(fs) == 0) {
        x->c.report_drops++;
        return;
    }
    x->c.reports++;
    x->sent_count++;
    if (!live)
        return;
    if (f->garble_every && x->sent_count % f->garble_every == 0) {
        for (int k = 0; k < 2; k++) {
            if (fs->out_len[k] > before[k]) {
                char *d = fs->outq[k] + fs->out_len[k] - 2; /* the CheckSum's last digit */
                *d = *d == '9' ? '0' : (char)(*d + 1);
                x->c.f_garbled++;
                break;
            }
        }
    }
    if (f->delay_ms) {
        x_conn *c = &x->conn[ss->conn];
        if (c->mtail - c->mhead < EX_MARKS) {
            c->marks[c->mtail % EX_MARKS] = (x_mark){c->out_total + queued, x->mono + f->delay_ms * MS};
            c->mtail++;
            x->c.f_delayed++;
        }
    }
}
