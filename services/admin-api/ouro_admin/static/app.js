// The dashboard: six tabs over the admin API. Plain DOM; every write button is disabled for viewers.
"use strict";

const TYPES = ["NPC", "ITEM", "QUEST", "BUILDING", "BLOCK", "EVENT", "WORLD_EXPANSION", "QM_ACTION"];
const STATES = ["awaiting_approval", "approved", "published", "applied", "rejected", "failed", "undone",
  "validated", "balanced", "enriched", "drafted", "requested"];
const LOG_STREAMS = ["log.director", "log.proposals", "log.engine", "log.workers", "log.admin"];
const KINDS = ["decision", "no_action", "verdict", "state", "control", "error", "info"];
const $ = id => document.getElementById(id);
const state = { role: null, tab: "controls", stopFeed: null, entries: [], timers: [], confirm: null, selected: null,
  around: null };

// --- helpers -----------------------------------------------------------------------------------
function toast(text, bad) {
  const t = $("toast");
  t.textContent = text;
  t.className = "toast" + (bad ? " bad" : "");
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 4000);
}
function fmtTime(ts) { return ts ? new Date(ts * 1000).toLocaleTimeString() : ""; }
function fmtDate(ts) { return ts ? new Date(ts * 1000).toLocaleString() : ""; }
function errText(e) {
  if (e && Array.isArray(e.detail)) return e.detail.map(d => (d.path || (d.loc || []).join(".")) + ": " + d.msg).join("\n");
  return e && e.message ? e.message : String(e);
}
async function act(fn, okText) {
  try { const r = await fn(); if (okText) toast(okText); return r; }
  catch (e) { toast(errText(e), true); return null; }
}
function option(select, value, label) { select.append(el("option", { value }, label || value)); }

// --- login ----------------------------------------------------------------------------------------
async function login(token) {
  Api.setToken(token);
  try {
    const me = await Api.get("/api/whoami");
    state.role = me.role;
  } catch (e) {
    Api.clear();
    $("login-error").textContent = e.status === 429 ? "Too many failed attempts; wait a minute."
      : e.status === 403 ? "That token is not valid." : "Cannot log in: " + errText(e);
    return false;
  }
  $("login").hidden = true;
  $("app").hidden = false;
  $("role").textContent = state.role;
  document.body.classList.toggle("viewer", state.role !== "operator");
  for (const b of document.querySelectorAll(".write")) b.disabled = state.role !== "operator";
  startPolling();
  showTab(state.tab);
  return true;
}
function logout() {
  Api.clear();
  if (state.stopFeed) state.stopFeed();
  state.stopFeed = null;
  state.timers.forEach(clearInterval);
  state.timers = [];
  $("app").hidden = true;
  $("login").hidden = false;
  $("token").value = "";
}
window.onUnauthorized = logout;

function showTab(name) {
  state.tab = name;
  for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("active", b.dataset.tab === name);
  for (const m of document.querySelectorAll("main.tab")) m.hidden = m.id !== "tab-" + name;
  ({ controls: refreshControls, log: startFeed, approvals: refreshApprovals, snapshots: refreshSnapshots,
     guardrails: loadGuardrails, world: refreshWorld })[name]();
}

function startPolling() {
  state.timers.push(setInterval(refreshDirector, 1500));
  state.timers.push(setInterval(() => { if (state.tab === "world") refreshWorld(); }, 5000));
  state.timers.push(setInterval(refreshQueueCount, 5000));
  refreshDirector();
  refreshQueueCount();
}

