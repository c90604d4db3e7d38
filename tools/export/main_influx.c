/* tfexport-influx: follow the engine's market-data journal and write it to
 * InfluxDB 1.x, out of band (the engine never waits for it).
 *
 *   tfexport-influx -c CONFIG [--until-idle MS] [--status NAME]
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
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm/common.h"
#include "shm/err.h"
#include "tools/export/common.h"
#include "tools/export/influx_http.h"
#include "tools/export/influx_points.h"
#include "tools/export/source.h"

typedef struct exporter {
    tf_config cfg;
    ex_source src;
    ex_status status;
    influx_conn conn;
    influx_points ip;
    ex_backoff backoff;
    ex_position pos;            /* acknowledged: saved */
    char pos_path[TF_CFG_PATH_MAX + 32];
    lp_buf buf;
    uint64_t points;            /* in buf */
    uint64_t first_point_ns;
    uint64_t batch_due_ns;      /* jittered flush interval of this batch */
    uint64_t batch_next_seq;    /* the position once buf is acknowledged */
    uint64_t batch_journal_id;
    uint64_t saved_ns;
    ex_lag lag;
    ex_latency lat;
    uint64_t first_read_ns, last_ack_ns;
    uint64_t rng;
} exporter;

static void save_position(exporter *x, uint64_t journal_id, uint64_t next_seq)
{
    x->pos.journal_id = journal_id;
    x->pos.next_seq = next_seq;
    x->pos.extra[0] = x->ip.venue_clock_ns;
    for (unsigned i = 0; i < IP_MAX_SAMPLED; i++)
        x->pos.extra[1 + i] = x->ip.last_bucket[i];
    if (ex_position_save(x->pos_path, &x->pos) != 0)
        fprintf(stderr, "tfexport-influx: %s\n", tf_err_msg()); /* retried with the next batch */
    x->saved_ns = tf_now_ns();
    x->status.st.position = next_seq;
}

/* Send lines[0..len) (n lines); 0 sent or dropped as refused, -1 fatal, -2 stopping. */
static int send_lines(exporter *x, const char *lines, size_t len, uint64_t n)
{
    bool announced = false;
    for (;;) {
        uint64_t t0 = tf_now_ns();
        influx_rc rc = influx_write(&x->conn, lines, len);
        ex_latency_add(&x->lat, tf_now_ns() - t0);
        x->status.st.last_status = (uint32_t)x->conn.status;
        x->status.st.connected = x->conn.status != 0;
        switch (rc) {
        case INFLUX_OK:
            if (announced)
                fprintf(stderr, "tfexport-influx: InfluxDB answers again; resumed\n");
            ex_backoff_reset(&x->backoff);
            x->status.st.exported += n;
            x->status.st.batches++;
            x->status.st.last_ack_realtime_ns = tf_realtime_ns();
            x->last_ack_ns = tf_now_ns();
            return 0;
        case INFLUX_REJECTED:
            x->status.st.rejected += x->conn.rejected;
            x->status.st.exported += n > x->conn.rejected ? n - x->conn.rejected : 0;
            fprintf(stderr, "tfexport-influx: InfluxDB refused %" PRIu64 " of %" PRIu64
                    " lines (HTTP 400, not retried): %.300s\n", x->conn.rejected, n, x->conn.body);
            return 0;
        case INFLUX_NO_DATABASE:
            if (!x->cfg.export_.influx.create_database) {
                fprintf(stderr, "tfexport-influx: database \"%s\" not found and export.influx."
                        "create_database is false\n", x->cfg.export_.influx.database);
                return -1;
            }
            if (influx_create_database(&x->conn) == INFLUX_OK) {
                fprintf(stderr, "tfexport-influx: created database \"%s\"\n", x->cfg.export_.influx.database);
                continue;
            }
            break; /* retry after a pause */
        case INFLUX_TOO_LARGE: {
            if (n < 2) {
                fprintf(stderr, "tfexport-influx: one line is too large for the server (HTTP 413); dropped\n");
                x->status.st.rejected += n;
                return 0;
            }
            /* Split at the line boundary nearest the middle. */
            uint64_t half = n / 2, seen = 0;
            size_t cut = 0;
            while (cut < len && seen < half)
                seen += lines[cut++] == '\n';
            int r = send_lines(x, lines, cut, half);
            return r != 0 ? r : send_lines(x, lines + cut, len - cut, n - half);
        }
        case INFLUX_AUTH:
            fprintf(stderr, "tfexport-influx: InfluxDB refuses our credentials (HTTP %ld): check "
                    "export.influx.username and password: %.200s\n", x->conn.status, x->conn.body);
            return -1;
        case INFLUX_FAILED:
            fprintf(stderr, "tfexport-influx: InfluxDB answered HTTP %ld: %.300s\n", x->conn.status,
                    x->conn.body);
            return -1;
        case INFLUX_RETRY:
            break;
        }
        x->status.st.retries++;
        uint64_t wait = ex_backoff_next(&x->backoff);
        if (!announced || x->status.st.retries % 20 == 0)
            fprintf(stderr, "tfexport-influx: write failed (%s%s%ld); retrying in %" PRIu64
                    " ms, position kept at %" PRIu64 "\n", x->conn.error[0] ? x->conn.error : "HTTP ",
                    x->conn.error[0] ? ", status " : "", x->conn.status, wait / 1000000u,
                    x->pos.next_seq);
        announced = true;
        ex_status_publish(&x->status);
        ex_sleep(wait);
        if (ex_stop)
            return -2;
    }
}

