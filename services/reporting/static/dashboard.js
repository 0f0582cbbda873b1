// postloan reporting dashboard: polls /v1/dashboard and draws inline SVG. No libraries.
(function () {
  "use strict";
  const KEY = "postloan.reporting.token";
  const $ = (id) => document.getElementById(id);
  const NS = "http://www.w3.org/2000/svg";
  const COLORS = { normal: "#2a9d8f", special_mention: "#e9c46a", substandard: "#f4a261",
    doubtful: "#e76f51", loss: "#9b2226", current: "#2a9d8f", M1: "#8ab17d", M2: "#e9c46a",
    M3: "#f4a261", M4: "#e76f51", "M5+": "#9b2226" };
  const PALETTE = ["#1d3557", "#e63946", "#2a9d8f", "#f4a261", "#6d597a", "#457b9d", "#8ab17d"];
  let timer = null;

  function pct(v) { return v === null || v === undefined ? "–" : (v * 100).toFixed(2) + "%"; }
  function num(v) { return v === null || v === undefined ? "–" : String(v); }

  function el(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svg(width, height) { return el("svg", { width, height, viewBox: `0 0 ${width} ${height}` }); }

  function barChart(target, items, valueOf, labelOf, format, chartId) {
    const width = 380, row = 22, left = 110, s = svg(width, items.length * row + 6);
    s.setAttribute("id", chartId);
    const max = Math.max(1e-9, ...items.map(valueOf));
    items.forEach((item, i) => {
      const value = valueOf(item), w = Math.round((width - left - 90) * value / max);
      const y = i * row + 4, label = labelOf(item);
      s.appendChild(el("text", { x: 0, y: y + 13 }, label));
      s.appendChild(el("rect", { x: left, y, width: Math.max(w, 1), height: row - 6,
        fill: COLORS[label] || "#457b9d", "data-label": label, "data-value": String(value) }));
      s.appendChild(el("text", { x: left + w + 4, y: y + 13, class: "bar-value" }, format(item)));
    });
    target.replaceChildren(s);
  }

  function lineChart(target, series, labels, chartId, width = 760) {
    const height = 200, pad = 36, s = svg(width, height);
    s.setAttribute("id", chartId);
    const all = series.flatMap((x) => x.values).filter((v) => v !== null);
    const max = Math.max(0.01, ...all);
    const xs = (i) => pad + (labels.length < 2 ? 0 : i * (width - 2 * pad) / (labels.length - 1));
    const ys = (v) => height - pad - (v / max) * (height - 2 * pad);
    s.appendChild(el("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, stroke: "#999" }));
    s.appendChild(el("text", { x: 0, y: pad }, pct(max)));
    labels.forEach((l, i) => { if (i % Math.ceil(labels.length / 12) === 0)
      s.appendChild(el("text", { x: xs(i) - 18, y: height - pad + 16 }, l)); });
    series.forEach((line, k) => {
      const pts = line.values.map((v, i) => v === null ? null : `${xs(i)},${ys(v)}`).filter(Boolean);
      const color = line.color || PALETTE[k % PALETTE.length];
      s.appendChild(el("polyline", { points: pts.join(" "), fill: "none", stroke: color,
        "stroke-width": 2, "data-series": line.name }));
      line.values.forEach((v, i) => { if (v !== null) s.appendChild(el("circle", { cx: xs(i), cy: ys(v), r: 3,
        fill: color, "data-series": line.name, "data-label": labels[i], "data-value": String(v) })); });
      s.appendChild(el("text", { x: width - pad - 70, y: 14 + 14 * k, fill: color }, line.name));
    });
    target.replaceChildren(s);
  }

  function table(target, head, rows, tableId) {
    const t = document.createElement("table");
    t.id = tableId;
    t.innerHTML = "<tr>" + head.map((h) => `<th>${h}</th>`).join("") + "</tr>" +
      rows.map((r) => "<tr>" + r.map((c) => `<td>${c}</td>`).join("") + "</tr>").join("");
    target.replaceChildren(t);
  }

  function drawScorecard(card) {
    const total = $("total-score");
    total.textContent = card.total_score === null ? "–" : card.total_score.toFixed(1);
    total.dataset.value = String(card.total_score);
    table($("scorecard"), ["KPI", "weight", "score", "components"], card.kpis.map((k) =>
      [k.name.replace(/_/g, " "), k.weight, `<span class="kpi-score" data-kpi="${k.name}" data-value="${k.score}">${num(k.score)}</span>`,
       k.components.map((c) => `${c.name}: ${c.actual === null ? "–" : c.actual}`).join("<br>")]), "scorecard-table");
  }

  function drawRollRates(rr) {
    const froms = [...new Set(rr.cells.map((c) => c.from))], tos = [...new Set(rr.cells.map((c) => c.to))];
    const cell = (f, t) => rr.cells.find((c) => c.from === f && c.to === t);
    table($("roll-rates"), [`${rr.from} → ${rr.to}`, ...tos], froms.map((f) => [f, ...tos.map((t) => {
      const c = cell(f, t); if (!c) return "";
      const shade = `rgba(230,57,70,${(c.rate || 0) * 0.8})`;
      return `<span class="roll-cell" data-from="${f}" data-to="${t}" data-count="${c.count}" style="background:${shade};padding:2px 4px">${pct(c.rate)} (${c.count})</span>`;
    })]), "roll-rate-table");
  }

  function drawVintages(vintages) {
    const mobs = Math.max(0, ...vintages.map((v) => v.points.length));
    const labels = Array.from({ length: mobs }, (_, i) => "MOB " + i);
    lineChart($("vintages"), vintages.map((v) => ({ name: v.vintage,
      values: labels.map((_, i) => (v.points[i] ? v.points[i].share : null)) })), labels, "vintage-chart", 380);
  }

  function draw(data) {
    drawScorecard(data.scorecard);
    barChart($("classification-chart"), data.classification, (r) => Number(r.balance),
      (r) => r.classification, (r) => `${r.balance} (${r.count})`, "classification-bars");
    barChart($("bucket-chart"), data.buckets, (r) => r.count, (r) => r.bucket,
      (r) => `${r.count} loans`, "bucket-bars");
    lineChart($("npl-trend"), [
      { name: "NPL ratio", values: data.npl_trend.map((p) => p.npl_ratio), color: "#e63946" },
      { name: "PAR30", values: data.npl_trend.map((p) => p.par30), color: "#1d3557" }],
      data.npl_trend.map((p) => p.period), "npl-trend-chart");
    const q = data.quality;
    table($("quality"), ["figure", "value"], [["loans", q.loans], ["balance", q.balance],
      ["NPL ratio", `<span id="npl-ratio" data-value="${q.npl_ratio}">${pct(q.npl_ratio)}</span>`],
      ["PAR30", pct(q.par30)], ["PAR60", pct(q.par60)], ["PAR90", pct(q.par90)]], "quality-table");
    drawRollRates(data.roll_rates);
    drawVintages(data.vintages);
    const f = data.funnel;
    barChart($("funnel"), [["contact attempts", f.contact_attempts], ["contacts made", f.contacts_made],
      ["promises", f.promises], ["promises kept", f.promises_kept]], (x) => x[1], (x) => x[0],
      (x) => String(x[1]), "funnel-bars");
    $("funnel").insertAdjacentHTML("beforeend", `<div class="muted">recovered <b id="funnel-recovered">${f.recovered}</b>, cost <b id="funnel-cost">${f.cost}</b></div>`);
    table($("warnings"), ["rule", "level", "raised", "escalated", "cleared", "confirmed", "false alarms", "precision", "hit rate"],
      data.warnings.map((w) => [w.rule_id, w.level, w.raised, w.escalated, w.cleared, w.confirmed,
        w.false_alarms, pct(w.precision), pct(w.hit_rate)]), "warning-table");
    $("updated").textContent = "as of " + data.as_of + " · updated " + new Date().toLocaleTimeString();
    document.body.dataset.rendered = data.period;
  }

  async function refresh() {
    const period = $("period").value.trim();
    const url = "/v1/dashboard" + (period ? "?period=" + encodeURIComponent(period) : "");
    const response = await fetch(url, { headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY) } });
    if (response.status === 401) { signOut("Your session expired; sign in again."); return; }
    if (!response.ok) {
      // e.g. 409 no_business_date before the first close: say why and keep polling
      const body = await response.json().catch(() => ({}));
      $("updated").textContent = "error " + response.status + (body.message ? ": " + body.message : "");
      clearTimeout(timer);
      timer = setTimeout(() => refresh().catch(console.error), 30000);
      return;
    }
    const data = await response.json();
    if (!period) $("period").value = data.period;
    draw(data);
    clearTimeout(timer);
    timer = setTimeout(() => refresh().catch(console.error), data.refresh_seconds * 1000);
  }

  function show(signedIn) { $("app").hidden = !signedIn; $("login").hidden = signedIn; }
  function signOut(message) { sessionStorage.removeItem(KEY); clearTimeout(timer); show(false); $("login-error").textContent = message || ""; }

  async function signIn(event) {
    event.preventDefault();
    let token = $("login-token").value.trim();
    if (!token) {
      const r = await fetch("/v1/login", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: $("login-user").value, password: $("login-password").value }) });
      if (!r.ok) { $("login-error").textContent = (await r.json()).message || "sign-in failed"; return; }
      token = (await r.json()).access_token;
    }
    sessionStorage.setItem(KEY, token);
    start();
  }

  function start() { show(true); refresh().catch((e) => { $("updated").textContent = String(e); }); }

  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("token")) {
    sessionStorage.setItem(KEY, fragment.get("token"));
    if (fragment.get("period")) $("period").value = fragment.get("period");
    history.replaceState(null, "", location.pathname + location.search);
  }
  $("login-form").addEventListener("submit", (e) => signIn(e).catch((x) => { $("login-error").textContent = String(x); }));
  $("logout").addEventListener("click", () => signOut());
  $("period").addEventListener("change", () => refresh().catch(console.error));
  if (sessionStorage.getItem(KEY)) start(); else show(false);
})();