// --- controls -------------------------------------------------------------------------------------
async function refreshDirector() {
  let s;
  try { s = await Api.get("/api/director"); } catch (e) { return; }
  $("director-mode").textContent = s.mode;
  $("director-reason").textContent = s.reason ? "— " + s.reason : "";
  const badge = $("mode-badge");
  badge.textContent = s.mode;
  badge.className = "badge " + s.mode;
  state.director = s;
  return s;
}
async function refreshControls() {
  const s = await refreshDirector();
  if (s) {
    for (const input of document.querySelectorAll("[data-slider]")) {
      input.value = s.sliders[input.dataset.slider];
      $("o-" + input.dataset.slider).textContent = Number(input.value).toFixed(2);
    }
    for (const k of ["require_approval", "restricted_generation", "auto_snapshot"]) $("t-" + k).checked = !!s.toggles[k];
    for (const box of document.querySelectorAll("#t-types input")) {
      box.checked = (s.toggles.require_approval_types || []).includes(box.value);
    }
  }
  const dead = await act(() => Api.get("/api/dead-letters"));
  const list = $("dead-letters");
  list.replaceChildren();
  if (dead) for (const [stream, n] of Object.entries(dead.streams)) {
    list.append(el("li", { class: n ? "error" : "dim" }, `${stream}: ${n}`));
  }
}
async function control(cmd) {
  const r = await act(() => Api.post("/api/control/" + cmd), cmd.toUpperCase() + " sent");
  if (r) setTimeout(refreshDirector, 300);
}
async function applySliders() {
  const body = {};
  for (const input of document.querySelectorAll("[data-slider]")) body[input.dataset.slider] = Number(input.value);
  await act(() => Api.put("/api/director/sliders", body), "sliders sent");
}
async function applyToggles() {
  const body = { require_approval_types: [...document.querySelectorAll("#t-types input:checked")].map(b => b.value) };
  for (const k of ["require_approval", "restricted_generation", "auto_snapshot"]) body[k] = $("t-" + k).checked;
  await act(() => Api.put("/api/director/toggles", body), "toggles sent");
}
async function generate() {
  $("gen-error").textContent = "";
  let params;
  try { params = JSON.parse($("gen-params").value || "{}"); } catch (e) { $("gen-error").textContent = "params: " + e.message; return; }
  const body = { type: $("gen-type").value, params };
  if ($("gen-district").value.trim()) body.district_id = $("gen-district").value.trim();
  try { const r = await Api.post("/api/generate", body); toast("job " + r.id + " requested"); }
  catch (e) { $("gen-error").textContent = errText(e); }
}

// --- live log -------------------------------------------------------------------------------------
function startFeed() {
  if (state.stopFeed) return;
  state.stopFeed = Api.follow((event, data) => {
    if (event !== "log") return;
    state.entries.push(data);
    if (state.entries.length > 2000) state.entries.shift();
    if (matches(data)) $("timeline").prepend(entryRow(data));
  }, status => { $("feed-status").textContent = status; });
}
function matches(e) {
  const stream = $("f-stream").value, kind = $("f-kind").value, text = $("f-text").value.trim().toLowerCase();
  if (stream && e.stream !== stream) return false;
  if (kind && e.kind !== kind) return false;
  if (text && !(JSON.stringify(e).toLowerCase().includes(text))) return false;
  return true;
}
function entryRow(e) {
  return el("li", { "data-stream": e.stream, onclick: ev => showWhy(e, ev.currentTarget) },
    el("span", { class: "dim" }, fmtTime(e.at)),
    el("span", { class: "dim" }, e.service || e.stream),
    el("span", { class: "kind " + e.kind }, e.kind),
    el("span", {}, e.message + (e.proposal_id ? "  [" + e.proposal_id + "]" : "")));
}
function rerenderTimeline() {
  const tl = $("timeline");
  tl.replaceChildren(...state.entries.filter(matches).reverse().slice(0, 500).map(entryRow));
}
async function showWhy(e, row) {
  for (const li of document.querySelectorAll("#timeline li.selected")) li.classList.remove("selected");
  if (row) row.classList.add("selected");
  const box = $("why");
  box.replaceChildren(el("h2", {}, "Why?"), el("p", {}, e.message));
  if (e.rule) box.append(el("p", { class: "small" }, "rule: " + e.rule));
  if (e.proposal_id) {
    try {
      const d = await Api.get("/api/proposals/" + encodeURIComponent(e.proposal_id));
      box.append(el("h3", {}, "Proposal " + e.proposal_id + " — " + d.proposal.state),
        el("ol", { class: "small" }, ...d.why.map(line => el("li", {}, line))));
      if (d.diff.length) box.append(el("h3", {}, "Changed by the gate"), diffTable(d.diff));
    } catch (err) { box.append(el("p", { class: "dim" }, "no proposal record: " + errText(err))); }
  }
  box.append(el("h3", {}, "Entry"), el("pre", {}, JSON.stringify(e, null, 2)));
}

