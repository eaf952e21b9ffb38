// Careers assistant chat widget: a launcher button that opens a chat panel talking to Rasa's
// socket.io channel. A site embeds it with (docs/channels.md):
//   <link rel="stylesheet" href="careers-chat.css">
//   <script src="careers-chat.js" data-server-url="https://bot.example.com" defer></script>
// Every message is shown with text nodes (see format.js), never parsed as HTML.
import { io } from "socket.io-client";

import { segments } from "./format.js";

// Read while the script runs: document.currentScript is null afterwards.
const options = document.currentScript?.dataset ?? {};
const config = {
  serverUrl: options.serverUrl || window.location.origin,
  title: options.title || "Careers assistant",
  initPayload: options.initPayload || "",
  maxLength: Number(options.maxLength) || 500,
};
// sessionStorage: the conversation survives reloads and page changes in the tab, and is
// forgotten when the tab closes (nothing left behind on a shared computer).
const STORAGE_KEY = `careers-chat:${config.serverUrl}`;

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => mount(config));
} else {
  mount(config);
}

function mount({ serverUrl, title, initPayload, maxLength }) {
  const state = loadState();
  const view = buildView(title, maxLength);
  document.body.append(view.root);
  state.messages.forEach((message, i) =>
    view.log.append(messageItem(message, i === state.messages.length - 1 ? send : null)),
  );

  const socket = io(serverUrl);
  socket.on("connect", () => {
    setStatus("");
    // Rasa's socketio channel (session_persistence: true) keys the conversation on this id,
    // so a reload carries on where the user left off.
    socket.emit("session_request", { session_id: state.sessionId });
  });
  socket.on("connect_error", () => setStatus("Can't reach the assistant. Retrying…"));
  socket.on("disconnect", () => setStatus("Connection lost. Reconnecting…"));
  socket.on("bot_uttered", (message) => {
    const quickReplies = (message.quick_replies ?? []).filter((r) => r.title && r.payload);
    if (!message.text && quickReplies.length === 0) return; // images, cards: not used here
    add({ from: "bot", text: message.text ?? "", quickReplies });
  });

  view.launcher.addEventListener("click", () => setOpen(!state.open));
  view.close.addEventListener("click", () => setOpen(false));
  view.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false);
  });
  view.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = view.input.value.trim();
    if (!text) return;
    view.input.value = "";
    send(text, text);
  });
  if (state.open) setOpen(true, { moveFocus: false });

  /** Send `payload` to Rasa; show `shownAs` as the user's message unless empty. */
  function send(payload, shownAs) {
    view.log.querySelectorAll(".cc-replies").forEach((group) => group.remove());
    if (shownAs) add({ from: "user", text: shownAs });
    socket.emit("user_uttered", { message: payload, session_id: state.sessionId });
  }

  function add(message) {
    state.messages.push(message);
    saveState(state);
    view.log.append(messageItem(message, send));
    view.log.scrollTop = view.log.scrollHeight;
  }

  function setOpen(open, { moveFocus = true } = {}) {
    state.open = open;
    saveState(state);
    view.panel.hidden = !open;
    view.launcher.setAttribute("aria-expanded", String(open));
    if (!open) {
      if (moveFocus) view.launcher.focus();
      return;
    }
    view.log.scrollTop = view.log.scrollHeight;
    if (moveFocus) view.input.focus();
    if (state.messages.length === 0 && initPayload) send(initPayload, "");
  }

  function setStatus(text) {
    view.status.textContent = text;
  }
}

function buildView(title, maxLength) {
  const launcher = el("button", {
    class: "cc-launcher",
    type: "button",
    "aria-expanded": "false",
    "aria-controls": "cc-panel",
  }, "Ask our careers assistant");
  const close = el("button", { class: "cc-close", type: "button", "aria-label": "Close chat" }, "×");
  const log = el("ol", { class: "cc-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const status = el("p", { class: "cc-status", role: "status" });
  const input = el("input", {
    id: "cc-input",
    class: "cc-input",
    type: "text",
    autocomplete: "off",
    maxlength: String(maxLength),
    placeholder: "Ask about jobs, pay or training",
  });
  const form = el(
    "form",
    { class: "cc-form" },
    el("label", { for: "cc-input", class: "cc-visually-hidden" }, "Your message"),
    input,
    el("button", { class: "cc-send", type: "submit" }, "Send"),
  );
  const panel = el(
    "section",
    { id: "cc-panel", class: "cc-panel", role: "dialog", "aria-labelledby": "cc-title" },
    el("header", { class: "cc-header" }, el("h2", { id: "cc-title" }, title), close),
    log,
    status,
    form,
  );
  panel.hidden = true;
  const root = el("div", { class: "cc-root" }, panel, launcher);
  return { root, launcher, panel, close, log, status, form, input };
}

/** One message; the quick replies of the latest bot message are buttons that `send`. */
function messageItem(message, send) {
  const speaker = message.from === "user" ? "You" : "Assistant";
  const item = el(
    "li",
    { class: `cc-message cc-${message.from}` },
    el("span", { class: "cc-visually-hidden" }, `${speaker}: `),
  );
  for (const part of segments(message.text)) {
    item.append(
      part.href
        ? el("a", { href: part.href, target: "_blank", rel: "noopener noreferrer" }, part.text)
        : document.createTextNode(part.text),
    );
  }
  if (send && message.quickReplies?.length) {
    const group = el("div", { class: "cc-replies", role: "group", "aria-label": "Suggested replies" });
    for (const reply of message.quickReplies) {
      const button = el("button", { class: "cc-reply", type: "button" }, reply.title);
      button.addEventListener("click", () => send(reply.payload, reply.title));
      group.append(button);
    }
    item.append(group);
  }
  return item;
}

/** An element with attributes and text or element children (text is never parsed as HTML). */
function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

function loadState() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY));
    if (saved?.sessionId && Array.isArray(saved.messages)) return saved;
  } catch {
    // Unreadable or blocked storage: start a new conversation.
  }
  return { sessionId: randomId(), open: false, messages: [] };
}

function saveState(state) {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // Storage full or blocked: the chat still works, it just won't survive a reload.
  }
}

/** 32 hex digits. crypto.randomUUID needs https; getRandomValues works on plain http too. */
function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
