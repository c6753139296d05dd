import { Transcript, describeDevice, describeOutcome, describeSafety, between } from "./transcript.js";

// The parents' page: sign in, pick a child, follow the conversation live; refill what was missed after a reconnect.
const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem("tutor-token"), me: null, child: null, hub: null, transcript: new Transcript() };

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", ...(state.token ? { Authorization: `Bearer ${state.token}` } : {}) },
  });
  if (response.status === 401) { signOut(); throw new Error("Signed out"); }
  if (!response.ok) throw new Error(`${response.status}`);
  return response.status === 204 ? null : response.json();
}

function setConnection(text) { $("connection").textContent = text; }

async function start() {
  const config = await (await fetch("/api/auth/config")).json();
  if (config.mode === "firebase") { $("sign-in-form").hidden = true; $("firebase-note").hidden = false; }
  if (state.token) await enter(); else show("sign-in");
}

function show(...sections) {
  for (const id of ["sign-in", "family", "child", "debug"]) $(id).hidden = !sections.includes(id);
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  const response = await fetch("/api/auth/local", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ parent_id: $("parent-id").value.trim(), passcode: $("passcode").value }),
  });
  if (!response.ok) { $("sign-in-error").textContent = response.status === 429 ? "Too many attempts; try again later." : "Wrong parent id or passcode."; return; }
  state.token = (await response.json()).access_token;
  sessionStorage.setItem("tutor-token", state.token);
  await enter();
});

$("sign-out").addEventListener("click", () => signOut());

function signOut() {
  // The token stops working on every gateway now, not when it expires (best effort: the page forgets it either way).
  if (state.token) fetch("/api/auth/sign-out", { method: "POST", headers: { Authorization: `Bearer ${state.token}` } }).catch(() => {});
  sessionStorage.removeItem("tutor-token");
  state.token = null;
  state.hub?.stop();
  state.hub = null;
  setConnection("Not signed in");
  show("sign-in");
}

async function enter() {
  state.me = await api("/api/me");
  const children = await api("/api/me/children");
  const list = $("children");
  list.replaceChildren(...children.map((child) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = child.name;
    button.dataset.userId = child.user_id;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => choose(child));
    item.append(button);
    return item;
  }));
  show("family", ...(state.me.admin ? ["debug"] : []));
  await connect();
  if (children.length > 0) await choose(children[0]);
  if (state.me.admin) watchDebug();
}

async function connect() {
  // Keep trying every two seconds for a few minutes: a gateway that restarts comes back, and the page with it.
  const retries = Array.from({ length: 90 }, (_, i) => (i === 0 ? 0 : 2000));
  state.hub = new signalR.HubConnectionBuilder()
    .withUrl("/hubs/transcript", { accessTokenFactory: () => state.token })
    .withAutomaticReconnect(retries)
    .configureLogging(signalR.LogLevel.None)
    .build();
  state.hub.on("ChildSaid", (line) => received(line));
  state.hub.on("TutorSaid", (line) => received(line));
  state.hub.on("ProgressChanged", (progress) => { if (progress.user_id === state.child?.user_id) showProgress(progress); });
  state.hub.on("DeviceStatusChanged", (status) => { if (status.user_id === state.child?.user_id) showDevice(status.state); });
  state.hub.onreconnecting(() => setConnection("Reconnecting…"));
  state.hub.onreconnected(async () => { setConnection("Live"); await follow(); });
  state.hub.onclose(() => setConnection("Disconnected — reload the page"));
  await state.hub.start();
  setConnection("Live");
}

async function choose(child) {
  if (state.child) await state.hub.invoke("Unfollow", state.child.user_id).catch(() => {});
  state.child = child;
  state.transcript.clear();
  for (const button of $("children").querySelectorAll("button")) button.setAttribute("aria-pressed", String(button.dataset.userId === child.user_id));
  $("child-name").textContent = child.name;
  showDevice(child.device);
  show("family", "child", ...(state.me.admin ? ["debug"] : []));
  await follow();
}

/** Joins the child's group, then fetches whatever the page has not seen yet: everything, or the gap after a reconnect. */
async function follow() {
  if (!state.child) return;
  await state.hub.invoke("Follow", state.child.user_id);
  const after = state.transcript.lastId;
  const missed = await api(`/api/children/${state.child.user_id}/history${after ? `?after=${encodeURIComponent(after)}` : ""}`);
  if (state.transcript.addAll(missed) > 0 || !after) render();
  // Progress and the device's state may have moved while the page was away too.
  const progress = await api(`/api/children/${state.child.user_id}/progress`);
  showProgress({ lesson_title: progress.lesson_title, step_number: progress.step_number, step_count: progress.step_count, words_mastered: progress.words_mastered.length });
  const children = await api("/api/me/children");
  showDevice(children.find((c) => c.user_id === state.child.user_id)?.device ?? "offline");
}

function received(line) {
  if (line.user_id !== state.child?.user_id) return;
  if (state.transcript.add(line)) render();
}

function render() {
  $("transcript").replaceChildren(...state.transcript.ordered().map((line) => {
    const item = document.createElement("li");
    item.className = line.speaker;
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${line.speaker === "child" ? state.child.name : "Tutor"} · ${new Date(line.at).toLocaleTimeString()}${line.step_id ? ` · ${line.step_id}` : ""}`;
    const text = document.createElement("span");
    text.textContent = line.text;
    item.append(meta, text);
    if (line.outcome) {
      const mark = document.createElement("span");
      mark.className = "mark";
      mark.textContent = describeOutcome(line.outcome);
      item.append(mark);
    }
    if (line.safety) {
      const safety = document.createElement("span");
      safety.className = "safety";
      safety.textContent = describeSafety(line.safety);
      item.append(safety);
    }
    return item;
  }));
}

function showProgress(progress) {
  $("progress").textContent = progress.lesson_title
    ? `${progress.lesson_title}: step ${progress.step_number} of ${progress.step_count} · ${progress.words_mastered} word(s) mastered${progress.lesson_completed ? " · lesson completed!" : ""}`
    : "No lesson yet.";
}

function showDevice(device) { $("device").textContent = describeDevice(device); }

$("delete-history").addEventListener("click", async () => {
  if (!state.child || !confirm(`Delete ${state.child.name}'s conversation history?`)) return;
  await api(`/api/children/${state.child.user_id}/history`, { method: "DELETE" });
  state.transcript.clear();
  render();
});

function watchDebug() {
  const refresh = async () => {
    try {
      const [sessions, turns] = await Promise.all([api("/api/debug/sessions"), api("/api/debug/turns")]);
      $("debug-sessions").replaceChildren(...sessions.map((s) => row([s.user_id, s.session_id.slice(0, 8), s.gateway])));
      $("debug-turns").replaceChildren(...turns.map((t) => row([t.user_id,
        between(t, "utterance_ended", "transcribed"), between(t, "utterance_ended", "reply_started"),
        between(t, "utterance_ended", "first_audio_sent"), t.worker ?? "–"])));
    } catch { /* the next refresh tries again */ }
  };
  refresh();
  setInterval(refresh, 2000);
}

function row(cells) {
  const tr = document.createElement("tr");
  tr.append(...cells.map((value) => { const td = document.createElement("td"); td.textContent = value ?? "–"; return td; }));
  return tr;
}

start();
