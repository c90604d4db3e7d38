// The console's connection: one WebSocket to tfconsole, resumed after a
// drop from the last trade id seen per instrument (no gap, no duplicate),
// and the state every page draws from. Pages register what they draw.
"use strict";

const TF = (() => {
  const st = {
    instruments: {},   // symbol -> {price_precision, qty_precision, exchange}
    bars: {},          // symbol -> [bar...] oldest first (closed)
    live: {},          // symbol -> the bar being built
    top: {},           // symbol -> {bid, bid_qty, ask, ask_qty, book_synced}
    depth: {},         // symbol -> the ladder {synced, update_id, bids:[[price, qty]...], asks}
    trades: {},        // symbol -> [trade...] oldest first, at most 200
    lastSeq: {},       // symbol -> journal seq of the newest trade drawn (the resume point)
    journal: "",       // the journal those seqs belong to
    state: null,       // tfstat's JSON (engine, orders, positions, latency, health)
    openOrders: [],    // from the engine's order table
    fills: [],         // oldest first, each once (by its journal seq), at most 500
    lastFillSeq: 0,
    pnl: [],           // [t_ms, daily PnL] every 5 s
    connected: false, operator: false, instance: "", gaps: 0, reconnects: 0,
    received: {},      // symbol -> every trade id drawn, in order (for the tests: no gap, no repeat)
  };
  const listeners = [];
  let ws = null, retry = 250;

  function emit(kind, detail) { for (const f of listeners) f(kind, detail); }

  function addTrades(sym, list) {
    const have = st.trades[sym] || (st.trades[sym] = []);
    let last = st.lastSeq[sym] || 0;
    const fresh = [];
    for (const t of list) {
      if (t.seq <= last) continue; // a resend after a reconnect: drawn already
      have.push(t); fresh.push(t); last = t.seq;
      const r = st.received[sym] || (st.received[sym] = []);
      if (r.length < 100000) r.push(t);
    }
    st.lastSeq[sym] = last;
    if (have.length > 200) have.splice(0, have.length - 200);
    return fresh;
  }

  function addBars(sym, list) {
    const have = st.bars[sym] || (st.bars[sym] = []);
    for (const b of list) {
      const i = have.length ? have.length - 1 : -1;
      if (i >= 0 && have[i].open_time === b.open_time) have[i] = b;      // a revision
      else if (i < 0 || have[i].open_time < b.open_time) have.push(b);
      else {
        const j = have.findIndex((x) => x.open_time === b.open_time);
        if (j >= 0) have[j] = b;
      }
    }
    if (have.length > 1440) have.splice(0, have.length - 1440);
  }

  function addFills(list) {
    const fresh = [];
    for (const f of list) {
      if (f.seq <= st.lastFillSeq) continue;
      st.fills.push(f); fresh.push(f); st.lastFillSeq = f.seq;
    }
    if (st.fills.length > 500) st.fills.splice(0, st.fills.length - 500);
    return fresh;
  }

  function onMessage(ev) {
    const m = JSON.parse(ev.data);
    if (m.type === "hello") {
      st.instance = m.instance; st.operator = m.operator;
      if (m.journal !== st.journal) { st.lastSeq = {}; st.journal = m.journal; } // a new journal: its seqs start over
      for (const i of m.instruments) st.instruments[i.symbol] = i;
      // Resume: only what we have not drawn.
      ws.send(JSON.stringify({ type: "resume", after: st.lastSeq, fills_after: st.lastFillSeq }));
      emit("hello", m);
    } else if (m.type === "history") {
      if (m.gap) { st.gaps++; emit("gap", m); }
      addBars(m.symbol, m.bars || []);
      if (m.depth) st.depth[m.symbol] = m.depth;
      const fresh = addTrades(m.symbol, m.trades || []);
      emit("history", { symbol: m.symbol, trades: fresh });
    } else if (m.type === "frame") {
      for (const [sym, d] of Object.entries(m.md || {})) {
        if (d.top) st.top[sym] = d.top;
        if (d.depth) st.depth[sym] = d.depth;
        if (d.bar) st.live[sym] = d.bar;
        if (d.bars) addBars(sym, d.bars);
        const fresh = d.trades ? addTrades(sym, d.trades) : [];
        emit("md", { symbol: sym, frame: m.seq, trades: fresh, bars: d.bars || [], bar: d.bar, top: d.top, depth: d.depth });
      }
    } else if (m.type === "record") {
      addFills(m.fills || []);
      const last = st.pnl.length ? st.pnl[st.pnl.length - 1][0] : 0;
      for (const p of m.pnl || []) if (p[0] > last) st.pnl.push(p);
      emit("record", m);
    } else if (m.type === "state") {
      st.state = m.state;
      st.openOrders = m.open_orders || [];
      addFills(m.fills || []);
      for (const p of m.pnl || []) st.pnl.push(p);
      emit("state", m.state);
    } else if (m.type === "answer") {
      emit("answer", m);
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const token = sessionStorage.getItem("tf-token");
    ws = new WebSocket(proto + "//" + location.host + "/ws", token ? ["tf-console", "bearer." + token] : ["tf-console"]);
    ws.onopen = () => { st.connected = true; retry = 250; emit("connection", true); };
    ws.onmessage = onMessage;
    ws.onclose = () => {
      st.connected = false; st.reconnects++;
      emit("connection", false);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }

  // Operator actions: over HTTP with the operator's token (the server refuses without it).
  async function act(action, arg) {
    const token = sessionStorage.getItem("tf-token") || "";
    const r = await fetch("/v1/op/" + action + (arg ? "?" + new URLSearchParams(arg) : ""), {
      method: "POST", headers: token ? { Authorization: "Bearer " + token } : {},
    });
    return { status: r.status, body: await r.json() };
  }

  function fmtAge(ns) { return ns < 1e6 ? (ns / 1e3).toFixed(0) + " us" : ns < 1e9 ? (ns / 1e6).toFixed(1) + " ms" : (ns / 1e9).toFixed(1) + " s"; }

  function nav(active) {
    const pages = [["index.html", "Market"], ["trading.html", "Trading"], ["latency.html", "Latency"], ["health.html", "Health"]];
    const el = document.getElementById("nav");
    el.innerHTML = pages.map(([h, t]) => `<a href="${h}"${t === active ? ' class="on"' : ""}>${t}</a>`).join("") +
      '<span id="conn" class="conn">connecting</span>';
    listeners.push((k) => {
      if (k !== "connection" && k !== "hello") return;
      const c = document.getElementById("conn");
      c.textContent = st.connected ? `live · ${st.instance}` : "reconnecting";
      c.className = "conn " + (st.connected ? "ok" : "bad");
    });
  }

  // Drop the connection as a network would (tests): it comes back by itself.
  function drop() { if (ws) ws.close(); }

  return { st, on: (f) => listeners.push(f), connect, act, nav, fmtAge, drop };
})();
