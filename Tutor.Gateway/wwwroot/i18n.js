// The parents' page in English and Spanish: every text the page shows comes from here. The language is the parent's
// choice (kept in this browser), else the browser's; times are shown in the parent's own time zone.

const texts = {
  en: {
    "title": "Tutor — for parents",
    "language": "Language",
    "not-signed-in": "Not signed in",
    "live": "Live",
    "reconnecting": "Reconnecting…",
    "disconnected": "Disconnected — reload the page",
    "sign-in": "Sign in",
    "parent-id": "Parent id",
    "passcode": "Passcode",
    "wrong-passcode": "Wrong parent id or passcode.",
    "too-many": "Too many attempts; try again later.",
    "firebase-note": "This Tutor signs parents in with Firebase Authentication.",
    "your-children": "Your children",
    "sign-out": "Sign out",
    "add-child": "Add a child",
    "name": "Name",
    "age": "Age",
    "native-language": "Speaks (language code, e.g. es)",
    "target-language": "Learns (language code, e.g. en)",
    "level": "Level",
    "level-beginner": "beginner",
    "level-intermediate": "intermediate",
    "level-advanced": "advanced",
    "save": "Save",
    "cancel": "Cancel",
    "edit-child": "Edit",
    "delete-child": "Delete child",
    "confirm-delete-child": "Delete {name}? Their progress and history are deleted too, and their devices disconnected. This cannot be undone.",
    "child-saved": "Saved.",
    "progress": "Progress",
    "no-lesson": "No lesson yet.",
    "progress-line": "{lesson}: step {step} of {count} · {words} word(s) mastered",
    "lesson-completed": " · lesson completed!",
    "words-over-time": "Words mastered over time",
    "right-wrong": "Right and not yet, per lesson",
    "talk-per-day": "Minutes talking per day, last two weeks",
    "to-practise": "Words to practise",
    "nothing-to-practise": "None yet.",
    "chart-empty": "Nothing to show yet.",
    "right": "right",
    "not-yet": "not yet",
    "lessons": "Lessons",
    "current": "current",
    "completed": "done",
    "chosen-next": "starts next",
    "start-next": "Start this lesson next",
    "other-language": "other language",
    "steps": "{count} steps",
    "devices": "Devices",
    "no-devices": "No devices yet.",
    "rename": "Rename",
    "revoke": "Revoke",
    "revoked": "revoked",
    "confirm-revoke": "Revoke {name}? It is disconnected at once and can no longer connect.",
    "last-seen": "last seen {when}",
    "never-seen": "never connected",
    "device-name": "Device name",
    "pair-device": "Pair a device",
    "pair-help": "Turn the device on: it says (or shows) a six-digit code. Type it here.",
    "pairing-code": "Code the device says",
    "pair": "Pair",
    "paired": "Paired. The device is connecting.",
    "pairing-failed": "That did not work: {reason}",
    "conversation": "Conversation",
    "delete-history": "Delete history",
    "confirm-delete-history": "Delete {name}'s conversation history?",
    "tutor": "Tutor",
    "state-offline": "Device offline",
    "state-listening": "Listening",
    "state-thinking": "Thinking…",
    "state-speaking": "Speaking",
    "state-unknown": "Unknown",
    "outcome-correct": "✓ right",
    "outcome-incorrect": "✗ not yet",
    "outcome-unclear": "? unclear",
    "safety-input_redirected": "Tutor redirected unkind words",
    "safety-reply_replaced": "Tutor used the lesson's own words",
    "debug-title": "Debug: live sessions and turns",
    "error": "Something went wrong: {reason}",
  },
  es: {
    "title": "Tutor — para madres y padres",
    "language": "Idioma",
    "not-signed-in": "Sin sesión",
    "live": "En directo",
    "reconnecting": "Reconectando…",
    "disconnected": "Desconectado — recarga la página",
    "sign-in": "Entrar",
    "parent-id": "Identificador",
    "passcode": "Contraseña",
    "wrong-passcode": "Identificador o contraseña incorrectos.",
    "too-many": "Demasiados intentos; inténtalo más tarde.",
    "firebase-note": "Este Tutor usa Firebase Authentication para entrar.",
    "your-children": "Tus hijos",
    "sign-out": "Salir",
    "add-child": "Añadir un niño o niña",
    "name": "Nombre",
    "age": "Edad",
    "native-language": "Habla (código de idioma, p. ej. es)",
    "target-language": "Aprende (código de idioma, p. ej. en)",
    "level": "Nivel",
    "level-beginner": "principiante",
    "level-intermediate": "intermedio",
    "level-advanced": "avanzado",
    "save": "Guardar",
    "cancel": "Cancelar",
    "edit-child": "Editar",
    "delete-child": "Borrar",
    "confirm-delete-child": "¿Borrar a {name}? También se borran su progreso y su historial, y sus dispositivos se desconectan. No se puede deshacer.",
    "child-saved": "Guardado.",
    "progress": "Progreso",
    "no-lesson": "Aún no hay lección.",
    "progress-line": "{lesson}: paso {step} de {count} · {words} palabra(s) dominada(s)",
    "lesson-completed": " · ¡lección completada!",
    "words-over-time": "Palabras dominadas con el tiempo",
    "right-wrong": "Aciertos y fallos por lección",
    "talk-per-day": "Minutos hablando al día, últimas dos semanas",
    "to-practise": "Palabras para practicar",
    "nothing-to-practise": "Ninguna por ahora.",
    "chart-empty": "Aún no hay nada que mostrar.",
    "right": "aciertos",
    "not-yet": "fallos",
    "lessons": "Lecciones",
    "current": "actual",
    "completed": "hecha",
    "chosen-next": "empieza la próxima vez",
    "start-next": "Empezar esta lección",
    "other-language": "otro idioma",
    "steps": "{count} pasos",
    "devices": "Dispositivos",
    "no-devices": "Aún no hay dispositivos.",
    "rename": "Renombrar",
    "revoke": "Revocar",
    "revoked": "revocado",
    "confirm-revoke": "¿Revocar {name}? Se desconecta ahora y ya no podrá conectarse.",
    "last-seen": "visto por última vez {when}",
    "never-seen": "nunca conectado",
    "device-name": "Nombre del dispositivo",
    "pair-device": "Emparejar un dispositivo",
    "pair-help": "Enciende el dispositivo: dirá (o mostrará) un código de seis cifras. Escríbelo aquí.",
    "pairing-code": "Código que dice el dispositivo",
    "pair": "Emparejar",
    "paired": "Emparejado. El dispositivo se está conectando.",
    "pairing-failed": "No ha funcionado: {reason}",
    "conversation": "Conversación",
    "delete-history": "Borrar historial",
    "confirm-delete-history": "¿Borrar el historial de conversación de {name}?",
    "tutor": "Tutor",
    "state-offline": "Dispositivo apagado",
    "state-listening": "Escuchando",
    "state-thinking": "Pensando…",
    "state-speaking": "Hablando",
    "state-unknown": "Desconocido",
    "outcome-correct": "✓ bien",
    "outcome-incorrect": "✗ todavía no",
    "outcome-unclear": "? no se entendió",
    "safety-input_redirected": "Tutor recondujo palabras poco amables",
    "safety-reply_replaced": "Tutor usó las palabras de la lección",
    "debug-title": "Depuración: sesiones y turnos",
    "error": "Algo ha fallado: {reason}",
  },
};

export const languages = Object.keys(texts);

let current = "en";

/** The language to start with: the parent's earlier choice, else the first of the browser's languages Tutor speaks. */
export function initialLanguage(saved, browserLanguages) {
  if (saved && texts[saved]) return saved;
  for (const tag of browserLanguages ?? []) {
    const base = tag.toLowerCase().split("-")[0];
    if (texts[base]) return base;
  }
  return "en";
}

export function setLanguage(language) { current = texts[language] ? language : "en"; }

export function language() { return current; }

/** The text for <key> in the current language, with {name} placeholders filled from <values>. */
export function t(key, values = {}) {
  const text = texts[current][key] ?? texts.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

/** Whether both languages have every text (a test keeps them in step). */
export function missingTexts() {
  const missing = [];
  for (const lang of languages) for (const key of Object.keys(texts.en)) if (!(key in texts[lang])) missing.push(`${lang}:${key}`);
  return missing;
}

/** A time in the parent's language and time zone (<timeZone> for tests; the browser's own otherwise). */
export function formatTime(at, timeZone) {
  return new Intl.DateTimeFormat(current, { hour: "2-digit", minute: "2-digit", timeZone }).format(new Date(at));
}

export function formatDateTime(at, timeZone) {
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(at));
}
