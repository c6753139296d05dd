import { Transcript, describeDevice, describeOutcome, describeSafety, between } from "./transcript.js";
import { t, setLanguage, initialLanguage, language, formatTime, formatDateTime } from "./i18n.js";
import { masteredPoints, perLesson, talkPerDay, masteredChart, talkChart, lessonsChart } from "./charts.js";

// The parents' page: sign in, pick a child, follow the conversation live (refilling what was missed after a
// reconnect), see progress as pictures, choose lessons, manage children and devices, pair a device with its code.
const $ = (id) => document.getElementById(id);
const state = { token: sessionStorage.getItem("tutor-token"), me: null, child: null, children: [], hub: null, transcript: new Transcript(), connection: "not-signed-in", picturesRequest: 0 };

setLanguage(initialLanguage(localStorage.getItem("tutor-language"), navigator.languages));
$("language").value = language();
$("language").addEventListener("change", () => {
  setLanguage($("language").value);
  localStorage.setItem("tutor-language", language());
  translate();
  if (state.child) refreshChild().catch(() => {});
});

/** Puts every fixed text of the page in the current language. */
function translate() {
  document.documentElement.lang = language();
  for (const element of document.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  setConnection(state.connection);
  buildChildForm($("add-child-form"), null);
  if (state.child) { buildChildForm($("edit-child-form"), state.child); $("child-name").textContent = state.child.name; render(); }
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", ...(state.token ? { Authorization: `Bearer ${state.token}` } : {}) },
  });
  if (response.status === 401) { signOut(); throw new Error("Signed out"); }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail ?? `${response.status}`);
  }
  return response.status === 204 || response.status === 201 && response.headers.get("content-length") === "0" ? null : response.json();
}

function setConnection(key) { state.connection = key; $("connection").textContent = t(key); }

async function start() {
  // The dashboard's links name who signs in (?parent=demo-parent, ?parent=developer for the debug view).
  const parent = new URLSearchParams(location.search).get("parent");
  if (parent) $("parent-id").value = parent;
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
  if (!response.ok) { $("sign-in-error").textContent = t(response.status === 429 ? "too-many" : "wrong-passcode"); return; }
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
  setConnection("not-signed-in");
  show("sign-in");
}

async function enter() {
  state.me = await api("/api/me");
  const children = await listChildren();
  show("family", ...(state.me.admin ? ["debug"] : []));
  await connect();
  if (children.length > 0) await choose(children[0]);
  if (state.me.admin) watchDebug();
}

async function listChildren() {
  const children = await api("/api/me/children");
  state.children = children;
  const list = $("children");
  list.replaceChildren(...children.map((child) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = child.name;
    button.dataset.userId = child.user_id;
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-pressed", String(child.user_id === state.child?.user_id));
    button.addEventListener("click", () => choose(child));
    item.append(button);
    return item;
  }));
  return children;
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
  state.hub.on("ProgressChanged", (progress) => { if (progress.user_id === state.child?.user_id) { showProgress(progress); refreshChild().catch(() => {}); } });
  state.hub.on("DeviceStatusChanged", (status) => { if (status.user_id === state.child?.user_id) { showDevice(status.state); refreshDevices().catch(() => {}); } });
  state.hub.onreconnecting(() => setConnection("reconnecting"));
  state.hub.onreconnected(async () => { setConnection("live"); await follow(); });
  state.hub.onclose(() => setConnection("disconnected"));
  await state.hub.start();
  setConnection("live");
}

async function choose(child) {
  if (state.child) await state.hub.invoke("Unfollow", state.child.user_id).catch(() => {});
  state.child = child;
  state.transcript.clear();
  for (const button of $("children").querySelectorAll("button")) button.setAttribute("aria-pressed", String(button.dataset.userId === child.user_id));
  $("child-name").textContent = child.name;
  showDevice(child.device);
  buildChildForm($("edit-child-form"), child);
  $("edit-child-form").hidden = true;
  $("edit-child").setAttribute("aria-expanded", "false");
  show("family", "child", ...(state.me.admin ? ["debug"] : []));
  await follow();
  await refreshChild();
}

/** Everything about the child besides the live conversation: progress and its pictures, lessons, devices. */
async function refreshChild() {
  await Promise.all([refreshProgress(), refreshPictures(), refreshLessons(), refreshDevices()]);
}

async function refreshProgress() {
  if (!state.child) return;
  const progress = await api(`/api/children/${state.child.user_id}/progress`);
  showProgress({ lesson_title: progress.lesson_title, step_number: progress.step_number, step_count: progress.step_count, words_mastered: progress.words_mastered.length });
  showToPractise(progress.words_met.filter((word) => !progress.words_mastered.includes(word)));
}