// --- approvals ------------------------------------------------------------------------------------
function proposalRow(p, listId) {
  return el("li", { "data-id": p.id, onclick: ev => selectProposal(p.id, ev.currentTarget, listId) },
    `${p.type}  ${p.name || p.id}  `, el("span", { class: "dim" }, `${p.state} · ${p.district || "-"} · ${fmtTime(p.created_at)}`));
}
async function refreshQueueCount() {
  try { const q = await Api.get("/api/approvals?limit=1"); $("approval-count").textContent = q.total || ""; } catch (e) { /* shown elsewhere */ }
}
async function refreshApprovals() {
  const q = await act(() => Api.get("/api/approvals?limit=200"));
  const list = $("queue");
  list.replaceChildren();
  if (!q) return;
  $("approval-count").textContent = q.total || "";
  if (!q.items.length) list.append(el("li", { class: "dim" }, "The queue is empty."));
  for (const p of q.items) list.append(proposalRow(p, "queue"));
}
async function searchProposals() {
  const params = new URLSearchParams({ limit: "100" });
  for (const [k, id] of [["type", "p-type"], ["state", "p-state"], ["district", "p-district"]]) {
    if ($(id).value.trim()) params.set(k, $(id).value.trim());
  }
  const page = await act(() => Api.get("/api/proposals?" + params));
  const list = $("proposals");
  list.replaceChildren();
  if (page) for (const p of page.items) list.append(proposalRow(p, "proposals"));
}
function diffTable(diff) {
  const fmt = v => v === null || v === undefined ? "—" : JSON.stringify(v);
  return el("table", { class: "diff" }, el("thead", {}, el("tr", {}, el("th", {}, "path"), el("th", {}, "before"), el("th", {}, "after"))),
    el("tbody", {}, ...diff.map(d => el("tr", {}, el("td", {}, d.path), el("td", { class: "before" }, fmt(d.before)),
      el("td", { class: "after" }, fmt(d.after))))));
}
async function selectProposal(id, row, listId) {
  for (const li of document.querySelectorAll(".selectable li.selected")) li.classList.remove("selected");
  if (row) row.classList.add("selected");
  const box = $("proposal-detail");
  let d;
  try { d = await Api.get("/api/proposals/" + encodeURIComponent(id)); }
  catch (e) { box.replaceChildren(el("p", { class: "error" }, errText(e))); return; }
  const p = d.proposal;
  state.selected = p;
  const payload = el("textarea", { id: "edit-payload", rows: "14", spellcheck: "false" });
  payload.value = JSON.stringify(p.payload, null, 2);
  const flavor = el("textarea", { id: "edit-flavor", rows: "4", spellcheck: "false" });
  flavor.value = JSON.stringify(p.flavor || {}, null, 2);
  const errors = el("ul", { id: "edit-errors", class: "errors" });
  const waiting = p.state === "awaiting_approval";
  const canUndo = p.state === "published" || p.state === "applied";
  const write = state.role === "operator";
  box.replaceChildren(
    el("h2", {}, `${p.type} ${p.id}`),
    el("p", {}, "state: ", el("strong", { id: "detail-state" }, p.state), p.reason ? " — " + p.reason : ""),
    el("div", { class: "row" },
      el("button", { id: "btn-approve", class: "go", disabled: !(waiting && write), onclick: () => decide(p.id, "approve") }, "Approve"),
      el("button", { id: "btn-reject", class: "stop", disabled: !(waiting && write), onclick: () => decide(p.id, "reject") }, "Reject"),
      el("button", { id: "btn-undo", disabled: !(canUndo && write), onclick: () => decide(p.id, "undo") }, "Undo")),
    el("h3", {}, "Before → after validation"),
    d.before ? (d.diff.length ? diffTable(d.diff) : el("p", { class: "dim" }, "The gate changed nothing."))
      : el("p", { class: "dim" }, "No as-received version recorded."),
    el("h3", {}, "Why?"), el("ol", { class: "small" }, ...d.why.map(line => el("li", {}, line))),
    el("h3", {}, "Payload (JSON edit)"), payload, el("h3", {}, "Flavor"), flavor, errors,
    el("button", { id: "btn-edit", class: "write", disabled: !(waiting && write), onclick: () => saveEdit(p.id) }, "Save edit (re-runs the gate)"));
}
async function decide(id, action) {
  const r = await act(() => Api.post(`/api/proposals/${encodeURIComponent(id)}/${action}`, {}), action + " sent for " + id);
  if (!r) return;
  // The publisher acts on it; follow its record until the state moves.
  for (let i = 0; i < 20; i++) {
    await new Promise(res => setTimeout(res, 500));
    try {
      const d = await Api.get("/api/proposals/" + encodeURIComponent(id));
      if ($("detail-state") && state.selected && state.selected.id === id) $("detail-state").textContent = d.proposal.state;
      if (d.proposal.state !== "awaiting_approval" && action !== "undo") break;
      if (action === "undo" && d.proposal.state === "undone") break;
    } catch (e) { break; }
  }
  refreshApprovals();
}
async function saveEdit(id) {
  const errors = $("edit-errors");
  errors.replaceChildren();
  let payload, flavor;
  try { payload = JSON.parse($("edit-payload").value); flavor = JSON.parse($("edit-flavor").value || "{}"); }
  catch (e) { errors.append(el("li", {}, "not JSON: " + e.message)); return; }
  try {
    await Api.post(`/api/proposals/${encodeURIComponent(id)}/edit`, { payload, flavor });
    toast("edit sent; the gate runs again");
  } catch (e) {
    if (Array.isArray(e.detail)) for (const d of e.detail) errors.append(el("li", {}, el("code", {}, d.path || (d.loc || []).join(".")), " ", d.msg));
    else errors.append(el("li", {}, errText(e)));
  }
}

