#!/usr/bin/python3
"""Write TradeFan's Grafana dashboards (dashboards/*.json) from the panel
lists below, so every panel has the same shape and refers to the
provisioned datasources by uid. Run after editing; the JSON files are what
Grafana loads and what tests/monitoring/check_dashboards.py checks against
the metrics tfexport-prom serves and the measurements tfexport-influx writes.
  make_dashboards.py [OUT_DIR]"""
import json
import os
import sys

PROM = {"type": "prometheus", "uid": "tradefan-prometheus"}
INFLUX = {"type": "influxdb", "uid": "tradefan-influxdb"}


def prom(title, exprs, unit="short", kind="timeseries", legend=None, w=12, h=8):
    if isinstance(exprs, str):
        exprs = [exprs]
    targets = [{"datasource": PROM, "expr": e, "refId": chr(65 + i),
                "legendFormat": (legend[i] if legend else "")} for i, e in enumerate(exprs)]
    return {"type": kind, "title": title, "datasource": PROM, "targets": targets,
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "gridPos": {"w": w, "h": h}}


def influx(title, queries, unit="short", kind="timeseries", w=12, h=8):
    if isinstance(queries, str):
        queries = [queries]
    targets = [{"datasource": INFLUX, "query": q, "rawQuery": True, "resultFormat": "time_series",
                "refId": chr(65 + i)} for i, q in enumerate(queries)]
    return {"type": kind, "title": title, "datasource": INFLUX, "targets": targets,
            "fieldConfig": {"defaults": {"unit": unit}, "overrides": []}, "gridPos": {"w": w, "h": h}}


def hop_quantile(q, hop):
    return ('histogram_quantile(%s, sum by (le) (rate(trading_latency_seconds_bucket{hop="%s"}[1m])))' % (q, hop))


