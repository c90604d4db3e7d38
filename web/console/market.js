// The market view: 1-minute candles with volume (lightweight-charts), the
// bar being built moving live, the top of the book and the newest trades.
"use strict";
TF.nav("Market");
const chart = LightweightCharts.createChart(document.getElementById("candles"), {
  layout: { background: { color: "#0f1419" }, textColor: "#c5ced6" },
  grid: { vertLines: { color: "#1c252e" }, horzLines: { color: "#1c252e" } },
  timeScale: { timeVisible: true, secondsVisible: false },
  autoSize: true,
});
const candles = chart.addCandlestickSeries({ upColor: "#26a69a", downColor: "#ef5350", borderVisible: false,
  wickUpColor: "#26a69a", wickDownColor: "#ef5350" });
const volume = chart.addHistogramSeries({ priceScaleId: "vol", priceFormat: { type: "volume" } });
chart.priceScale("vol").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
const sel = document.getElementById("symbol");
let symbol = new URLSearchParams(location.search).get("symbol");

const candle = (b) => ({ time: b.open_time / 1000, open: +b.open, high: +b.high, low: +b.low, close: +b.close });
const vol = (b) => ({ time: b.open_time / 1000, value: +b.volume, color: +b.close >= +b.open ? "#26a69a80" : "#ef535080" });

function redrawAll() {
  const bars = TF.st.bars[symbol] || [];
  candles.setData(bars.map(candle));
  volume.setData(bars.map(vol));
  const live = TF.st.live[symbol];
  if (live && (!bars.length || live.open_time > bars[bars.length - 1].open_time)) {
    candles.update(candle(live));
    volume.update(vol(live));
  }
  drawTrades();
}

function drawBook() {
  const t = TF.st.top[symbol];
  if (t) document.getElementById("last").textContent = t.update_id ? t.bid + " / " + t.ask : "no quote yet";
  const d = TF.st.depth[symbol];
  if (!d) return;
  // The ladder: asks above (the nearest at the bottom), bids below, a bar for each size.
  const max = Math.max(1e-12, ...d.bids.map((l) => +l[1]), ...d.asks.map((l) => +l[1]));
  const row = (l, cls) => `<tr class="lvl" data-side="${cls}"><td class="${cls}">${l[0]}</td><td>${l[1]}</td>` +
    `<td class="depthbar"><div class="${cls}bar" style="width:${(100 * l[1] / max).toFixed(1)}%"></div></td></tr>`;
  document.querySelector("#ladder tbody").innerHTML =
    d.asks.slice().reverse().map((l) => row(l, "sell")).join("") + '<tr class="spread"><td colspan="3"></td></tr>' +
    d.bids.map((l) => row(l, "buy")).join("");
  document.getElementById("booksync").textContent = d.synced ? `book synced, update ${d.update_id}` :
    d.update_id ? "book NOT synced (waiting for a snapshot)" : "no depth yet";
}

function drawTrades() {
  const list = (TF.st.trades[symbol] || []).slice(-30).reverse();
  document.querySelector("#trades tbody").innerHTML = list.map((t) =>
    `<tr data-id="${t.id}"><td>${new Date(t.time).toISOString().slice(11, 23)}</td><td class="${t.side}">${t.price}</td>` +
    `<td>${t.qty}</td><td>${t.side}</td></tr>`).join("");
}

// What the page shows, for the browser tests (the same numbers as drawn).
window.TFPAGE = {
  symbol: () => symbol,
  candles: () => candles.data().map((c) => ({ time: c.time, open: c.open, high: c.high, low: c.low, close: c.close })),
  closedBars: () => (TF.st.bars[symbol] || []).slice(),
  top: () => TF.st.top[symbol] || null,
  ladder: () => TF.st.depth[symbol] || null,
  shownTrades: () => [...document.querySelectorAll("#trades tbody tr")].map((r) => +r.dataset.id),
  painted: {},   // trade id -> wall-clock ms when its row was on screen
  gaps: () => TF.st.gaps, reconnects: () => TF.st.reconnects,
};

TF.on((kind, d) => {
  if (kind === "hello") {
    const syms = Object.keys(TF.st.instruments);
    if (!symbol || !syms.includes(symbol)) symbol = syms[0];
    sel.innerHTML = syms.map((s) => `<option${s === symbol ? " selected" : ""}>${s}</option>`).join("");
  } else if (kind === "history" && d.symbol === symbol) {
    redrawAll();
    drawBook();
  } else if (kind === "md" && d.symbol === symbol) {
    // update() draws the newest candle only: a revision of an older bar, or
    // a bar being built that is behind the newest closed one, redraws all.
    const newest = () => { const c = candles.data(); return c.length ? c[c.length - 1].time * 1000 : 0; };
    for (const b of d.bars) {
      if (b.open_time < newest()) { redrawAll(); continue; }
      candles.update(candle(b)); volume.update(vol(b));
    }
    if (d.bar && d.bar.open_time > newest() - 1 && !(TF.st.bars[symbol] || []).some((b) => b.open_time === d.bar.open_time)) { candles.update(candle(d.bar)); volume.update(vol(d.bar)); }
    if (d.bar) document.getElementById("barinfo").textContent = `bar ${d.bar.trades} trades, vwap ${d.bar.vwap}`;
    if (d.top || d.depth) drawBook();
    if (d.trades.length) {
      drawTrades();
      // The rows are in the DOM; the next frame puts them on screen.
      const ids = d.trades.map((t) => t.id);
      requestAnimationFrame(() => { const now = Date.now(); for (const id of ids) TFPAGE.painted[id] = now; });
    }
  }
});
sel.onchange = () => { symbol = sel.value; history.replaceState(null, "", "?symbol=" + symbol); redrawAll(); drawBook(); };
TF.connect();
