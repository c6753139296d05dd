// The progress pictures, drawn as hand-made SVG from the turn facts the gateway serves (GET /api/children/{id}/facts):
// no charting library to keep up to date, and every mark is a plain element a screen reader and a test can find.

/** One point per turn that mastered a word: when, and how many words the child had mastered then. */
export function masteredPoints(facts) {
  return facts
    .filter((fact) => (fact.mastered ?? []).length > 0)
    .map((fact) => ({ at: new Date(fact.at), total: fact.words_mastered_total }));
}

/** Right and not-yet answers per lesson, in the order the lessons were first met. */
export function perLesson(facts) {
  const lessons = new Map();
  for (const fact of facts) {
    if (!fact.lesson_id || (fact.outcome !== "correct" && fact.outcome !== "incorrect")) continue;
    const lesson = lessons.get(fact.lesson_id) ?? { id: fact.lesson_id, title: fact.lesson_title ?? fact.lesson_id, correct: 0, incorrect: 0 };
    lesson[fact.outcome]++;
    lessons.set(fact.lesson_id, lesson);
  }
  return [...lessons.values()];
}

/** The calendar day of <date> in <timeZone> (the parent's), as YYYY-MM-DD. */
export function dayOf(date, timeZone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/** Seconds the child spoke on each of the last <days> days (oldest first), days counted in the parent's time zone. */
export function talkPerDay(facts, now, days = 14, timeZone = undefined) {
  const totals = new Map();
  for (let i = days - 1; i >= 0; i--) totals.set(dayOf(new Date(now.getTime() - i * 86_400_000), timeZone), 0);
  for (const fact of facts) {
    const day = dayOf(new Date(fact.at), timeZone);
    if (totals.has(day)) totals.set(day, totals.get(day) + (fact.spoke_milliseconds ?? 0) / 1000);
  }
  return [...totals].map(([day, seconds]) => ({ day, seconds }));
}

const width = 320;
const height = 140;
const pad = 28;

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function frame(label, body) {
  return `<svg viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(label)}" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${escape(label)}</title>` +
    `<line x1="${pad}" y1="${height - pad}" x2="${width - 8}" y2="${height - pad}" class="axis"/>` +
    `<line x1="${pad}" y1="8" x2="${pad}" y2="${height - pad}" class="axis"/>${body}</svg>`;
}

/** A line of the words mastered: one <circle class="point"> per point, each with its own title. */
export function masteredChart(points, label, describe) {
  if (points.length === 0) return "";
  const max = Math.max(1, ...points.map((p) => p.total));
  const first = points[0].at.getTime();
  const span = Math.max(1, points[points.length - 1].at.getTime() - first);
  const x = (p) => points.length === 1 ? (pad + width - 8) / 2 : pad + ((p.at.getTime() - first) / span) * (width - 8 - pad);
  const y = (p) => height - pad - (p.total / max) * (height - pad - 12);
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p).toFixed(1)},${y(p).toFixed(1)}`).join(" ");
  const dots = points.map((p) => `<circle class="point" cx="${x(p).toFixed(1)}" cy="${y(p).toFixed(1)}" r="4"><title>${escape(describe(p))}</title></circle>`).join("");
  return frame(label, `<text x="4" y="14" class="tick">${max}</text><path d="${path}" class="line"/>${dots}`);
}

/** Bars per day: one <rect class="bar"> a day, its height the minutes spoken. */
export function talkChart(days, label, describe) {
  const max = Math.max(60, ...days.map((d) => d.seconds));
  const slot = (width - 8 - pad) / days.length;
  const bars = days.map((d, i) => {
    const h = (d.seconds / max) * (height - pad - 12);
    return `<rect class="bar" x="${(pad + i * slot + 2).toFixed(1)}" y="${(height - pad - h).toFixed(1)}" width="${(slot - 4).toFixed(1)}" height="${h.toFixed(1)}">` +
      `<title>${escape(describe(d))}</title></rect>`;
  }).join("");
  return frame(label, `<text x="4" y="14" class="tick">${Math.round(max / 60)}′</text>${bars}`);
}

/** Right and not-yet per lesson, side by side. */
export function lessonsChart(lessons, label, describe) {
  if (lessons.length === 0) return "";
  const max = Math.max(1, ...lessons.flatMap((l) => [l.correct, l.incorrect]));
  const slot = (width - 8 - pad) / lessons.length;
  const bars = lessons.map((l, i) => {
    const bar = (value, offset, kind) => {
      const h = (value / max) * (height - pad - 12);
      return `<rect class="bar ${kind}" x="${(pad + i * slot + offset).toFixed(1)}" y="${(height - pad - h).toFixed(1)}" width="${(slot / 2 - 3).toFixed(1)}" height="${h.toFixed(1)}"><title>${escape(describe(l))}</title></rect>`;
    };
    return bar(l.correct, 2, "right") + bar(l.incorrect, slot / 2, "not-yet") +
      `<text x="${(pad + i * slot + slot / 2).toFixed(1)}" y="${height - 10}" class="tick" text-anchor="middle">${escape(l.title.slice(0, 14))}</text>`;
  }).join("");
  return frame(label, bars);
}
