// Careers assistant chat widget: a launcher button that opens a chat panel talking to Rasa's
// socket.io channel. A site embeds it with (docs/channels.md):
//   <link rel="stylesheet" href="careers-chat.css">
//   <script src="careers-chat.js" data-server-url="https://bot.example.com" defer></script>
// Every message is shown with text nodes (see format.js), never parsed as HTML.
import { io } from "socket.io-client";

import { feedbackMessage, MAX_COMMENT_LENGTH, NOT_HELPFUL, RATINGS } from "./feedback.js";
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
// The typing indicator goes when the first reply arrives, or after this long without one.
const TYPING_TIMEOUT_MS = 20_000;

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
    view.log.append(messageItem(message, i === state.messages.length - 1 ? send : null, rate)),
  );

  const socket = io(serverUrl);
  // The server issues the session id (channels/sessions.py) and resumes only one it issued,
  // so a reload carries on where the user left off. Messages wait until it has confirmed.
  let sessionConfirmed = false;
  const unsent = [];
  socket.on("connect", () => {
    setStatus("");
    socket.emit("session_request", { session_id: state.sessionId });
  });
  socket.on("session_confirm", (sessionId) => {
    state.sessionId = sessionId;
    saveState(state);
    sessionConfirmed = true;
    unsent.splice(0).forEach(emitMessage);
  });
  socket.on("connect_error", () => setStatus("Can't reach the assistant. Retrying…"));
  socket.on("disconnect", () => {
    setTyping(false);
    sessionConfirmed = false;
    setStatus("Connection lost. Reconnecting…");
  });
  socket.on("bot_uttered", (message) => {
    setTyping(false);
    const quickReplies = (message.quick_replies ?? []).filter((r) => r.title && r.payload);
    if (!message.text && quickReplies.length === 0) return; // images, cards: not used here
    // Answers to the visitor's messages can be rated; the greeting the page asked for cannot.
    const ratable = state.messages.some((m) => m.from === "user");
    add({ from: "bot", text: message.text ?? "", quickReplies, ratable });
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
    if (sessionConfirmed) emitMessage(payload);
    else unsent.push(payload);
  }

  function emitMessage(payload) {
    socket.emit("user_uttered", { message: payload, session_id: state.sessionId });
    setTyping(true);
  }

  /** "Assistant is typing…" in its own status region, outside the log: a screen reader
   * announces it once when it appears and says nothing when it goes, and the log is not
   * read again. The dots are decoration, hidden from assistive technology. */
  let typingTimer;
  function setTyping(typing) {
    clearTimeout(typingTimer);
    if (!typing) {
      view.typing.replaceChildren();
      return;
    }
    const dots = el("span", { class: "cc-dots", "aria-hidden": "true" });
    dots.append(el("span"), el("span"), el("span"));
    view.typing.replaceChildren(dots, "Assistant is typing…");
    typingTimer = setTimeout(() => setTyping(false), TYPING_TIMEOUT_MS);
  }

  /** Rate `message` (a bot answer): a user message to Rasa that the visitor does not see
   * and that gets no reply; the choice is kept with the message for reloads. */
  function rate(message, rating, comment) {
    message.rating = rating;
    message.commentSent = Boolean(comment);
    saveState(state);
    socket.emit("user_uttered", {
      ...feedbackMessage(rating, message.text, comment),
      session_id: state.sessionId,
    });
  }

  function add(message) {
    state.messages.push(message);
    saveState(state);
    view.log.append(messageItem(message, send, rate));
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
  // A log region of plain blocks: role="log" on a list would take the list's semantics
  // away from its items (axe: listitem, aria-allowed-role). The role implies aria-live polite.
  const log = el("div", { class: "cc-log", role: "log", "aria-label": "Conversation" });
  const typing = el("p", { class: "cc-typing", role: "status" });
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
    // Not a <header>: the host page has its banner, and a second one confuses landmarks.
    el("div", { class: "cc-header" }, el("h2", { id: "cc-title" }, title), close),
    log,
    typing,
    status,
    form,
  );
  panel.hidden = true;
  const root = el("div", { class: "cc-root" }, panel, launcher);
  return { root, launcher, panel, close, log, typing, status, form, input };
}

/** One message; the quick replies of the latest bot message are buttons that `send`; an
 * answer has its rating buttons, which `rate`. */
function messageItem(message, send, rate) {
  const speaker = message.from === "user" ? "You" : "Assistant";
  const item = el(
    "div",
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
  // Before the quick replies: Shift+Tab from the message field still reaches those first.
  if (message.ratable) item.append(ratingControls(message, rate));
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

let commentFields = 0; // unique ids for the comment fields' labels

/** "Helpful" and "Not helpful" toggle buttons; after "Not helpful", an optional comment. */
function ratingControls(message, rate) {
  const group = el("div", {
    class: "cc-feedback",
    role: "group",
    "aria-label": "Rate this answer",
  });
  render();
  return group;

  function render(focus) {
    const buttons = RATINGS.map(([rating, name]) => {
      const pressed = message.rating === rating;
      const button = el(
        "button",
        { class: "cc-rate", type: "button", "aria-pressed": String(pressed) },
        name,
      );
      button.addEventListener("click", () => {
        if (message.rating === rating) return; // pressed again: would drop a comment sent
        rate(message, rating, "");
        render(rating === NOT_HELPFUL ? "comment" : rating);
      });
      if (focus === rating) queueMicrotask(() => button.focus());
      return button;
    });
    group.replaceChildren(...buttons);
    if (message.rating === NOT_HELPFUL && !message.commentSent) {
      group.append(commentForm(focus === "comment"));
    } else if (message.rating) {
      const thanks = message.commentSent
        ? "Thanks, your comment was sent."
        : "Thanks for your feedback.";
      group.append(el("span", { class: "cc-thanks" }, thanks));
    }
  }

  function commentForm(moveFocus) {
    const id = `cc-comment-${++commentFields}`;
    const input = el("input", {
      id,
      class: "cc-comment-input",
      type: "text",
      maxlength: String(MAX_COMMENT_LENGTH),
      autocomplete: "off",
    });
    const form = el(
      "form",
      { class: "cc-comment" },
      el("label", { for: id }, "What was missing? (optional)"),
      input,
      el("button", { class: "cc-comment-send", type: "submit" }, "Send comment"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      rate(message, NOT_HELPFUL, input.value);
      render(NOT_HELPFUL);
    });
    if (moveFocus) queueMicrotask(() => input.focus());
    return form;
  }
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
    if (Array.isArray(saved?.messages)) return saved;
  } catch {
    // Unreadable or blocked storage: start a new conversation.
  }
  return { sessionId: null, open: false, messages: [] };
}

function saveState(state) {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    // Storage full or blocked: the chat still works, it just won't survive a reload.
  }
}
