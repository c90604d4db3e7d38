/* tfexport-influx: follow the engine's market-data journal (or, with
 * --journal orders, its order journal: orders, fills, positions and PnL)
 * and write it to InfluxDB 1.x, out of band (the engine never waits for it).
 *
 *   tfexport-influx -c CONFIG [--until-idle MS] [--status NAME] [--journal md|orders]
 *
 * Batches flush at export.influx.batch_points points or batch_ms after the
 * batch's first point (+-10 % jitter), whichever comes first. After every
 * acknowledged batch the journal position is saved (<run_dir>/export-influx.pos)
 * and a restart resumes from it: a record is written at least once, and
 * since every point is idempotent (same series and timestamp) at most once
 * in effect. Answers: 204 ok; 400 (parse error, partial write): the good
 * lines are stored, the refused ones counted and logged, the batch never
 * retried; 401/403: exit 5 (configuration); 404 database not found: created
 * when create_database, else exit 5; 413: the batch is split; 5xx, timeouts,
 * connection errors: retried with backoff and jitter, the position kept.
 * A journal that laps the exporter (an outage longer than it holds) is
 * reported as a gap: stderr, the status segment, and an `export_gaps` point.
 *
 * --until-idle MS: exit 0 once the engine has stopped (or is absent) and the
 * journal has been exported to its end and nothing came for MS (tests, bench).
 *
 * EXIT: 0 stopped (SIGINT/SIGTERM, or --until-idle), 1 usage/config/position
 * file, 5 the server refuses us (credentials, missing database, bad request).
 */
#include <pthread.h>
#include <time.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/catalog.h"
#include "shm/common.h"
#include "shm/err.h"
#include "shm/orders.h"
#include "tools/oob/oob_process.h"
#include "tools/oob/influx_history.h"
#include "tools/oob/influx_http.h"
#include "tools/oob/influx_points.h"
#include "tools/oob/journal_source.h"

/* One batch of points: filled by the main thread, sent by a sender thread,
 * retired (position saved) by the main thread strictly in fill order, so the
 * saved position never passes a batch that is not acknowledged. */
enum { B_FREE = 0, B_FILLING, B_QUEUED, B_SENDING, B_DONE };

typedef struct batch {
    int state;
    int result;                 /* 0 sent (or refused lines dropped), -1 fatal, -2 stopping */
    lp_buf buf;
    uint64_t points;
    uint64_t first_point_ns, due_ns;
    uint64_t journal_id, next_seq; /* the position once this batch is acknowledged */
    uint64_t venue_clock, buckets[IP_MAX_SAMPLED]; /* sampling state at its end, saved with it */
    uint64_t exported, rejected;
    bool has_bars;              /* holds a bar: sent only after earlier bar batches (revisions overwrite) */
    uint64_t sending_since_ns;  /* when a sender took it */
} batch;

#define MAX_SENDERS 8
#define MAX_BATCHES (MAX_SENDERS + 1)

typedef struct exporter exporter;
typedef struct sender {
    exporter *x;
    influx_conn conn;
    tf_backoff backoff;
    pthread_t th;
} sender;

struct exporter {
    tf_config cfg;
    oob_source src;
    oob_status status;
    influx_points ip;
    oob_position pos;            /* acknowledged: saved */
    char pos_path[TF_CFG_PATH_MAX + 32];
    uint32_t nsenders, nbatches;
    sender senders[MAX_SENDERS];
    batch batches[MAX_BATCHES];
    uint32_t fill, retire;      /* the batch being filled; the oldest not retired */
    pthread_mutex_t lock;       /* batch states, latencies, live counters */
    pthread_cond_t changed;
    bool quit;
    uint64_t retries, last_status, connected; /* live, from senders (under lock) */
    bool stalled_said;
    uint64_t saved_ns;
    oob_lag lag;
    oob_latency lat;
    uint64_t first_read_ns, last_ack_ns;
    uint64_t rng;
};

static void save_position(exporter *x, const batch *b)
{
    x->pos.journal_id = b->journal_id;
    x->pos.next_seq = b->next_seq;
    x->pos.extra[0] = b->venue_clock;
    for (unsigned i = 0; i < IP_MAX_SAMPLED; i++)
        x->pos.extra[1 + i] = b->buckets[i];
    if (oob_position_save(x->pos_path, &x->pos) != 0)
        fprintf(stderr, "tfexport-influx: %s\n", tf_err_msg()); /* retried with the next batch */
    x->saved_ns = tf_now_ns();
    x->status.st.position = b->next_seq;
}

