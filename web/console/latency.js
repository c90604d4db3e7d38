// The latency view: each hop's distribution from the engine's histograms
// (tfstat's frame), a percentile chart per hop, and tick to trade over time.
"use strict";
TF.nav("Latency");
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const us = (ns) => (ns / 1000).toFixed(ns < 10000 ? 2 : 1);
const W = Math.min(window.innerWidth - 40, 1200);
const hist = { t: [], p50: [], p99: [], p999: [] };
const t2t = new uPlot({ width: W, height: 200, scales: { x: { time: true } }, axes: [{ stroke: "#8aa0b4" }, { stroke: "#8aa0b4" }],
  series: [{}, { label: "p50", stroke: "#26a69a" }, { label: "p99", stroke: "#f0b429" }, { label: "p99.9", stroke: "#ef5350" }] },
  [[], [], [], []], document.getElementById("t2t"));
let dist = null;
const T2T = ["tick_to_send_ns", "tick_to_order_ns"];

function draw(s) {
  const h = s.histograms || {};
  const names = Object.keys(h).filter((k) => h[k].count > 0);
  document.querySelector("#hops tbody").innerHTML = names.map((k) => { const x = h[k];
    return `<tr data-hop="${esc(k)}"><td>${esc(k.replace(/_ns$/, ""))}</td><td>${esc(x.owner)}</td><td>${x.count}</td><td>${us(x.p50)}</td>` +
      `<td>${us(x.p90)}</td><td>${us(x.p99)}</td><td>${us(x.p999)}</td><td>${us(x.max)}</td></tr>`; }).join("");
  const key = T2T.find((k) => h[k] && h[k].count > 0);
  if (key) {
    hist.t.push(Date.now() / 1000); hist.p50.push(h[key].p50 / 1000); hist.p99.push(h[key].p99 / 1000); hist.p999.push(h[key].p999 / 1000);
    if (hist.t.length > 1200) for (const a of Object.values(hist)) a.shift();
    t2t.setData([hist.t, hist.p50, hist.p99, hist.p999]);
  }
  // Each hop's percentiles as one line: where the time goes, hop by hop.
  const qs = ["p50", "p90", "p99", "p999"];
  const data = [qs.map((_, i) => i), ...names.map((k) => qs.map((q) => h[k][q] / 1000))];
  if (!dist || dist.series.length !== names.length + 1) {
    if (dist) dist.destroy();
    dist = new uPlot({ width: W, height: 260, scales: { x: { time: false }, y: { distr: 3 } },
      axes: [{ stroke: "#8aa0b4", values: (u, v) => v.map((i) => qs[i] || "") }, { stroke: "#8aa0b4", label: "µs (log)" }],
      series: [{}, ...names.map((k, i) => ({ label: k.replace(/_ns$/, ""), stroke: `hsl(${(i * 47) % 360} 60% 60%)` }))] },
      data, document.getElementById("dist"));
  } else dist.setData(data);
}
window.TFPAGE = { hops: () => [...document.querySelectorAll("#hops tbody tr")].map((r) => r.dataset.hop) };
TF.on((k, d) => { if (k === "state") draw(d); });
TF.connect();
