import { test } from "node:test";
import assert from "node:assert/strict";
import { Transcript, compareIds, describeDevice, describeOutcome, between } from "../../wwwroot/transcript.js";

const line = (id, speaker, text, turn = "t1") => ({ id, speaker, text, turn_id: turn, at: "2026-11-26T10:00:00Z" });

test("stream ids compare by time, then by sequence", () => {
  assert.ok(compareIds("1700000000000-1", "1700000000000-0") > 0);
  assert.ok(compareIds("1700000000001-0", "1700000000000-9") > 0);
  assert.ok(compareIds("999-0", "1000-0") < 0);
  assert.equal(compareIds("5-5", "5-5"), 0);
});

test("a line that arrives live and again from the history shows once", () => {
  const transcript = new Transcript();
  assert.equal(transcript.add(line("1000-0", "child", "hello")), true);
  assert.equal(transcript.add(line("1000-0", "child", "hello")), false);
  assert.equal(transcript.size, 1);
});

test("filling a gap puts the missed lines in conversation order and moves the last id on", () => {
  const transcript = new Transcript();
  transcript.addAll([line("1000-0", "child", "hello"), line("1000-1", "tutor", "Hi!")]);
  assert.equal(transcript.lastId, "1000-1");
  // Missed while disconnected, delivered in the wrong order by the page's two sources:
  const added = transcript.addAll([line("3000-1", "tutor", "Great job!", "t2"), line("3000-0", "child", "red", "t2"), line("1000-1", "tutor", "Hi!")]);
  assert.equal(added, 2);
  assert.deepEqual(transcript.ordered().map((l) => l.text), ["hello", "Hi!", "red", "Great job!"]);
  assert.equal(transcript.lastId, "3000-1");
});

test("an empty transcript asks for everything", () => {
  assert.equal(new Transcript().lastId, null);
});

test("device states and outcomes are worded for parents", () => {
  assert.equal(describeDevice("thinking"), "Thinking…");
  assert.equal(describeDevice("offline"), "Device offline");
  assert.equal(describeDevice("weird"), "Unknown");
  assert.equal(describeOutcome("correct"), "✓ right");
  assert.equal(describeOutcome(undefined), "");
});

test("turn timings are shown as milliseconds between two marks", () => {
  const turn = { utterance_ended: "1000", transcribed: "1450", reply_started: "1600" };
  assert.equal(between(turn, "utterance_ended", "transcribed"), "450 ms");
  assert.equal(between(turn, "transcribed", "first_audio_sent"), "–");
});
