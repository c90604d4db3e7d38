// The web console in headless Chromium (Debian's), driven by playwright-core
// (pinned in web/package-lock.json), against a running engine, tfsim,
// tfquery and tfconsole started by tests/integration/test_console.sh.
//   node console_test.mjs CONSOLE_URL QUERY_URL OPERATOR_TOKEN ARTIFACTS_DIR
// Checks, printing ok/FAIL each; exit 1 on any failure:
//  1. every page loads without a console error (a screenshot of each)
//  2. the candles, the top of the book and the positions the pages show
//     equal tfquery's JSON at the same moment
//  3. a trade from tfsim is on screen within a measured time (printed)
//  4. a dropped WebSocket resumes without gaps or repeats
//  5. operator actions: refused without the token or with a wrong one,
//     done with it (the kill switch on, then off)
import { chromium } from "../../web/node_modules/playwright-core/index.mjs";
import { mkdirSync } from "node:fs";

const [base, query, opToken, artifacts] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
let fails = 0;
const check = (what, ok, detail = "") => {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}${detail ? " (" + detail + ")" : ""}`);
  if (!ok) fails++;
};
const q = async (path) => (await fetch(query + path)).json();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(page, fn, ms, arg) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await page.evaluate(fn, arg).catch(() => false)) return true;
    await sleep(100);
  }
  return false;
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const open = async (path) => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + path);
  return { page, errors };
};

console.log("1. every page loads without a console error");
const pages = {};
for (const p of ["index.html", "trading.html", "latency.html", "health.html"]) {
  pages[p] = await open(p);
}
await until(pages["index.html"].page, () => window.TFPAGE && TFPAGE.candles().length > 0 && TFPAGE.top(), 10000);
await until(pages["trading.html"].page, () => document.querySelectorAll("#positions tbody tr").length > 0, 10000);
await until(pages["health.html"].page, () => TFPAGE.cards().length > 3, 10000);
await until(pages["latency.html"].page, () => TFPAGE.hops().length > 3, 10000);
for (const [p, { page, errors }] of Object.entries(pages)) {
  await page.screenshot({ path: `${artifacts}/${p.replace(".html", "")}.png` });
  check(`${p}: no console error`, errors.length === 0, errors.join("; "));
}
const health = await pages["health.html"].page.evaluate(() => TFPAGE.cards());
check("health: the engine, its thread, the feed and trading are shown healthy",
  ["feed", "trading"].every((n) => health.some((c) => c.name === n && c.ok)) && health.some((c) => c.name.startsWith("engine ") && c.ok),
  health.filter((c) => !c.ok).map((c) => c.name).join(", ") || `${health.length} cards`);

console.log("2. what the pages show equals tfquery's JSON");
const market = pages["index.html"].page;
const sym = await market.evaluate(() => TFPAGE.symbol());
// Closed bars: the page's against tfquery's for the same range.
await until(market, () => TFPAGE.closedBars().length > 0, 75000);
const shown = await market.evaluate(() => TFPAGE.closedBars());
const qb = shown.length ? await q(`/v1/bars?symbol=${sym}&start=${shown[0].open_time}&end=${shown[shown.length - 1].open_time}`) : { bars: [] };
check(`${sym}: ${shown.length} closed bars equal tfquery's`, shown.length > 0 &&
  JSON.stringify(qb.bars) === JSON.stringify(shown), `tfquery ${qb.bars.length} from ${qb.source}`);
const candles = await market.evaluate(() => TFPAGE.candles());
const drawn = new Map(candles.map((c) => [c.time * 1000, c]));
const same = shown.every((b) => { const c = drawn.get(b.open_time);
  return c && c.open === +b.open && c.high === +b.high && c.low === +b.low && c.close === +b.close; });