static int flush(exporter *x)
{
    if (x->points) {
        int rc = send_lines(x, x->buf.p, x->buf.len, x->points);
        if (rc != 0)
            return rc;
    }
    save_position(x, x->batch_journal_id, x->batch_next_seq);
    x->buf.len = 0;
    x->points = 0;
    x->first_point_ns = 0;
    return 0;
}

static void report_gap(exporter *x)
{
    tf_journal_reader *r = &x->src.r;
    x->status.st.gaps++;
    x->status.st.gap_records += r->last_gap_to - r->last_gap_from + 1;
    fprintf(stderr, "tfexport-influx: GAP: the journal no longer holds sequences %" PRIu64 "..%" PRIu64
            " (%" PRIu64 " records, venue time after %" PRIu64 " ns): lost to InfluxDB\n",
            r->last_gap_from, r->last_gap_to, r->last_gap_to - r->last_gap_from + 1, x->ip.venue_clock_ns);
    int n = influx_points_gap(&x->ip, &x->buf, "influx", r->last_gap_from, r->last_gap_to, tf_realtime_ns());
    if (n > 0)
        x->points += (uint64_t)n;
}

static void usage(void)
{
    fprintf(stderr, "usage: tfexport-influx -c CONFIG [--until-idle MS] [--status NAME]\n");
}