/* Sender thread: send lines[0..len) (n lines); 0 sent or refused lines
 * dropped, -1 fatal, -2 stopping. Counters go to *b. */
static int send_lines(sender *s, batch *b, const char *lines, size_t len, uint64_t n)
{
    exporter *x = s->x;
    bool announced = false;
    for (;;) {
        uint64_t t0 = tf_now_ns();
        influx_rc rc = influx_write(&s->conn, lines, len);
        uint64_t t1 = tf_now_ns();
        pthread_mutex_lock(&x->lock);
        oob_latency_add(&x->lat, t1 - t0);
        x->last_status = (uint64_t)s->conn.status;
        x->connected = s->conn.status != 0;
        pthread_mutex_unlock(&x->lock);
        switch (rc) {
        case INFLUX_OK:
            if (announced)
                fprintf(stderr, "tfexport-influx: InfluxDB answers again; resumed\n");
            tf_backoff_reset(&s->backoff);
            b->exported += n;
            return 0;
        case INFLUX_REJECTED:
            b->rejected += s->conn.rejected;
            b->exported += n > s->conn.rejected ? n - s->conn.rejected : 0;
            fprintf(stderr, "tfexport-influx: InfluxDB refused %" PRIu64 " of %" PRIu64
                    " lines (HTTP 400, not retried): %.300s\n", s->conn.rejected, n, s->conn.body);
            return 0;
        case INFLUX_NO_DATABASE:
            if (!x->cfg.export_.influx.create_database) {
                fprintf(stderr, "tfexport-influx: database \"%s\" not found and export.influx."
                        "create_database is false\n", x->cfg.export_.influx.database);
                return -1;
            }
            if (influx_create_database(&s->conn) == INFLUX_OK) {
                fprintf(stderr, "tfexport-influx: created database \"%s\"\n", x->cfg.export_.influx.database);
                continue;
            }
            break; /* retry after a pause */
        case INFLUX_TOO_LARGE: {
            if (n < 2) {
                fprintf(stderr, "tfexport-influx: one line is too large for the server (HTTP 413); dropped\n");
                b->rejected += n;
                return 0;
            }
            /* Split at the line boundary nearest the middle. */
            uint64_t half = n / 2, seen = 0;
            size_t cut = 0;
            while (cut < len && seen < half)
                seen += lines[cut++] == '\n';
            int r = send_lines(s, b, lines, cut, half);
            return r != 0 ? r : send_lines(s, b, lines + cut, len - cut, n - half);
        }
        case INFLUX_AUTH:
            fprintf(stderr, "tfexport-influx: InfluxDB refuses our credentials (HTTP %ld): check "
                    "export.influx.username and password: %.200s\n", s->conn.status, s->conn.body);
            return -1;
        case INFLUX_FAILED:
            fprintf(stderr, "tfexport-influx: InfluxDB answered HTTP %ld: %.300s\n", s->conn.status,
                    s->conn.body);
            return -1;
        case INFLUX_RETRY:
            break;
        }
        pthread_mutex_lock(&x->lock);
        uint64_t retries = ++x->retries;
        pthread_mutex_unlock(&x->lock);
        uint64_t wait = tf_backoff_next(&s->backoff);
        if (!announced || retries % 20 == 0)
            fprintf(stderr, "tfexport-influx: write failed (%s%s%ld); retrying in %" PRIu64
                    " ms, position kept at %" PRIu64 "\n", s->conn.error[0] ? s->conn.error : "HTTP ",
                    s->conn.error[0] ? ", status " : "", s->conn.status, wait / 1000000u, b->next_seq);
        announced = true;
        oob_sleep(wait);
        if (oob_stop)
            return -2;
    }
}

/* The oldest queued batch that may go now, in fill order (NULL: none).
 * Batches fly in parallel, so they may land out of order; that is harmless
 * for points written once (trades, quotes, events) but a bar revision must
 * land after the revision before it: a batch holding bars waits until every
 * earlier batch holding bars is acknowledged. Under x->lock. */