// --- snapshots ------------------------------------------------------------------------------------
async function refreshSnapshots() {
  const data = await act(() => Api.get("/api/snapshots"));
  const body = $("snapshots");
  body.replaceChildren();
  if (!data) return;
  if (!data.items.length) body.append(el("tr", {}, el("td", { colspan: "6", class: "dim" }, "No snapshots yet.")));
  const write = state.role === "operator";
  for (const s of data.items) {
    body.append(el("tr", { "data-id": s.id },
      el("td", {}, s.id), el("td", {}, s.label), el("td", {}, fmtDate(s.created_at)), el("td", {}, s.key_count),
      el("td", {}, s.generated_files),
      el("td", {}, el("button", { class: "rollback", disabled: !write, onclick: () => askRollback(s.id) }, "Roll back…"), " ",
        el("button", { class: "delete ghost", disabled: !write, onclick: () => deleteSnapshot(s.id) }, "Delete"))));
  }
}
async function takeSnapshot() {
  const job = await act(() => Api.post("/api/snapshots", { label: $("snap-label").value }));
  if (job) await trackJob(job, "Snapshot");
  refreshSnapshots();
}
async function deleteSnapshot(id) {
  if (!window.confirm("Delete snapshot " + id + "?")) return;
  await act(() => Api.del("/api/snapshots/" + id), "deleted " + id);
  refreshSnapshots();
}
async function askRollback(id) {
  const r = await act(() => Api.post(`/api/snapshots/${id}/rollback`));
  if (!r) return;
  state.confirm = r;
  $("confirm-snap").textContent = id;
  $("confirm-box").hidden = false;
  const tick = () => {
    const left = Math.max(0, Math.round(r.expires_at - Date.now() / 1000));
    $("confirm-left").textContent = left;
    if (left <= 0) cancelRollback();
  };
  tick();
  clearInterval(state.confirmTimer);
  state.confirmTimer = setInterval(tick, 1000);
}
function cancelRollback() {
  clearInterval(state.confirmTimer);
  state.confirm = null;
  $("confirm-box").hidden = true;
}
async function confirmRollback() {
  const c = state.confirm;
  cancelRollback();
  if (!c) return;
  const job = await act(() => Api.post(`/api/snapshots/${c.snapshot_id}/rollback/confirm`, { confirm_token: c.confirm_token }));
  if (job) await trackJob(job, "Rollback to " + c.snapshot_id);
  refreshSnapshots();
}
async function trackJob(job, title) {
  $("job").hidden = false;
  $("job-title").textContent = title;
  for (;;) {
    $("job-stage").textContent = job.state + " · " + job.stage;
    $("job-progress").value = job.progress;
    $("job-message").textContent = job.message;
    $("job-message").className = "small" + (job.state === "failed" ? " error" : "");
    if (job.state !== "running") break;
    await new Promise(r => setTimeout(r, 300));
    try { job = await Api.get("/api/jobs/" + job.id); } catch (e) { break; }
  }
  toast(title + ": " + job.state, job.state === "failed");
  return job;
}

