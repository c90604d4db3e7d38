// The health view: every process and session, with what is wrong in words
// (from tfstat's frame: the engine, its threads and stages, the feed, the
// venue sessions, the exporters and tfquery, the watchdog, the error log).
"use strict";
TF.nav("Health");
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const ok = (good, text) => `<span class="${good ? "ok" : "bad"}">${esc(text)}</span>`;

function card(title, good, lines) {
  return `<div class="card" data-health="${esc(title)}" data-ok="${good ? 1 : 0}"><h3>${ok(good, (good ? "● " : "▲ ") + title)}</h3>` +
    lines.map((l) => `<div>${l}</div>`).join("") + "</div>";
}

function draw(s) {
  const cards = [];
  const live = s.status === "live";
  const hb = s.heartbeat_age_ns;
  cards.push(card("engine " + s.instance, live && hb < 1e9, [
    `status ${esc(s.status)}, phase ${esc(s.phase)}, pid ${s.pid}`,
    `heartbeat ${TF.fmtAge(hb)} ago${hb >= 1e9 && live ? " — STUCK?" : ""}`,
    `up ${TF.fmtAge(s.uptime_ns)}, layout ${esc(s.layout_version)}`]));
  for (const t of s.threads || [])
    cards.push(card("thread " + t.name, t.heartbeat_age_ns < 1e9 || !live,
      [`cpu ${t.cpu}, ${esc(t.idle)}, busy ${t.duty_pct}%`, `heartbeat ${TF.fmtAge(t.heartbeat_age_ns)} ago, max cycle ${TF.fmtAge(t.max_cycle_ns)}`]));
  const c = s.counters || {};
  const feedUp = c["feed/feed_connected"] === 1;
  cards.push(card("feed", feedUp, [feedUp ? "connected" : "NOT connected: no market data",
    `connects ${c["feed/feed_connects"] || 0}, disconnects ${c["feed/feed_disconnects"] || 0}, rejected ${c["feed/md_rejected"] || 0}`,
    `trade gaps ${c["feed/md_trade_gaps"] || 0}, book resyncs ${c["feed/md_book_syncs"] || 0}`]));
  for (const v of (s.venue && s.venue.sessions) || []) {
    const up = v.state === "active" || v.state === "logged_on";
    cards.push(card("FIX session " + v.session, up, [`state ${esc(v.state)}${v.problem ? ": " + esc(v.problem) : ""}`,
      `order round trip ${TF.fmtAge(v.order_rtt_ns || 0)}, in ${v.messages_in}, out ${v.messages_out}, garbled ${v.garbled}`]));
  }
  for (const [name, e] of Object.entries(s.exporters || {})) {
    const store = name !== "query"; /* tfquery serves; it has no store of its own to lose */
    const good = e.status === "live" && (!store || e.connected === 1) && e.behind_ns < 5e9;
    const why = e.status !== "live" ? `process ${e.status}` : store && e.connected !== 1 ? "its store is not answering" :
      e.behind_ns >= 5e9 ? `behind by ${TF.fmtAge(e.behind_ns)}` : "exporting";
    cards.push(card(name, good, [esc(why), `exported ${e.exported}, retries ${e.retries}, gaps ${e.gaps}, behind ${TF.fmtAge(e.behind_ns)}`]));
  }
  if (s.watchdog) cards.push(card("watchdog", s.watchdog.status === "live" && !s.watchdog.stalled_now,
    [`${esc(s.watchdog.status)}, stalls ${s.watchdog.stalls}${s.watchdog.stalled_now ? ", STALLED: " + esc(s.watchdog.last_stage) : ""}`]));
  const o = s.orders || {};
  cards.push(card("trading", o.trading_state === "ACTIVE" && !o.kill_active,
    [`state ${esc(o.trading_state)}, kill switch ${o.kill_active ? "ON" : "off"}`, `open orders ${o.open_orders}, daily PnL ${o.daily_pnl}`]));
  document.getElementById("cards").innerHTML = cards.join("");
  const bad = cards.filter((x) => x.includes('data-ok="0"')).length;
  document.getElementById("summary").innerHTML = bad ? ok(false, `${bad} need attention`) : ok(true, "everything is healthy");
  document.querySelector("#errors tbody").innerHTML = (s.errors || []).map((e) =>
    `<tr><td>${esc(e.owner)}</td><td>${esc(e.code)}</td><td>${e.count}</td><td>${TF.fmtAge(e.last_age_ns)} ago</td><td>${esc(e.detail)}</td></tr>`).join("");
}
window.TFPAGE = { cards: () => [...document.querySelectorAll("[data-health]")].map((c) => ({ name: c.dataset.health, ok: c.dataset.ok === "1" })) };
TF.on((k, d) => { if (k === "state") draw(d); });
TF.connect();