static batch *next_queued(exporter *x)
{
    bool earlier_bars_pending = false;
    for (uint32_t k = 0; k < x->nbatches; k++) {
        batch *b = &x->batches[(x->retire + k) % x->nbatches];
        if (b->state == B_QUEUED && !(b->has_bars && earlier_bars_pending))
            return b;
        if (b->has_bars && (b->state == B_QUEUED || b->state == B_SENDING))
            earlier_bars_pending = true;
    }
    return NULL;
}

static void *sender_main(void *arg)
{
    sender *s = arg;
    exporter *x = s->x;
    pthread_mutex_lock(&x->lock);
    for (;;) {
        batch *b;
        while (!(b = next_queued(x)) && !x->quit)
            pthread_cond_wait(&x->changed, &x->lock);
        if (!b)
            break;
        b->state = B_SENDING;
        b->sending_since_ns = tf_now_ns();
        pthread_mutex_unlock(&x->lock);
        int r = send_lines(s, b, b->buf.p, b->buf.len, b->points);
        pthread_mutex_lock(&x->lock);
        b->result = r;
        b->state = B_DONE;
        pthread_cond_broadcast(&x->changed);
    }
    pthread_mutex_unlock(&x->lock);
    return NULL;
}

/* Connected, as the status says it: a request answered, and none waiting
 * longer than export.stall_ms (a frozen InfluxDB is seen in well under a
 * second, while the request waits on to its timeout). Under x->lock. */
static uint32_t answering(exporter *x, uint64_t now)
{
    bool stalled = false;
    for (uint32_t k = 0; k < x->nbatches; k++)
        stalled |= x->batches[k].state == B_SENDING && now - x->batches[k].sending_since_ns > x->cfg.export_.stall_ns;
    if (stalled && !x->stalled_said)
        fprintf(stderr, "tfexport-influx: InfluxDB has not answered a write for %" PRIu64 " ms or more\n",
                x->cfg.export_.stall_ns / 1000000u);
    x->stalled_said = stalled;
    return x->connected && !stalled;
}

/* Main thread: retire acknowledged batches in order, saving the position.
 * Returns 0, or a batch's failure (-1 fatal, -2 stopping). */
static int retire(exporter *x)
{
    for (;;) {
        batch *b = &x->batches[x->retire];
        pthread_mutex_lock(&x->lock);
        bool done = b->state == B_DONE;
        pthread_mutex_unlock(&x->lock);
        if (!done)
            return 0;
        if (b->result != 0)
            return b->result;
        x->status.st.exported += b->exported;
        x->status.st.rejected += b->rejected;
        if (b->points) {
            x->status.st.batches++;
            x->status.st.last_ack_realtime_ns = tf_realtime_ns();
            x->last_ack_ns = tf_now_ns();
        }
        save_position(x, b);
        pthread_mutex_lock(&x->lock);
        b->state = B_FREE;
        pthread_mutex_unlock(&x->lock);
        x->retire = (x->retire + 1) % x->nbatches;
    }
}

static void begin_batch(exporter *x)
{
    batch *b = &x->batches[x->fill];
    b->state = B_FILLING;
    b->buf.len = 0;
    b->points = b->exported = b->rejected = 0;
    b->first_point_ns = 0;
    b->result = 0;
    b->has_bars = false;
    b->journal_id = x->src.attached ? x->src.journal_id : x->pos.journal_id;
    b->next_seq = x->src.attached ? x->src.r.next_seq : x->pos.next_seq;
}

/* Hand the filling batch to the senders (an empty one is done at once),
 * with the venue clock and bar buckets it was filled under. */
static void queue_batch(exporter *x, batch *b)
{
    b->venue_clock = x->ip.venue_clock_ns;
    memcpy(b->buckets, x->ip.last_bucket, sizeof b->buckets);
    pthread_mutex_lock(&x->lock);
    b->state = b->points ? B_QUEUED : B_DONE;
    pthread_cond_broadcast(&x->changed);
    pthread_mutex_unlock(&x->lock);
}

/* Hand the filling batch to the senders (or straight to DONE when it holds
 * no point: it only moves the position) and start the next one, waiting for
 * a free slot. Returns retire()'s verdict. */