check("the candles drawn are those bars (open, high, low, close)", same, `${candles.length} candles`);
// Top of the book: tfquery before, the page, tfquery after: the page's update between.
let topOk = false, topDetail = "";
for (let i = 0; i < 20 && !topOk; i++) {
  const a = await q(`/v1/quote?symbol=${sym}`);
  const t = await market.evaluate(() => TFPAGE.top());
  const b = await q(`/v1/quote?symbol=${sym}`);
  topDetail = `page ${t && t.update_id}, tfquery ${a.update_id}..${b.update_id}`;
  topOk = t && a.update_id === b.update_id && t.update_id === a.update_id && t.bid === a.bid && t.ask === a.ask &&
    t.bid_qty === a.bid_qty && t.ask_qty === a.ask_qty;
  if (!topOk) await sleep(20);
}
check("the top of the book equals tfquery's /v1/quote", topOk, topDetail);
// The ladder (rebuilt by tfconsole from the journal's depth records): its
// best levels are the engine's top of book when both name the same update.
let ladOk = false, ladDetail = "";
for (let i = 0; i < 40 && !ladOk; i++) {
  const a = await q(`/v1/quote?symbol=${sym}`);
  const l = await market.evaluate(() => TFPAGE.ladder());
  ladDetail = `ladder ${l && l.update_id} ${l && l.bids[0]} / ${l && l.asks[0]}, tfquery ${a.update_id} ${a.bid} / ${a.ask}`;
  ladOk = l && l.synced && l.update_id === a.update_id && l.bids[0][0] === a.bid && l.bids[0][1] === a.bid_qty &&
    l.asks[0][0] === a.ask && l.asks[0][1] === a.ask_qty && l.bids.length === 10 && l.asks.length === 10;
  if (!ladOk) await sleep(30);
}
check("the depth ladder's best levels equal tfquery's top of book (10 levels a side)", ladOk, ladDetail);
const trading = pages["trading.html"].page;
let posOk = false, posDetail = "";
for (let i = 0; i < 30 && !posOk; i++) {
  const qp = await q(`/v1/positions`);
  const pp = await trading.evaluate(() => TFPAGE.positions());
  const want = (qp.positions || []).filter((p) => p.strategy !== 0)
    .map((p) => [p.symbol + (p.strategy === "all" ? "" : "/" + p.strategy), p.qty]);
  const have = new Map(pp.map((p) => [p.key, p.qty]));
  posDetail = JSON.stringify(want.slice(0, 3)) + " vs " + JSON.stringify(pp.slice(0, 3));
  posOk = want.length > 0 && want.every(([k, v]) => have.get(k) === v);
  if (!posOk) await sleep(200);
}
check("the positions equal tfquery's /v1/positions", posOk, posDetail);

console.log("3. tick to pixel: a trade from tfsim on screen");
await market.evaluate(() => { TFPAGE.painted = {}; });
await sleep(5000);
const lat = await market.evaluate(() => {
  const times = Object.fromEntries((TF.st.trades[TFPAGE.symbol()] || []).map((t) => [t.id, t.time]));
  return Object.entries(TFPAGE.painted).filter(([id]) => times[id]).map(([id, at]) => at - times[id]).sort((a, b) => a - b);
});
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
check(`tick to pixel over ${lat.length} trades: p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${lat[lat.length - 1]} ms`, lat.length > 10);
console.log(`tick_to_pixel_ms p50=${pct(0.5)} p99=${pct(0.99)} max=${lat[lat.length - 1]} n=${lat.length}`);

console.log("4. a dropped connection resumes without gaps or repeats");
const before = await market.evaluate(() => TF.st.reconnects);
await market.evaluate(() => TF.drop());
await sleep(1500);
await market.evaluate(() => TF.drop());
await sleep(3000);
const r = await market.evaluate(() => ({ reconnects: TF.st.reconnects, gaps: TF.st.gaps, got: TF.st.received[TFPAGE.symbol()] || [] }));
const ids = r.got.map((t) => t.id);
const dup = ids.length - new Set(ids).size;
const sorted = r.got.every((t, i) => i === 0 || t.seq > r.got[i - 1].seq);
check(`reconnected twice (${r.reconnects - before}), ${ids.length} trades drawn in journal order, none twice`,
  r.reconnects - before >= 2 && dup === 0 && sorted && r.gaps === 0, `dup ${dup}, gaps ${r.gaps}`);
// None missing: every trade tfquery holds from the first drawn to the last drawn was drawn.
const qt = await q(`/v1/trades?symbol=${sym}&limit=1000`);
const drawnSet = new Set(ids);
const firstAt = qt.trades.findIndex((t) => t.id === ids[0]), lastAt = qt.trades.findIndex((t) => t.id === ids[ids.length - 1]);
const tail = qt.trades.slice(Math.max(0, firstAt), lastAt + 1);
const missing = tail.filter((t) => !drawnSet.has(t.id)).length;
check(`no trade missing across the drops (${tail.length} of tfquery's newest compared)`, tail.length > 0 && missing === 0, `${missing} missing`);

console.log("5. operator actions");
const op = async (path, token) => (await fetch(base + "v1/op/" + path, { method: "POST", headers: token ? { Authorization: "Bearer " + token } : {} })).status;
check("without the token: 401", (await op("kill?on=1")) === 401);
check("with a wrong token: 401", (await op("kill?on=1", "wrong")) === 401);
check("a GET: 405", (await fetch(base + "v1/op/kill?on=1")).status === 405);
check("an action that does not exist: 400", (await op("explode", opToken)) === 400);
const on = await trading.evaluate(async (t) => { document.getElementById("token").value = t; return (await TFPAGE.act("kill", { on: 1 })).status; }, opToken);
check("the kill switch on from the trading page, with the token: 200", on === 200, String(on));
check("  ... and shown ON", await until(trading, () => /kill switch ON/.test(document.getElementById("tstate").textContent), 5000));
await trading.screenshot({ path: `${artifacts}/trading-kill.png` });
check("the kill switch off: 200", (await op("kill?on=0", opToken)) === 200);
check("  ... and shown off", await until(trading, () => /kill switch off/.test(document.getElementById("tstate").textContent), 5000));

await browser.close();
console.log(`console browser tests: ${fails} failed`);
process.exit(fails ? 1 : 0);
