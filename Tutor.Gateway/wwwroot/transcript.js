// The parents' page's memory of a conversation: lines from the history endpoint and from the hub, merged by their
// history ids so that a line that arrives twice (live, then again when the gap after a reconnect is filled) shows once.
import { t } from "./i18n.js";

/** Compares two Redis stream ids ("<ms>-<seq>") in time order. */
export function compareIds(a, b) {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am !== bm ? am - bm : as - bs;
}

export class Transcript {
  #lines = new Map();

  /** Adds a line; returns true when it was not there yet. */
  add(line) {
    const key = line.id ?? `${line.turn_id}:${line.speaker}`;
    if (this.#lines.has(key)) return false;
    this.#lines.set(key, line);
    return true;
  }

  addAll(lines) {
    let added = 0;
    for (const line of lines) if (this.add(line)) added++;
    return added;
  }

  /** The newest history id seen: ask the server for what came after it. */
  get lastId() {
    let last = null;
    for (const line of this.#lines.values()) {
      if (line.id && (last === null || compareIds(line.id, last) > 0)) last = line.id;
    }
    return last;
  }

  /** The lines in conversation order: by history id, lines without one (not yet stored) last. */
  ordered() {
    return [...this.#lines.values()].sort((a, b) =>
      a.id && b.id ? compareIds(a.id, b.id) : a.id ? -1 : b.id ? 1 : new Date(a.at) - new Date(b.at));
  }

  clear() {
    this.#lines.clear();
  }

  get size() {
    return this.#lines.size;
  }
}

const states = ["offline", "listening", "thinking", "speaking"];

/** Words a parent understands for the device's state, in the page's language. */
export function describeDevice(state) {
  return t(states.includes(state) ? `state-${state}` : "state-unknown");
}

export function describeOutcome(outcome) {
  return ["correct", "incorrect", "unclear"].includes(outcome) ? t(`outcome-${outcome}`) : "";
}

export function describeSafety(mark) {
  return ["input_redirected", "reply_replaced"].includes(mark) ? t(`safety-${mark}`) : "";
}

/** Milliseconds between two timing marks of a turn (debug view), or "–" when one is missing. */
export function between(turn, from, to) {
  const a = Number(turn[from]);
  const b = Number(turn[to]);
  return Number.isFinite(a) && Number.isFinite(b) && a > 0 && b > 0 ? `${b - a} ms` : "–";
}
