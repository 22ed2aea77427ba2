// The Reckon dashboard: lists runs, and for the selected one shows its progress live from the
// run's Server-Sent Events. Events are read with fetch (not EventSource) so that the API token
// can travel in the Authorization header.
//
// Everything a run carries (its id, question ids, answers) comes from whoever submitted it, so it
// is attacker-controlled: it goes into the page only as text (textContent, createElement), never
// through innerHTML. The token lives in this page's memory only: nothing in storage for a script
// on this origin, an extension or the next user of the browser profile to read.
"use strict";

const state = { selected: null, controller: null, chart: null, points: [[], [], []],
  latest: [], started: null, token: "" };

const $ = (id) => document.getElementById(id);
const pct = (x) => x == null || isNaN(x) ? "–" : (100 * x).toFixed(1) + " %";

function headers() {
  return state.token ? { "Authorization": "Bearer " + state.token } : {};
}

// A table cell holding `value` as text; `cls` its class, if any.
function cell(value, cls) {
  const td = document.createElement("td");
  td.textContent = value == null ? "–" : String(value);
  if (cls) td.className = cls;
  return td;
}

function row(cells) {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
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
      const tr = row([cell(r.runId), cell(r.state), cell(`${r.done} / ${r.questions}`, "num"),
        cell(pct(r.graded ? r.correct / r.graded : NaN), "num")]);
      tr.dataset.run = r.runId;
      if (r.runId === state.selected) tr.className = "selected";
      tr.onclick = () => select(r.runId);
      return tr;
    }));
    $("runs-error").textContent = "";
    // Only the run a link names opens by itself (shown as text like any other); otherwise the
    // user picks one from the list.
    const wanted = linkedRun();
    if (!state.selected && wanted && runs.some((r) => r.runId === wanted)) select(wanted);
  } catch (e) {
    $("runs-error").textContent = "runs: " + e.message;
  }
}

// The run named by the page's #run=ID, or null.
function linkedRun() {
  if (!location.hash.startsWith("#run=")) return null;
  try { return decodeURIComponent(location.hash.slice(5)); } catch (e) { return null; }
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
  $(id).tBodies[0].replaceChildren(...Object.entries(map || {}).map(([k, s]) =>
    row([cell(k === "0" ? "–" : k), cell(s.done, "num"), cell(pct(s.accuracy), "num"),
      cell(s.granted, "num"), cell(s.spent, "num")])));
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
  $("latest").tBodies[0].replaceChildren(...state.latest.map((r) =>
    row([cell(r.index), cell(r.id), cell(r.answer), cell(r.expected),
      cell(r.correct == null ? "–" : r.correct ? "yes" : "no", r.correct ? "yes" : "no"),
      cell(r.granted, "num"), cell(r.spent, "num"), cell(r.bin)])));
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

// Older versions kept the token in localStorage: forget it there.
try { localStorage.removeItem("reckon-token"); } catch (e) { /* storage disabled */ }
$("token").onchange = (e) => { state.token = e.target.value.trim(); refreshRuns(); };
refreshRuns();
service();
setInterval(refreshRuns, 5000);
setInterval(service, 5000);
