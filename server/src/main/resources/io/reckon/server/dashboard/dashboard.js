// The Reckon dashboard: lists runs, and for the selected one shows its progress live from the
// run's Server-Sent Events. Events are read with fetch (not EventSource) so that the API token
// can travel in the Authorization header.
"use strict";

const state = { selected: null, controller: null, chart: null, points: [[], [], []],
  latest: [], started: null };

const $ = (id) => document.getElementById(id);
const pct = (x) => x == null || isNaN(x) ? "–" : (100 * x).toFixed(1) + " %";

function headers() {
  const token = localStorage.getItem("reckon-token") || "";
  return token ? { "Authorization": "Bearer " + token } : {};
}

async function api(path) {
  const r = await fetch(path, { headers: headers() });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ? body.error.message : r.statusText);
  return body;
}

async function refreshRuns() {
  try {
    const { runs } = await api("/v1/runs");
    const tbody = $("runs").tBodies[0];
    tbody.replaceChildren(...runs.map((r) => {
      const tr = document.createElement("tr");
      tr.dataset.run = r.runId;
      if (r.runId === state.selected) tr.className = "selected";
      tr.innerHTML = `<td>${r.runId}</td><td>${r.state}</td>` +
        `<td class="num">${r.done} / ${r.questions}</td>` +
        `<td class="num">${pct(r.graded ? r.correct / r.graded : NaN)}</td>`;
      tr.onclick = () => select(r.runId);
      return tr;
    }));
    $("runs-error").textContent = "";
    const wanted = location.hash.startsWith("#run=") ? location.hash.slice(5) : null;
    if (!state.selected && runs.length) select(wanted || runs[0].runId);
  } catch (e) {
    $("runs-error").textContent = "runs: " + e.message;
  }
}

function select(runId) {
  if (state.controller) state.controller.abort();
  state.selected = runId;
  state.points = [[], [], []];
  state.latest = [];
  state.started = null;
  $("run-panel").hidden = false;
  $("run-id").textContent = runId;
  for (const tr of $("runs").tBodies[0].rows) {
    tr.className = tr.dataset.run === runId ? "selected" : "";
  }
  chart();
  loadView(runId);
  follow(runId);
}

function chart() {
  if (state.chart) state.chart.destroy();
  const width = Math.max(400, $("chart").clientWidth || 700);
  state.chart = new uPlot({
    width, height: 240, title: "accuracy and generations per question, as questions finish",
    scales: { x: { time: false }, acc: { range: [0, 1] } },
    axes: [{ label: "questions done" }, { scale: "acc", label: "accuracy so far" },
      { scale: "gen", side: 1, label: "generations / question", grid: { show: false } }],
    series: [{}, { label: "accuracy", scale: "acc", stroke: "#2a6fdb", width: 2 },
      { label: "generations / question", scale: "gen", stroke: "#e07b00", width: 1 }],
  }, state.points, $("chart"));
}

async function loadView(runId) {
  try {
    const v = await api("/v1/runs/" + encodeURIComponent(runId));
    if (runId !== state.selected) return;
    showStatus(v.status);
    $("run-accuracy").textContent = pct(v.accuracy);
    slices("levels", v.levels);
    slices("bins", v.bins);
  } catch (e) {
    $("run-state").textContent = "error: " + e.message;
  }
}

function showStatus(s) {
  $("run-state").textContent = s.state;
  $("run-state").dataset.state = s.state;
  $("run-done").textContent = `${s.done} / ${s.questions}`;
  $("run-strategy").textContent = `${s.strategy} @ ${s.budget}`;
  $("run-generations").textContent = s.generations;
  if (s.graded) $("run-accuracy").textContent = pct(s.correct / s.graded);
  const start = Date.parse(s.startedAt);
  const end = s.endedAt ? Date.parse(s.endedAt) : Date.now();
  if (end > start) $("run-throughput").textContent = (s.done / ((end - start) / 1000)).toFixed(1);
}

function slices(id, map) {
  const rows = Object.entries(map || {}).map(([k, s]) =>
    `<tr><td>${k === "0" ? "–" : k}</td><td class="num">${s.done}</td>` +
    `<td class="num">${pct(s.accuracy)}</td><td class="num">${s.granted}</td>` +
    `<td class="num">${s.spent}</td></tr>`);
  $(id).tBodies[0].innerHTML = rows.join("");
}

function onQuestion(q) {
  const [xs, acc, gen] = state.points;
  const n = xs.length + 1;
  const prevCorrect = n > 1 ? acc[n - 2] * (n - 1) : 0;
  xs.push(n);
  acc.push((prevCorrect + (q.correct ? 1 : 0)) / n);
  gen.push(q.spent);
  state.latest.unshift(q);
  state.latest.length = Math.min(state.latest.length, 12);
  $("latest").tBodies[0].innerHTML = state.latest.map((r) =>
    `<tr><td>${r.index}</td><td>${r.id}</td><td>${r.answer ?? "–"}</td>` +
    `<td>${r.expected ?? "–"}</td><td class="${r.correct ? "yes" : "no"}">` +
    `${r.correct == null ? "–" : r.correct ? "yes" : "no"}</td>` +
    `<td class="num">${r.granted}</td><td class="num">${r.spent}</td><td>${r.bin ?? "–"}</td></tr>`)
    .join("");
}

let redraw = null;
function scheduleRedraw() {
  if (redraw) return;
  redraw = setTimeout(() => { redraw = null; state.chart.setData(state.points); }, 250);
}

// Reads the run's SSE stream; on a dropped connection resumes after the last event id seen.
async function follow(runId) {
  let lastId = null;
  for (let attempt = 0; attempt < 20 && runId === state.selected; attempt++) {
    const controller = new AbortController();
    state.controller = controller;
    try {
      const h = headers();
      if (lastId != null) h["Last-Event-ID"] = lastId;
      const r = await fetch("/v1/runs/" + encodeURIComponent(runId) + "/events",
        { headers: h, signal: controller.signal });
      if (!r.ok) throw new Error(r.statusText);
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let ended = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const ev = { id: null, event: "message", data: "" };
          for (const line of block.split("\n")) {
            if (line.startsWith("id: ")) ev.id = line.slice(4);
            else if (line.startsWith("event: ")) ev.event = line.slice(7);
            else if (line.startsWith("data: ")) ev.data += line.slice(6);
          }
          if (!ev.data) continue; // a keep-alive comment
          if (ev.id != null) lastId = ev.id;
          const data = JSON.parse(ev.data);
          if (ev.event === "question") { onQuestion(data); scheduleRedraw(); }
          else if (ev.event === "progress") showStatus(data);
          else if (ev.event === "finished" || ev.event === "cancelled") ended = true;
        }
      }
      if (ended) {
        state.chart.setData(state.points);
        await loadView(runId);
        refreshRuns();
        return;
      }
    } catch (e) {
      if (controller.signal.aborted) return;
    }
    await new Promise((ok) => setTimeout(ok, 1000));
  }
}

async function service() {
  try {
    const r = await fetch("/ready");
    const h = await r.json();
    $("service").textContent = `${h.status} · ${h.proposers} proposer, ${h.verifiers} verifier ` +
      `workers · ${h.admitted}/${h.limit} admitted`;
  } catch (e) {
    $("service").textContent = "unreachable";
  }
}

$("token").value = localStorage.getItem("reckon-token") || "";
$("token").onchange = (e) => { localStorage.setItem("reckon-token", e.target.value); refreshRuns(); };
refreshRuns();
service();
setInterval(refreshRuns, 5000);
setInterval(service, 5000);