static int submit(exporter *x)
{
    queue_batch(x, &x->batches[x->fill]);
    x->fill = (x->fill + 1) % x->nbatches;
    for (;;) {
        int rc = retire(x);
        if (rc != 0)
            return rc;
        pthread_mutex_lock(&x->lock);
        bool free_slot = x->batches[x->fill].state == B_FREE;
        if (!free_slot) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 50000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&x->changed, &x->lock, &ts);
        }
        pthread_mutex_unlock(&x->lock);
        if (free_slot)
            break;
        /* Every batch in flight: say so, and how far behind it falls, while the store is away. */
        uint64_t head = oob_source_head(&x->src);
        x->status.st.journal_head = head;
        x->status.st.behind_ns = oob_lag_update(&x->lag, head, x->pos.next_seq, tf_now_ns());
        pthread_mutex_lock(&x->lock);
        x->status.st.retries = x->retries;
        x->status.st.connected = answering(x, tf_now_ns());
        pthread_mutex_unlock(&x->lock);
        oob_status_publish(&x->status);
    }
    begin_batch(x);
    return 0;
}

static void report_gap(exporter *x)
{
    tf_journal_reader *r = &x->src.r;
    batch *b = &x->batches[x->fill];
    x->status.st.gaps++;
    x->status.st.gap_records += r->last_gap_to - r->last_gap_from + 1;
    fprintf(stderr, "tfexport-influx: GAP: the journal no longer holds sequences %" PRIu64 "..%" PRIu64
            " (%" PRIu64 " records, venue time after %" PRIu64 " ns): lost to InfluxDB\n",
            r->last_gap_from, r->last_gap_to, r->last_gap_to - r->last_gap_from + 1, x->ip.venue_clock_ns);
    int n = influx_points_gap(&x->ip, &b->buf, "influx", r->last_gap_from, r->last_gap_to, tf_realtime_ns());
    if (n > 0)
        b->points += (uint64_t)n;
}

/* Stop: send what is batched (the senders give up on the first failure once
 * a stop is requested), wait for every batch, retire what was acknowledged. */
static void drain(exporter *x)
{
    batch *b = &x->batches[x->fill];
    if (b->state == B_FILLING && (b->points || b->next_seq != x->pos.next_seq))
        queue_batch(x, b);
    pthread_mutex_lock(&x->lock);
    for (;;) {
        bool busy = false;
        for (uint32_t k = 0; k < x->nbatches; k++)
            busy |= x->batches[k].state == B_QUEUED || x->batches[k].state == B_SENDING;
        if (!busy)
            break;
        pthread_cond_wait(&x->changed, &x->lock);
    }
    x->quit = true;
    pthread_cond_broadcast(&x->changed);
    pthread_mutex_unlock(&x->lock);
    retire(x);
    for (uint32_t i = 0; i < x->nsenders; i++)
        pthread_join(x->senders[i].th, NULL);
}

