import { test } from "node:test";
import assert from "node:assert/strict";
import { masteredPoints, perLesson, talkPerDay, dayOf, masteredChart, talkChart, lessonsChart } from "../../wwwroot/charts.js";
import { t, setLanguage, initialLanguage, missingTexts, formatTime } from "../../wwwroot/i18n.js";

const fact = (at, extra = {}) => ({ turn_id: at, at, lesson_id: "colours", lesson_title: "Colours", outcome: "correct", mastered: [], spoke_milliseconds: 1500, words_mastered_total: 0, ...extra });

test("one point per turn that mastered a word, at the total then", () => {
  const facts = [fact("2026-11-20T10:00:00Z"), fact("2026-11-20T10:01:00Z", { mastered: ["red"], words_mastered_total: 1 }),
    fact("2026-11-21T09:00:00Z", { mastered: ["blue", "sky"], words_mastered_total: 3 })];
  const points = masteredPoints(facts);
  assert.deepEqual(points.map((p) => p.total), [1, 3]);
  const svg = masteredChart(points, "Words", (p) => `${p.total}`);
  assert.equal(svg.match(/class="point"/g).length, 2);
  assert.equal(masteredChart([], "Words", () => ""), "");
});

test("right and not yet are counted per lesson; unclear turns are not answers", () => {
  const lessons = perLesson([fact("1"), fact("2", { outcome: "incorrect" }), fact("3", { outcome: "unclear" }),
    fact("4", { lesson_id: "animals", lesson_title: "Animals" })]);
  assert.deepEqual(lessons.map((l) => [l.id, l.correct, l.incorrect]), [["colours", 1, 1], ["animals", 1, 0]]);
  assert.equal(lessonsChart(lessons, "L", () => "").match(/class="bar /g).length, 4);
});

test("talking time falls on the parent's own calendar day", () => {
  const now = new Date("2026-11-30T12:00:00Z");
  // 23:30 in New York on the 29th is the 30th in UTC.
  const facts = [fact("2026-11-30T04:30:00Z", { spoke_milliseconds: 60_000 }), fact("2026-11-10T10:00:00Z", { spoke_milliseconds: 5000 })];
  const utc = talkPerDay(facts, now, 14, "UTC");
  const newYork = talkPerDay(facts, now, 14, "America/New_York");
  assert.equal(utc.length, 14);
  assert.equal(utc.at(-1).day, "2026-11-30");
  assert.equal(utc.at(-1).seconds, 60);
  assert.equal(newYork.find((d) => d.day === "2026-11-29").seconds, 60);
  assert.ok(!utc.some((d) => d.day === "2026-11-10"), "older than two weeks is left out");
  assert.equal(talkChart(utc, "Talk", () => "").match(/class="bar"/g).length, 14);
  assert.equal(dayOf(new Date("2026-01-01T02:00:00Z"), "America/Los_Angeles"), "2025-12-31");
});

test("titles in the SVG are escaped", () => {
  const svg = lessonsChart([{ id: "x", title: "<script>", correct: 1, incorrect: 0 }], "a \"label\"", () => "<b>");
  assert.ok(!svg.includes("<script>") && !svg.includes("<b>"));
});

test("the page speaks English and Spanish, every text in both", () => {
  assert.deepEqual(missingTexts(), []);
  assert.equal(initialLanguage(null, ["es-ES", "en"]), "es");
  assert.equal(initialLanguage("en", ["es-ES"]), "en");
  assert.equal(initialLanguage(null, ["fr-FR"]), "en");
  setLanguage("es");
  assert.equal(t("progress-line", { lesson: "Colores", step: 2, count: 7, words: 1 }), "Colores: paso 2 de 7 · 1 palabra(s) dominada(s)");
  assert.equal(formatTime("2026-11-30T16:05:00Z", "Europe/Madrid"), "17:05");
  setLanguage("en");
  assert.equal(t("live"), "Live");
});
