// The trading view: positions and the day's PnL, open orders, fills; the
// operator's actions (kill switch, trading state, cancel all), refused by
// the server without the operator's token.
"use strict";
TF.nav("Trading");
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const byId = () => Object.fromEntries(Object.values(TF.st.instruments).map((i) => [i.id, i]));
const units = (v, p) => (v / 10 ** p).toFixed(p);

const pnlPlot = new uPlot({ width: Math.min(window.innerWidth - 40, 1200), height: 180, series: [{}, { label: "PnL", stroke: "#26a69a", width: 1.5 }],
  axes: [{ stroke: "#8aa0b4" }, { stroke: "#8aa0b4" }], scales: { x: { time: true } } }, [[], []], document.getElementById("pnlchart"));

function draw(s) {
  const o = s.orders || {};
  document.getElementById("tstate").innerHTML = `trading <b>${esc(o.trading_state)}</b>, kill switch ` +
    (o.kill_active ? '<b class="bad">ON</b>' : '<b class="ok">off</b>') + `, open orders ${o.open_orders}, daily PnL <b>${o.daily_pnl}</b>`;
  const ins = byId();
  document.querySelector("#positions tbody").innerHTML = (o.positions || []).filter((p) => p.strategy !== 0 || !p.key.includes("/"))
    .map((p) => { const i = ins[p.instrument] || { price_precision: 0, qty_precision: 0 };
      return `<tr data-key="${esc(p.key)}"><td>${esc(p.key.split("/")[0])}</td><td>${p.key.includes("/") ? p.strategy : "all"}</td>` +
        `<td>${units(p.qty, i.qty_precision)}</td><td>${units(p.avg_px, i.price_precision)}</td><td>${p.realized.toFixed(8)}</td>` +
        `<td>${p.unrealized.toFixed(8)}</td><td>${p.fees.toFixed(8)}</td><td>${p.fills}</td></tr>`; }).join("");
  document.querySelector("#orders tbody").innerHTML = TF.st.openOrders.map((x) =>
    `<tr data-id="${x.order_id}"><td>${x.order_id}</td><td>${esc(x.symbol)}</td><td>${x.strategy}</td><td class="${x.side}">${x.side}</td>` +
    `<td>${x.type}</td><td>${esc(x.status)}</td><td>${x.price}</td><td>${x.qty}</td><td>${x.filled}</td></tr>`).join("");
  document.querySelector("#fills tbody").innerHTML = TF.st.fills.slice(-50).reverse().map((f) =>
    `<tr data-seq="${f.seq}"><td>${new Date(f.time).toISOString().slice(11, 23)}</td><td>${f.order_id}</td><td>${esc(f.symbol)}</td>` +
    `<td>${f.strategy}</td><td class="${f.side}">${f.side}</td><td>${f.price}</td><td>${f.qty}</td><td>${f.fee}</td><td>${f.liquidity}</td></tr>`).join("");
  // Parents: quantities in the instrument's units (tfstat's frame gives units).
  const bySym = TF.st.instruments;
  document.querySelector("#parents tbody").innerHTML = (s.parents || []).map((a) => {
    const i = bySym[a.symbol] || { price_precision: 0, qty_precision: 0 };
    const pct = a.qty ? (100 * a.filled / a.qty).toFixed(1) : "0.0";
    return `<tr data-parent="${a.parent_id}"><td>${a.parent_id}</td><td>${esc(a.algo)}</td><td>${esc(a.symbol)}</td>` +
      `<td class="${esc(a.side)}">${esc(a.side)}</td><td>${esc(a.state)}</td>` +
      `<td><progress max="100" value="${pct}"></progress> ${pct}%</td><td>${units(a.filled, i.qty_precision)} / ${units(a.qty, i.qty_precision)}</td>` +
      `<td>${units(a.target, i.qty_precision)}</td><td>${units(a.avg_px, i.price_precision)}</td><td>${a.slippage_bp}</td>` +
      `<td>${a.vs_vwap_bp}</td><td>${a.children}</td></tr>`; }).join("");
  pnlPlot.setData([TF.st.pnl.map((p) => p[0] / 1000), TF.st.pnl.map((p) => p[1])]);
  document.getElementById("ops").style.display = "";
}

async function act(action, arg) {
  sessionStorage.setItem("tf-token", document.getElementById("token").value);
  const r = await TF.act(action, arg);
  document.getElementById("opanswer").textContent = `${r.status}: ${r.body.error || r.body.answer}`;
  return r;
}
document.getElementById("kill").onclick = () => act("kill", { on: 1 });
document.getElementById("unkill").onclick = () => act("kill", { on: 0 });
document.getElementById("setstate").onclick = () => act("state", { value: document.getElementById("state").value });
document.getElementById("cancelall").onclick = () => act("cancel-all");
document.getElementById("token").value = sessionStorage.getItem("tf-token") || "";

window.TFPAGE = {
  positions: () => [...document.querySelectorAll("#positions tbody tr")].map((r) => ({ key: r.dataset.key, qty: r.children[2].textContent, realized: r.children[4].textContent })),
  openOrders: () => TF.st.openOrders.slice(), fills: () => TF.st.fills.slice(), act,
};
TF.on((k, d) => { if (k === "state") draw(d); });
TF.connect();