// --- guardrails -----------------------------------------------------------------------------------
async function loadGuardrails() {
  const g = await act(() => Api.get("/api/guardrails"));
  if (!g) return;
  $("g-editor").value = JSON.stringify(g.guardrails, null, 2);
  $("g-source").textContent = "in force, from " + g.source;
  $("g-errors").replaceChildren();
  $("g-ok").textContent = "";
  $("g-editor").classList.remove("invalid");
}
async function saveGuardrails() {
  const errors = $("g-errors");
  errors.replaceChildren();
  $("g-ok").textContent = "";
  $("g-editor").classList.remove("invalid");
  let body;
  try { body = JSON.parse($("g-editor").value); }
  catch (e) { errors.append(el("li", {}, "not JSON: " + e.message)); $("g-editor").classList.add("invalid"); return; }
  try {
    const r = await Api.put("/api/guardrails", body);
    $("g-editor").value = JSON.stringify(r.guardrails, null, 2);
    $("g-ok").textContent = "Saved and applied (" + r.control_id + ").";
  } catch (e) {
    $("g-editor").classList.add("invalid");
    if (Array.isArray(e.detail)) {
      for (const d of e.detail) {
        const path = d.path || (d.loc || []).slice(1).join(".");
        errors.append(el("li", { title: "show in the editor", onclick: () => revealPath(path) }, el("code", {}, path), " — ", d.msg));
      }
      if (e.detail.length) revealPath(e.detail[0].path || "");
    } else errors.append(el("li", {}, errText(e)));
  }
}

// Select the key a validation error names (its path's keys, found in order) and scroll to it.
function revealPath(path) {
  const ed = $("g-editor");
  const text = ed.value;
  let at = 0, found = -1, key = "";
  for (const part of path.replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean)) {
    const i = text.indexOf('"' + part + '"', at);
    if (i < 0) break;
    found = i; key = part; at = i + part.length + 2;
  }
  if (found < 0) return;
  ed.focus();
  ed.setSelectionRange(found, found + key.length + 2);
  const line = text.slice(0, found).split("\n").length;
  const lineHeight = ed.scrollHeight / Math.max(1, text.split("\n").length);
  ed.scrollTop = Math.max(0, (line - 5) * lineHeight);
}