/** Joins the child's group, then fetches whatever the page has not seen yet: everything, or the gap after a reconnect. */
async function follow() {
  if (!state.child) return;
  await state.hub.invoke("Follow", state.child.user_id);
  const after = state.transcript.lastId;
  const missed = await api(`/api/children/${state.child.user_id}/history${after ? `?after=${encodeURIComponent(after)}` : ""}`);
  if (state.transcript.addAll(missed) > 0 || !after) render();
  // Progress and the device's state may have moved while the page was away too.
  await refreshProgress();
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
    meta.textContent = `${line.speaker === "child" ? state.child.name : t("tutor")} · ${formatTime(line.at)}${line.step_id ? ` · ${line.step_id}` : ""}`;
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
    ? t("progress-line", { lesson: progress.lesson_title, step: progress.step_number, count: progress.step_count, words: progress.words_mastered })
      + (progress.lesson_completed ? t("lesson-completed") : "")
    : t("no-lesson");
}

function showToPractise(words) {
  $("to-practise").textContent = words.length > 0 ? words.join(", ") : t("nothing-to-practise");
}

/** The three pictures, from the last two weeks of turn facts; times and days are the parent's own. */
async function refreshPictures() {
  if (!state.child) return;
  // Turns end close together and each one refreshes: a slower answer to an earlier request must not draw over a later one.
  const request = ++state.picturesRequest;
  const facts = await api(`/api/children/${state.child.user_id}/facts?days=14`);
  if (request !== state.picturesRequest) return;
  const points = masteredPoints(facts);
  const lessons = perLesson(facts);
  const days = talkPerDay(facts, new Date(), 14);
  $("chart-mastered").innerHTML = masteredChart(points, t("words-over-time"), (p) => `${formatDateTime(p.at)}: ${p.total}`) || `<p>${t("chart-empty")}</p>`;
  $("chart-lessons").innerHTML = lessonsChart(lessons, t("right-wrong"), (l) => `${l.title}: ${l.correct} ${t("right")}, ${l.incorrect} ${t("not-yet")}`) || `<p>${t("chart-empty")}</p>`;
  $("chart-talk").innerHTML = talkChart(days, t("talk-per-day"), (d) => `${d.day}: ${(d.seconds / 60).toFixed(1)}′`);
}

async function refreshLessons() {
  if (!state.child) return;
  const lessons = await api(`/api/children/${state.child.user_id}/lessons`);
  $("lessons").replaceChildren(...lessons.map((lesson) => {
    const item = document.createElement("li");
    item.className = lesson.current ? "current" : "";
    const title = document.createElement("span");
    const marks = [lesson.current && t("current"), lesson.completed && t("completed"), lesson.chosen_next && t("chosen-next"), !lesson.fits && t("other-language")].filter(Boolean);
    title.textContent = `${lesson.title} · ${t("steps", { count: lesson.steps })}${marks.length ? ` · ${marks.join(" · ")}` : ""}`;
    item.append(title);
    if (!lesson.current && !lesson.chosen_next) {
      const start = document.createElement("button");
      start.type = "button";
      start.className = "quiet";
      start.textContent = t("start-next");
      start.setAttribute("aria-label", `${t("start-next")}: ${lesson.title}`);
      start.addEventListener("click", async () => {
        await api(`/api/children/${state.child.user_id}/lessons/next`, { method: "PUT", body: JSON.stringify({ lesson_id: lesson.id }) });
        await refreshLessons();
      });
      item.append(start);
    }
    return item;
  }));
}

async function refreshDevices() {
  if (!state.child) return;
  const devices = await api(`/api/children/${state.child.user_id}/devices`);
  $("devices").replaceChildren(...(devices.length === 0 ? [Object.assign(document.createElement("li"), { textContent: t("no-devices") })] : devices.map((device) => {
    const item = document.createElement("li");
    item.dataset.deviceId = device.device_id;
    const name = device.name ?? device.device_id;
    const label = document.createElement("span");
    label.className = "device-label";
    label.textContent = `${name} · ${device.revoked ? t("revoked") : describeDevice(device.state)} · ${device.last_seen ? t("last-seen", { when: formatDateTime(device.last_seen) }) : t("never-seen")}`;
    item.append(label);
    if (!device.revoked) {
      const rename = document.createElement("button");
      rename.type = "button";
      rename.className = "quiet";
      rename.textContent = t("rename");
      rename.setAttribute("aria-label", `${t("rename")}: ${name}`);
      rename.addEventListener("click", async () => {
        const renamed = prompt(t("device-name"), name);
        if (!renamed) return;
        await api(`/api/children/${state.child.user_id}/devices/${device.device_id}`, { method: "PATCH", body: JSON.stringify({ name: renamed }) });
        await refreshDevices();
      });
      const revoke = document.createElement("button");
      revoke.type = "button";
      revoke.className = "quiet danger";
      revoke.textContent = t("revoke");
      revoke.setAttribute("aria-label", `${t("revoke")}: ${name}`);
      revoke.addEventListener("click", async () => {
        if (!confirm(t("confirm-revoke", { name }))) return;
        await api(`/api/children/${state.child.user_id}/devices/${device.device_id}`, { method: "DELETE" });
        await refreshDevices();
      });
      item.append(rename, revoke);
    }
    return item;
  })));
}