int main(int argc, char **argv)
{
    static exporter x;
    const char *config = NULL, *status_name = "export-influx";
    uint64_t until_idle_ns = 0;
    static const struct option opts[] = {{"config", required_argument, 0, 'c'},
                                         {"until-idle", required_argument, 0, 'u'},
                                         {"status", required_argument, 0, 's'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    for (int o; (o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1;) {
        if (o == 'c')
            config = optarg;
        else if (o == 'u')
            until_idle_ns = strtoull(optarg, NULL, 10) * 1000000ull;
        else if (o == 's')
            status_name = optarg;
        else {
            usage();
            return o == 'h' ? 0 : 1;
        }
    }
    if (ex_load_config(config, &x.cfg) != 0)
        return 1;
    const tf_cfg_influx *ic = &x.cfg.export_.influx;
    if (!ic->enabled) {
        fprintf(stderr, "tfexport-influx: export.influx.enabled is false; nothing to do\n");
        return 0;
    }
    ex_install_signals();
    if (ex_mkdirs(x.cfg.export_.run_dir) != 0) {
        fprintf(stderr, "tfexport-influx: %s\n", tf_err_msg());
        return 1;
    }
    snprintf(x.pos_path, sizeof x.pos_path, "%s/export-influx.pos", x.cfg.export_.run_dir);
    if (ex_position_load(x.pos_path, &x.pos) < 0) {
        fprintf(stderr, "tfexport-influx: %s (fix or remove it: removing exports everything the "
                "journal holds again, which is harmless)\n", tf_err_msg());
        return 1;
    }
    influx_points_init(&x.ip, ic);
    x.ip.venue_clock_ns = x.pos.extra[0];
    for (unsigned i = 0; i < IP_MAX_SAMPLED; i++)
        x.ip.last_bucket[i] = x.pos.extra[1 + i];
    x.buf.cap = (size_t)ic->batch_points * IP_LINE_MAX + IP_LINE_MAX;
    x.buf.p = malloc(x.buf.cap);
    if (!x.buf.p || influx_open(&x.conn, ic, x.buf.cap) != 0) {
        fprintf(stderr, "tfexport-influx: %s\n", x.buf.p ? tf_err_msg() : "out of memory");
        return 1;
    }
    if (ex_status_open(&x.status, &x.cfg, status_name, "influx") != 0) {
        fprintf(stderr, "tfexport-influx: %s\n", tf_err_msg());
        return 1;
    }
    ex_backoff_init(&x.backoff, ic->retry_min_ns, ic->retry_max_ns);
    /* Create the database up front (idempotent on the server) rather than on
     * the first write's 404; a server that is down now is retried by writes. */
    if (ic->create_database && influx_create_database(&x.conn) == INFLUX_AUTH) {
        fprintf(stderr, "tfexport-influx: InfluxDB refuses our credentials (HTTP %ld)\n", x.conn.status);
        return 5;
    }
    ex_source_init(&x.src, &x.cfg);
    x.batch_journal_id = x.pos.journal_id;
    x.batch_next_seq = x.pos.next_seq;
    x.status.st.position = x.pos.next_seq;
    fprintf(stderr, "tfexport-influx: %s db=%s, position %" PRIu64 ", batches of %u points or %" PRIu64
            " ms\n", ic->url, ic->database, x.pos.next_seq, ic->batch_points, ic->batch_ns / 1000000u);

    int exit_code = 0;
    uint64_t last_publish = 0, last_record_ns = tf_now_ns(), last_attach_try = 0;
    tf_journal_slot *rec = calloc(1, 256);
    while (!ex_stop && rec) {
        uint64_t now = tf_now_ns();
        if (!x.src.attached && now - last_attach_try > 100000000ull) {
            last_attach_try = now;
            int a = ex_source_attach(&x.src, x.pos.journal_id, x.pos.next_seq);
            if (a < 0) {
                fprintf(stderr, "tfexport-influx: %s\n", tf_err_msg());
                exit_code = 1;
                break;
            }
            if (a == 0) {
                if (x.src.journal_id != x.pos.journal_id && x.pos.journal_id)
                    fprintf(stderr, "tfexport-influx: a new journal (engine restarted without a disk "
                            "journal): exporting it from its oldest record\n");
                x.batch_journal_id = x.src.journal_id;
                x.batch_next_seq = x.src.r.next_seq;
            }
        }
        bool idle = false;
        while (x.points < ic->batch_points) {
            ex_read_rc rc = ex_source_read(&x.src, rec);
            if (rc == EX_READ_OK) {
                if (!x.first_read_ns)
                    x.first_read_ns = now;
                const tf_md_instrument_info *in = NULL;
                if (rec->type >= TF_REC_MD_TRADE && rec->type <= TF_REC_MD_BAR)
                    in = ex_source_instrument(&x.src, *(const uint32_t *)rec->payload);
                int n = influx_points_add(&x.ip, &x.buf, rec, in);
                if (n > 0) {
                    if (!x.points) {
                        x.first_point_ns = tf_now_ns();
                        x.batch_due_ns = ex_jitter(&x.rng, ic->batch_ns, 10);
                    }
                    x.points += (uint64_t)n;
                }
                x.batch_next_seq = rec->seq + 1;
                last_record_ns = now;
            } else if (rc == EX_READ_GAP) {
                report_gap(&x);
                x.batch_next_seq = x.src.r.next_seq;
            } else if (rc == EX_READ_NEW_JOURNAL) {
                if ((exit_code = flush(&x)) != 0)
                    break;
                x.batch_journal_id = x.src.journal_id;
                x.batch_next_seq = x.src.r.next_seq;
            } else {
                idle = true;
                break;
            }
        }
        if (exit_code)
            break;
        now = tf_now_ns();
        bool due = x.points >= ic->batch_points ||
                   (x.points && now - x.first_point_ns >= x.batch_due_ns) ||
                   (!x.points && x.batch_next_seq != x.pos.next_seq && now - x.saved_ns > 1000000000ull);
        if (due && (exit_code = flush(&x)) != 0)
            break;
        uint64_t head = ex_source_head(&x.src);
        x.status.st.journal_head = head;
        x.status.st.behind_ns = ex_lag_update(&x.lag, head, x.pos.next_seq, now);
        if (now - last_publish > 100000000ull) {
            ex_status_publish(&x.status);
            last_publish = now;
        }
        if (idle) {
            if (until_idle_ns && now - last_record_ns > until_idle_ns && !x.points) {
                tf_seg_owner o = x.src.attached ? tf_segment_owner(&x.src.jseg, now, NULL) : TF_OWNER_CLOSED;
                if (o != TF_OWNER_LIVE)
                    break;
            }
            ex_sleep(1000000);
        }
    }
    if (exit_code == -2 || exit_code == 0) {
        /* Stopping: send what is batched, once (no retries at exit). */
        if (x.points && influx_write(&x.conn, x.buf.p, x.buf.len) == INFLUX_OK) {
            x.status.st.exported += x.points;
            save_position(&x, x.batch_journal_id, x.batch_next_seq);
        } else if (!x.points && x.batch_next_seq != x.pos.next_seq) {
            save_position(&x, x.batch_journal_id, x.batch_next_seq);
        }
        exit_code = 0;
    } else {
        exit_code = exit_code == -1 ? 5 : exit_code;
    }
    fprintf(stderr, "tfexport-influx: stopped at position %" PRIu64 ": %" PRIu64 " points exported, %"
            PRIu64 " rejected, %" PRIu64 " retries, %" PRIu64 " gaps\n", x.pos.next_seq,
            x.status.st.exported, x.status.st.rejected, x.status.st.retries, x.status.st.gaps);
    ex_latency_print(&x.lat, "tfexport-influx");
    if (x.last_ack_ns > x.first_read_ns && x.first_read_ns)
        fprintf(stderr, "tfexport-influx: %" PRIu64 " points in %.3f s from the first record read to the last "
                "acknowledgement: %.0f points/s\n", x.status.st.exported,
                (double)(x.last_ack_ns - x.first_read_ns) / 1e9,
                (double)x.status.st.exported * 1e9 / (double)(x.last_ack_ns - x.first_read_ns));
    free(rec);
    ex_status_close(&x.status);
    ex_source_close(&x.src);
    influx_close(&x.conn);
    free(x.buf.p);
    return exit_code;
}