DASHBOARDS = {
    "overview": ("TradeFan: overview", [
        prom("Engine up", "tradefan_engine_up", kind="stat", w=4, h=4),
        prom("Kill switch", "tradefan_kill_switch_active", kind="stat", w=4, h=4),
        prom("Trading state", 'tradefan_trading_state == 1', kind="stat", legend=["{{state}}"], w=4, h=4),
        prom("Daily PnL", "tradefan_daily_pnl", unit="currencyUSD", kind="stat", w=4, h=4),
        prom("Daily loss used", "-tradefan_daily_pnl / tradefan_risk_limit_daily_loss", unit="percentunit",
             kind="gauge", w=4, h=4),
        prom("Open orders", "tradefan_open_orders", kind="stat", w=4, h=4),
        prom("PnL by strategy", 'trading_pnl{strategy!="all"}', unit="currencyUSD", legend=["{{strategy}} {{kind}}"]),
        prom("Positions", 'trading_positions{strategy="all"}', legend=["{{symbol}}"]),
        prom("Orders per second by status", "sum by (status) (rate(trading_orders_total[1m]))", unit="ops",
             legend=["{{status}}"]),
        prom("Tick to order p99", hop_quantile("0.99", "tick_to_order"), unit="s"),
        prom("Feed connected / venue sessions up",
             ["tradefan_feed_connected", "tradefan_venue_session_up"], legend=["feed", "session {{session}}"]),
        prom("Stage heartbeat age", "tradefan_stage_heartbeat_age_seconds", unit="s", legend=["{{stage}}"]),
    ]),
    "latency": ("TradeFan: latency per hop", [
        prom("p50 per hop", 'histogram_quantile(0.5, sum by (le, hop) (rate(trading_latency_seconds_bucket[1m])))',
             unit="s", legend=["{{hop}}"], w=24),
        prom("p99 per hop", 'histogram_quantile(0.99, sum by (le, hop) (rate(trading_latency_seconds_bucket[1m])))',
             unit="s", legend=["{{hop}}"], w=24),
        prom("p99.9 per hop", 'histogram_quantile(0.999, sum by (le, hop) (rate(trading_latency_seconds_bucket[1m])))',
             unit="s", legend=["{{hop}}"], w=24),
        prom("Feed: receive to decoded to journal",
             [hop_quantile("0.99", "md_recv_to_decoded"), hop_quantile("0.99", "md_recv_to_journal")], unit="s",
             legend=["received → decoded", "received → journal"]),
        prom("Order path", [hop_quantile("0.99", "risk_check"), hop_quantile("0.99", "order_request_to_venue"),
                            hop_quantile("0.99", "fix_order_rtt")], unit="s",
             legend=["risk check", "request → venue", "FIX round trip"]),
        prom("The tick, hop by hop (p99): market data to the order's send",
             [hop_quantile("0.99", h) for h in ("md_recv_to_decoded", "md_decoded_to_published", "strategy_md_wait",
                                                "strategy_decide", "risk_wait", "risk_check", "oms_wait",
                                                "oms_handle", "exio_wait", "exio_encode", "exio_submit")],
             unit="s", legend=["received → decoded", "decoded → journal", "journal → strategy",
                               "strategy decides", "→ risk gate", "risk check", "→ OMS", "OMS handles",
                               "→ venue stage", "FIX encode", "send submitted"], w=24),
        prom("Tick to send (whole engine)", [hop_quantile("0.5", "tick_to_send"), hop_quantile("0.99", "tick_to_send")],
             unit="s", legend=["p50", "p99"]),
        prom("Venue clock to us (median)", hop_quantile("0.5", "md_venue_to_local"), unit="s"),
        prom("Thread duty cycle",
             'rate(tradefan_thread_busy_seconds_total[1m]) / (rate(tradefan_thread_busy_seconds_total[1m]) + '
             'rate(tradefan_thread_idle_seconds_total[1m]))', unit="percentunit", legend=["{{thread}}"]),
    ]),
    "orders": ("TradeFan: orders and risk", [
        prom("Order events by status", "sum by (status, symbol) (rate(trading_orders_total[1m]))", unit="ops",
             legend=["{{symbol}} {{status}}"], w=24),
        prom("Risk refusals by reason", "sum by (reason) (rate(tradefan_risk_rejects_total[1m]))", unit="ops",
             legend=["{{reason}}"]),
        prom("Accepted vs refused", ["rate(tradefan_risk_accepted_total[1m])",
                                     "sum(rate(tradefan_risk_rejects_total[1m]))"], unit="ops",
             legend=["accepted", "refused"]),
        prom("Gross exposure vs limit", ["tradefan_gross_exposure", "tradefan_risk_limit_gross_exposure"],
             unit="currencyUSD", legend=["exposure", "limit"]),
        prom("Kill switch trips", "increase(tradefan_kill_switch_trips_total[1h])"),
        influx("Fills (quantity per minute)",
               'SELECT sum("qty") FROM "fills" WHERE $timeFilter GROUP BY time(1m), "symbol", "side" fill(0)'),
        influx("Fees paid", 'SELECT cumulative_sum(sum("fee")) FROM "fills" WHERE $timeFilter GROUP BY time(1m), "strategy"',
               unit="currencyUSD"),
        influx("Realized PnL after each fill",
               'SELECT last("realized") FROM "positions" WHERE $timeFilter GROUP BY time($__interval), "strategy", "symbol" fill(previous)',
               unit="currencyUSD"),
        influx("Position after each fill",
               'SELECT last("qty") FROM "positions" WHERE $timeFilter GROUP BY time($__interval), "strategy", "symbol" fill(previous)'),
        influx("Orders refused", 'SELECT count("order_id") FROM "orders" WHERE "status" = \'Rejected\' AND $timeFilter '
               'GROUP BY time(1m), "symbol"'),
    ]),
    "market-data": ("TradeFan: market data and bars", [
        influx("BTCUSDT close (1m bars)", 'SELECT last("close") FROM "market_data" WHERE "symbol" = \'BTCUSDT\' AND '
               '"timeframe" = \'1m\' AND $timeFilter GROUP BY time(1m) fill(none)', w=24),
        influx("Volume and VWAP (1m bars)", ['SELECT sum("volume") FROM "market_data" WHERE "symbol" = \'BTCUSDT\' AND $timeFilter GROUP BY time(1m)',
                                             'SELECT last("vwap") FROM "market_data" WHERE "symbol" = \'BTCUSDT\' AND $timeFilter GROUP BY time(1m)']),
        influx("Top of book (sampled)", ['SELECT last("bid") FROM "quotes" WHERE $timeFilter GROUP BY time($__interval), "symbol"',
                                         'SELECT last("ask") FROM "quotes" WHERE $timeFilter GROUP BY time($__interval), "symbol"']),
        prom("Messages per second", ["rate(tradefan_md_messages_total[1m])", "sum(rate(tradefan_md_trades_total[1m]))"],
             unit="ops", legend=["messages", "trades"]),
        prom("Gaps and resyncs", ["increase(tradefan_md_trade_gaps_total[5m])", "increase(tradefan_md_book_syncs_total[5m])",
                                  "sum(increase(tradefan_md_rejected_total[5m]))"],
             legend=["trade gaps", "book resyncs", "refused messages"]),
        prom("Feed: last message age", "tradefan_feed_last_message_age_seconds", unit="s"),
        prom("Reconnects", "increase(tradefan_feed_connects_total[1h])"),
        influx("Feed events", 'SELECT count("a") FROM "feed_events" WHERE $timeFilter GROUP BY time(1m), "kind"'),
    ]),
    "exporters": ("TradeFan: exporters and rings", [
        prom("Exporters up", "tradefan_exporter_up", kind="stat", legend=["{{exporter}}"], w=24, h=4),
        prom("Lag (journal records)", "tradefan_exporter_lag_records", legend=["{{exporter}}"]),
        prom("Behind", "tradefan_exporter_behind_seconds", unit="s", legend=["{{exporter}}"]),
        prom("Exported per second", "rate(tradefan_exporter_exported_total[1m])", unit="ops", legend=["{{exporter}}"]),
        prom("Retries and refusals", ["rate(tradefan_exporter_retries_total[5m])", "rate(tradefan_exporter_rejected_total[5m])"],
             legend=["{{exporter}} retries", "{{exporter}} refused"]),
        prom("Ring depth", "tradefan_ring_depth", legend=["{{ring}}"]),
        prom("Ring full events and drops", ["rate(tradefan_ring_full_events_total[1m])", "increase(tradefan_ring_drops_total[5m])"],
             legend=["{{ring}} full", "{{ring}} dropped"]),
        influx("Export gaps", 'SELECT sum("records") FROM "export_gaps" WHERE $timeFilter GROUP BY time(1m), "exporter"'),
    ]),
    "host": ("TradeFan: host", [
        prom("CPU busy per core", '1 - rate(node_cpu_seconds_total{mode="idle"}[1m])', unit="percentunit",
             legend=["cpu {{cpu}}"], w=24),
        prom("Memory available", "node_memory_MemAvailable_bytes", unit="bytes"),
        prom("Load", ["node_load1", "node_load5"], legend=["1m", "5m"]),
        prom("Network", ["rate(node_network_receive_bytes_total[1m])", "rate(node_network_transmit_bytes_total[1m])"],
             unit="Bps", legend=["{{device}} in", "{{device}} out"]),
        prom("Disk busy", "rate(node_disk_io_time_seconds_total[1m])", unit="percentunit", legend=["{{device}}"]),
        prom("Context switches", "rate(node_context_switches_total[1m])", unit="ops"),
    ]),
}


def layout(panels):
    x = y = row_h = 0
    for i, p in enumerate(panels):
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if x + w > 24:
            x, y, row_h = 0, y + row_h, 0
        p["gridPos"].update({"x": x, "y": y})
        p["id"] = i + 1
        x += w
        row_h = max(row_h, h)
    return panels


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards")
    os.makedirs(out, exist_ok=True)
    for uid, (title, panels) in DASHBOARDS.items():
        doc = {"uid": "tradefan-" + uid, "title": title, "tags": ["tradefan"], "timezone": "utc",
               "schemaVersion": 38, "version": 1, "refresh": "5s", "time": {"from": "now-1h", "to": "now"},
               "panels": layout(panels), "templating": {"list": []}, "annotations": {"list": []}}
        with open(os.path.join(out, uid + ".json"), "w") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)
            f.write("\n")


main()