$("pair-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("pair-result").textContent = "";
  try {
    await api("/api/pairing", { method: "POST", body: JSON.stringify({ code: $("pairing-code").value.trim(), user_id: state.child.user_id, name: $("pairing-name").value.trim() || null }) });
    $("pair-result").textContent = t("paired");
    $("pairing-code").value = "";
    $("pairing-name").value = "";
    await refreshDevices();
  } catch (error) {
    $("pair-result").textContent = t("pairing-failed", { reason: error.message });
  }
});

/** The add and edit forms of a child: the same fields, labelled, in the page's language. */
function buildChildForm(form, child) {
  const id = form.id;
  const field = (name, label, input) => {
    const element = document.createElement("label");
    element.htmlFor = `${id}-${name}`;
    element.textContent = t(label);
    input.id = `${id}-${name}`;
    input.name = name;
    return [element, input];
  };
  const text = (value, attributes = {}) => Object.assign(document.createElement("input"), { value: value ?? "", ...attributes });
  const level = document.createElement("select");
  for (const value of ["beginner", "intermediate", "advanced"]) level.append(new Option(t(`level-${value}`), value, false, (child?.level ?? "beginner") === value));
  const save = Object.assign(document.createElement("button"), { type: "submit", textContent: t("save") });
  const result = Object.assign(document.createElement("p"), { className: "error" });
  result.setAttribute("role", "status");
  form.replaceChildren(
    ...field("name", "name", text(child?.name, { required: true, maxLength: 40 })),
    ...field("age", "age", text(child?.age, { type: "number", min: 2, max: 16 })),
    ...field("native_language", "native-language", text(child?.native_language ?? "es", { required: true, pattern: "[a-z]{2}", maxLength: 2 })),
    ...field("target_language", "target-language", text(child?.target_language ?? "en", { required: true, pattern: "[a-z]{2}", maxLength: 2 })),
    ...field("level", "level", level),
    save, result);
  form.onsubmit = async (event) => {
    event.preventDefault();
    const body = {
      name: form.elements.name.value.trim(),
      age: form.elements.age.value ? Number(form.elements.age.value) : null,
      native_language: form.elements.native_language.value.trim(),
      target_language: form.elements.target_language.value.trim(),
      level: form.elements.level.value,
    };
    try {
      const saved = child
        ? await api(`/api/children/${child.user_id}`, { method: "PUT", body: JSON.stringify(body) })
        : await api("/api/me/children", { method: "POST", body: JSON.stringify(body) });
      result.textContent = t("child-saved");
      const children = await listChildren();
      if (!child) { $("add-child").open = false; buildChildForm(form, null); }
      await choose(children.find((c) => c.user_id === saved.user_id) ?? children[0]);
      $("child-name").focus();
    } catch (error) {
      result.textContent = t("error", { reason: error.message });
    }
  };
}

$("edit-child").addEventListener("click", () => {
  const form = $("edit-child-form");
  form.hidden = !form.hidden;
  $("edit-child").setAttribute("aria-expanded", String(!form.hidden));
  if (!form.hidden) form.elements.name.focus();
});

$("delete-child").addEventListener("click", async () => {
  if (!state.child || !confirm(t("confirm-delete-child", { name: state.child.name }))) return;
  await state.hub.invoke("Unfollow", state.child.user_id).catch(() => {});
  await api(`/api/children/${state.child.user_id}`, { method: "DELETE" });
  state.child = null;
  state.transcript.clear();
  const children = await listChildren();
  if (children.length > 0) await choose(children[0]); else show("family", ...(state.me.admin ? ["debug"] : []));
});

function showDevice(device) { $("device").textContent = describeDevice(device); }

$("delete-history").addEventListener("click", async () => {
  if (!state.child || !confirm(t("confirm-delete-history", { name: state.child.name }))) return;
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

translate();
start();