int main(int argc, char **argv)
{
    static exporter x;
    oob_args args = {.status_name = "export-influx"};
    int rc_start = oob_start(argc, argv, "tfexport-influx", "influx", &args, &x.cfg, x.pos_path,
                            sizeof x.pos_path, &x.pos);
    if (rc_start >= 0)
        return rc_start;
    const char *status_name = args.status_name;
    uint64_t until_idle_ns = args.until_idle_ns;
    tf_cfg_influx *ic = &x.cfg.export_.influx;
    bool md = strcmp(args.journal, TF_SEG_MD) == 0;
    /* History at scale: market data lands in tf_raw (kept raw_days), the
     * trading record in autogen (kept), unless a policy is named. */
    if (ic->downsample && !ic->retention_policy[0])
        snprintf(ic->retention_policy, sizeof ic->retention_policy, "%s", md ? IH_RAW_RP : IH_RECORD_RP);
    influx_points_init(&x.ip, ic, x.cfg.instance);
    x.ip.venue_clock_ns = x.pos.extra[0];
    for (unsigned i = 0; i < IP_MAX_SAMPLED; i++)
        x.ip.last_bucket[i] = x.pos.extra[1 + i];
    x.nsenders = ic->connections;
    x.nbatches = x.nsenders + 1;
    size_t cap = (size_t)ic->batch_points * IP_LINE_MAX + IP_LINE_MAX;
    for (uint32_t i = 0; i < x.nbatches; i++) {
        x.batches[i].buf.cap = cap;
        x.batches[i].buf.p = malloc(cap);
        if (!x.batches[i].buf.p) {
            fprintf(stderr, "tfexport-influx: out of memory for %u batches of %zu bytes\n", x.nbatches, cap);
            return 1;
        }
    }
    for (uint32_t i = 0; i < x.nsenders; i++) {
        x.senders[i].x = &x;
        if (influx_open(&x.senders[i].conn, ic, cap) != 0) {
            fprintf(stderr, "tfexport-influx: %s\n", tf_err_msg());
            return 1;
        }
        tf_backoff_init(&x.senders[i].backoff, ic->retry_min_ns, ic->retry_max_ns, tf_now_ns());
    }
    if (oob_status_open(&x.status, &x.cfg, status_name, "influx") != 0) {
        fprintf(stderr, "tfexport-influx: %s\n", tf_err_msg());
        return 1;
    }
    /* Create the database up front (idempotent on the server) rather than on
     * the first write's 404; a server that is down now is retried by writes. */
    if (ic->create_database && ic->api != 2 && influx_create_database(&x.senders[0].conn) == INFLUX_AUTH) {
        fprintf(stderr, "tfexport-influx: InfluxDB refuses our credentials (HTTP %ld)\n",
                x.senders[0].conn.status);
        return 5;
    }
    /* The market-data exporter owns the retention policies and continuous
     * queries: set up before the first write, so tf_raw exists to write to. */
    if (ic->downsample && md) {
        char err[512];
        for (int tries = 0;; tries++) {
            if (influx_history_setup(&x.senders[0].conn, ic, err, sizeof err) == 0)
                break;
            if (x.senders[0].conn.status == 401 || x.senders[0].conn.status == 403 || strstr(err, "shorter") ||
                tries >= 600 || oob_stop) {
                fprintf(stderr, "tfexport-influx: retention and downsampling not set up: %s\n", err);
                return 5;
            }
            if (tries % 20 == 0)
                fprintf(stderr, "tfexport-influx: retention and downsampling not set up yet (%s); retrying\n", err);
            oob_sleep(500000000ull);
        }
        fprintf(stderr, "tfexport-influx: retention %s %u days (default), %s %u days (0: forever); continuous "
                "queries 1m/1h/1d\n", IH_RAW_RP, ic->raw_days, IH_BARS_RP, ic->bars_days);
    }
    pthread_mutex_init(&x.lock, NULL);
    pthread_cond_init(&x.changed, NULL);
    for (uint32_t i = 0; i < x.nsenders; i++)
        pthread_create(&x.senders[i].th, NULL, sender_main, &x.senders[i]);
    oob_source_init_journal(&x.src, &x.cfg, args.journal);
    x.status.st.position = x.pos.next_seq;
    begin_batch(&x);
    fprintf(stderr, "tfexport-influx: %s db=%s, position %" PRIu64 ", batches of %u points or %" PRIu64
            " ms, %u in flight\n", ic->url, ic->database, x.pos.next_seq, ic->batch_points,
            ic->batch_ns / 1000000u, x.nsenders);

    int exit_code = 0;
    uint64_t last_publish = 0, last_record_ns = tf_now_ns(), last_attach_try = 0;
    tf_journal_slot *rec = calloc(1, 256);
    while (!oob_stop && rec) {
        uint64_t now = tf_now_ns();
        batch *b = &x.batches[x.fill];
        if (!x.src.attached && now - last_attach_try > 100000000ull) {
            last_attach_try = now;
            int a = oob_source_attach(&x.src, x.pos.journal_id, x.pos.next_seq);
            if (a < 0) {
                fprintf(stderr, "tfexport-influx: %s\n", tf_err_msg());
                exit_code = 1;
                break;
            }
            if (a == 0) {
                if (x.src.journal_id != x.pos.journal_id && x.pos.journal_id)
                    fprintf(stderr, "tfexport-influx: a new journal (engine restarted without a disk "
                            "journal): exporting it from its oldest record\n");
                b->journal_id = x.src.journal_id;
                b->next_seq = x.src.r.next_seq;
            }
        }
        bool idle = false;
        while (b->points < ic->batch_points) {
            oob_read_rc rc = oob_source_read(&x.src, rec);
            if (rc == OOB_READ_OK) {
                if (!x.first_read_ns)
                    x.first_read_ns = now;
                const tf_md_instrument_info *in = NULL;
                if (rec->type >= TF_REC_MD_TRADE && rec->type <= TF_REC_MD_BAR)
                    in = oob_source_instrument(&x.src, *(const uint32_t *)rec->payload);
                else if (rec->type == TF_REC_ORDER_EVENT && rec->length >= sizeof(tf_order_event))
                    in = oob_source_instrument(&x.src, ((const tf_order_event *)(const void *)rec->payload)->instrument);
                int n = influx_points_add(&x.ip, &b->buf, rec, in);
                if (n > 0) {
                    if (!b->points) {
                        b->first_point_ns = tf_now_ns();
                        b->due_ns = oob_jitter(&x.rng, ic->batch_ns, 10);
                    }
                    b->points += (uint64_t)n;
                    b->has_bars |= rec->type == TF_REC_MD_BAR;
                }
                b->next_seq = rec->seq + 1;
                last_record_ns = now;
            } else if (rc == OOB_READ_GAP) {
                report_gap(&x);
                b->next_seq = x.src.r.next_seq;
            } else if (rc == OOB_READ_NEW_JOURNAL) {
                /* The batch so far belongs to the old journal: send it on its own. */
                uint64_t id = x.src.journal_id, seq = x.src.r.next_seq;
                b->journal_id = b->journal_id ? b->journal_id : id;
                if ((exit_code = submit(&x)) != 0)
                    break;
                b = &x.batches[x.fill];
                b->journal_id = id;
                b->next_seq = seq;
            } else {
                idle = true;
                break;
            }
        }
        if (exit_code)
            break;
        now = tf_now_ns();
        bool due = b->points >= ic->batch_points || (b->points && now - b->first_point_ns >= b->due_ns) ||
                   (!b->points && b->next_seq != x.pos.next_seq && now - x.saved_ns > 1000000000ull);
        if (due && (exit_code = submit(&x)) != 0)
            break;
        if ((exit_code = retire(&x)) != 0)
            break;
        uint64_t head = oob_source_head(&x.src);
        x.status.st.journal_head = head;
        x.status.st.behind_ns = oob_lag_update(&x.lag, head, x.pos.next_seq, now);
        if (now - last_publish > 100000000ull) {
            pthread_mutex_lock(&x.lock);
            x.status.st.retries = x.retries;
            x.status.st.last_status = (uint32_t)x.last_status;
            x.status.st.connected = answering(&x, now);
            pthread_mutex_unlock(&x.lock);
            oob_status_publish(&x.status);
            last_publish = now;
        }
        if (idle) {
            b = &x.batches[x.fill];
            if (until_idle_ns && now - last_record_ns > until_idle_ns && !b->points &&
                x.batches[x.retire].state == B_FILLING) {
                tf_seg_owner o = x.src.attached ? tf_segment_owner(&x.src.jseg, now, NULL) : TF_OWNER_CLOSED;
                if (o != TF_OWNER_LIVE)
                    break;
            }
            oob_sleep(1000000);
        }
    }
    drain(&x);
    exit_code = exit_code == -1 ? 5 : exit_code == -2 ? 0 : exit_code;
    x.status.st.retries = x.retries;
    fprintf(stderr, "tfexport-influx: stopped at position %" PRIu64 ": %" PRIu64 " points exported, %"
            PRIu64 " rejected, %" PRIu64 " retries, %" PRIu64 " gaps\n", x.pos.next_seq,
            x.status.st.exported, x.status.st.rejected, x.status.st.retries, x.status.st.gaps);
    oob_latency_print(&x.lat, "tfexport-influx");
    if (x.last_ack_ns > x.first_read_ns && x.first_read_ns)
        fprintf(stderr, "tfexport-influx: %" PRIu64 " points in %.3f s from the first record read to the last "
                "acknowledgement: %.0f points/s\n", x.status.st.exported,
                (double)(x.last_ack_ns - x.first_read_ns) / 1e9,
                (double)x.status.st.exported * 1e9 / (double)(x.last_ack_ns - x.first_read_ns));
    free(rec);
    oob_status_close(&x.status);
    oob_source_close(&x.src);
    for (uint32_t i = 0; i < x.nsenders; i++)
        influx_close(&x.senders[i].conn);
    for (uint32_t i = 0; i < x.nbatches; i++)
        free(x.batches[i].buf.p);
    pthread_mutex_destroy(&x.lock);
    pthread_cond_destroy(&x.changed);
    return exit_code;
}