// --- world ----------------------------------------------------------------------------------------
async function refreshWorld() {
  let ov, map;
  const mapUrl = "/api/world/map" + (state.around ? "?around=" + encodeURIComponent(state.around) : "");
  try { [ov, map] = await Promise.all([Api.get("/api/world"), Api.get(mapUrl)]); }
  catch (e) { return; }
  drawMap($("map"), map);
  drawChunks($("chunkmap"), map);
  $("map").dataset.around = map.view && map.view.around ? map.view.around : "all";
  const t = map.totals || { chunks: 0, rooms: 0 };
  $("chunk-info").textContent = `${t.chunks} chunks · ${t.rooms} rooms · ` +
    (map.view && map.view.around ? `showing the chunks around ${map.view.around}` : "showing every room");
  const dl = $("overview");
  dl.replaceChildren();
  const rows = [["rooms", ov.rooms], ["entities", ov.entities], ["by kind", Object.entries(ov.entities_by_kind).map(([k, v]) => k + " " + v).join(", ") || "—"],
    ["templates", ov.templates], ["players online", ov.players_online], ["tick", ov.tick ?? "—"],
    ["generated rooms", ov.growth.generated_rooms], ["generated entities", ov.growth.generated_entities],
    ["applied patches", ov.growth.applied_patches], ["chunks", ov.growth.chunks ?? "—"],
    ["generated districts", ov.growth.generated_districts]];
  for (const [k, v] of rows) dl.append(el("dt", {}, k), el("dd", {}, v));
  const legend = $("legend");
  legend.replaceChildren(...ov.districts.map(d => el("li", {}, el("span", { class: "swatch", style: "background:" + d.color }),
    `${d.name} `, el("span", { class: "dim" }, `${d.rooms} rooms · threat ${d.threat_level ?? "?"} · pop ${d.population ?? "?"}`))));
}

// --- wiring ---------------------------------------------------------------------------------------
function wire() {
  $("login-form").addEventListener("submit", ev => { ev.preventDefault(); $("login-error").textContent = ""; login($("token").value.trim()); });
  $("logout").addEventListener("click", logout);
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("btn-stop").addEventListener("click", () => control("stop"));
  $("btn-go").addEventListener("click", () => control("go"));
  $("btn-pause").addEventListener("click", () => control("pause"));
  $("btn-resume").addEventListener("click", () => control("resume"));
  $("btn-sliders").addEventListener("click", applySliders);
  $("btn-toggles").addEventListener("click", applyToggles);
  $("btn-generate").addEventListener("click", generate);
  $("chunkmap").addEventListener("click", ev => {
    const key = chunkAt($("chunkmap"), ev);
    if (key) { state.around = key; refreshWorld(); }
  });
  $("btn-view-all").addEventListener("click", () => { state.around = null; refreshWorld(); });
  for (const input of document.querySelectorAll("[data-slider]")) {
    input.addEventListener("input", () => { $("o-" + input.dataset.slider).textContent = Number(input.value).toFixed(2); });
  }
  for (const t of TYPES) {
    $("t-types").append(el("label", {}, el("input", { type: "checkbox", value: t }), " " + t));
    option($("gen-type"), t);
    option($("p-type"), t);
  }
  for (const s of STATES) option($("p-state"), s);
  for (const s of LOG_STREAMS) option($("f-stream"), s);
  for (const k of KINDS) option($("f-kind"), k);
  for (const id of ["f-stream", "f-kind", "f-text"]) $(id).addEventListener("input", rerenderTimeline);
  $("btn-clear").addEventListener("click", () => { state.entries = []; rerenderTimeline(); });
  $("btn-psearch").addEventListener("click", searchProposals);
  $("btn-snapshot").addEventListener("click", takeSnapshot);
  $("btn-confirm").addEventListener("click", confirmRollback);
  $("btn-cancel").addEventListener("click", cancelRollback);
  $("btn-greload").addEventListener("click", loadGuardrails);
  $("btn-gsave").addEventListener("click", saveGuardrails);
  const saved = Api.token();
  if (saved) login(saved);
}
document.addEventListener("DOMContentLoaded", wire);
