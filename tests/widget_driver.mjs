// Visits the demo page in headless Chromium as a phone user would and prints what they see,
// as JSON; tests/test_widget.py asserts on it. Usage: node widget_driver.mjs '<plan JSON>'
//   plan: {url, question, comment, quickReply, followUp, markup, reportUrl, screenshots,
//          chromium}
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const plan = JSON.parse(process.argv[2]);
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
const REPLY_TIMEOUT = 30_000;
// Axe-core's rules for WCAG 2.0 and 2.1, levels A and AA, and its best practices.
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const AXE_SOURCE = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

const userDataDir = await mkdtemp(join(tmpdir(), "careers-chat-browser-"));
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: plan.chromium,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: PHONE,
  isMobile: true,
  hasTouch: true,
});
const seen = { requests: [], dialogs: [], pageErrors: [], consoleErrors: [] };
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.on("request", (request) => seen.requests.push(request.url()));
  page.on("dialog", async (dialog) => {
    seen.dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  page.on("pageerror", (error) => seen.pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") seen.consoleErrors.push(message.text());
  });
  const result = await visit(page);
  const report = await openReport(await browser.newPage());
  console.log(JSON.stringify({ ...result, ...seen, report }));
} finally {
  await browser.close();
  await rm(userDataDir, { recursive: true, force: true });
}

async function visit(page) {
  const result = {};
  await page.goto(plan.url);
  const launcher = page.getByRole("button", { name: "Ask our careers assistant" });

  // Open with the keyboard; the greeting arrives by itself.
  await launcher.focus();
  await page.keyboard.press("Enter");
  result.focusAfterOpen = await page.evaluate(() => document.activeElement?.id);
  result.greeting = await botRepliesAfter(page, 0);

  await watchTyping(page);
  result.answer = await ask(page, plan.question);
  result.typing = await typingSeen(page);
  result.typingInLog = await page.locator(".cc-log .cc-typing").count();
  result.quickReplies = await page.locator(".cc-replies button").allTextContents();
  await page.keyboard.press("Shift+Tab"); // from the message field back to the last reply
  result.focusAfterShiftTab = await page.evaluate(() => document.activeElement?.className);

  // Rate the answer "Not helpful"; the comment field opens.
  const answer = page.locator(".cc-bot").last();
  result.botMessagesBeforeRating = await botCount(page);
  result.ratingButtons = await answer.locator(".cc-feedback button").allTextContents();
  result.greetingRatingButtons = await page.locator(".cc-bot").first().locator(".cc-feedback").count();
  await answer.getByRole("button", { name: "Not helpful", exact: true }).click();
  result.focusAfterNotHelpful = await page.evaluate(() => document.activeElement?.className);
  // Checked with the chat open after a question, its answer and the comment field, on both
  // screen sizes.
  result.axe = { phone: await axeResults(page) };
  await page.setViewportSize(DESKTOP);
  result.axe.desktop = await axeResults(page);
  await page.setViewportSize(PHONE);
  await page.keyboard.type(plan.comment);
  await page.keyboard.press("Enter");
  result.afterRating = {
    pressed: await answer.locator('.cc-feedback [aria-pressed="true"]').allTextContents(),
    shown: await answer.locator(".cc-thanks").textContent(),
    botMessages: await botCount(page),
  };
  // Rating changed nothing: "it" is still the job asked about.
  result.afterRatingFollowUp = await ask(page, plan.followUp);

  const before = await botCount(page);
  await typingSeen(page); // from here on, only the quick reply's
  await page.emulateMedia({ reducedMotion: "reduce" });
  await page.getByRole("button", { name: plan.quickReply, exact: true }).click();
  const replies = await botRepliesAfter(page, before);
  result.typingReducedMotion = await typingSeen(page);
  await page.emulateMedia({ reducedMotion: "no-preference" });
  result.afterQuickReply = { userText: (await messageTexts(page, ".cc-user")).at(-1), replies };
  result.layout = await page.evaluate(() => {
    const panel = document.querySelector(".cc-panel").getBoundingClientRect();
    return {
      viewport: { width: innerWidth, height: innerHeight },
      panel: { left: panel.left, top: panel.top, right: panel.right, bottom: panel.bottom },
      pageScrollWidth: document.documentElement.scrollWidth,
      inputFontPx: parseFloat(getComputedStyle(document.querySelector(".cc-input")).fontSize),
    };
  });
  await page.screenshot({ path: join(plan.screenshots, "conversation.png") });

  result.transcriptBeforeReload = await transcript(page);
  await page.reload();
  await page.locator(".cc-message").first().waitFor();
  result.transcriptAfterReload = await transcript(page);
  result.openAfterReload = await page.locator(".cc-panel").isVisible();
  result.followUp = await ask(page, plan.followUp);
  await page.screenshot({ path: join(plan.screenshots, "after-reload.png") });

  result.markupReplies = await ask(page, plan.markup);
  result.markup = {
    userText: (await messageTexts(page, ".cc-user")).at(-1),
    elementsInLog: await page.evaluate(() =>
      [...document.querySelectorAll(".cc-log *")].map((e) => e.tagName.toLowerCase()),
    ),
  };

  await page.keyboard.press("Escape");
  result.afterEscape = {
    panelVisible: await page.locator(".cc-panel").isVisible(),
    focusOnLauncher: await launcher.evaluate((button) => button === document.activeElement),
  };
  return result;
}

/** Type a message with the keyboard, send it with Enter, return the bot's replies. */
async function ask(page, text) {
  const before = await botCount(page);
  await page.locator(".cc-input").focus();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  return botRepliesAfter(page, before);
}

/** Texts of bot messages after the first `count`, once they stop arriving for a second. */
async function botRepliesAfter(page, count) {
  await page.waitForFunction(
    (n) => document.querySelectorAll(".cc-bot").length > n,
    count,
    { timeout: REPLY_TIMEOUT },
  );
  let seenCount = -1;
  while (seenCount !== (await botCount(page))) {
    seenCount = await botCount(page);
    await page.waitForTimeout(1000);
  }
  return (await messageTexts(page, ".cc-bot")).slice(count);
}

async function botCount(page) {
  return page.locator(".cc-bot").count();
}

/** Every message as the visitor reads it: "you: ..." / "bot: ...". */
async function transcript(page) {
  const user = await page.evaluate(() =>
    [...document.querySelectorAll(".cc-message")].map((m) => m.classList.contains("cc-user")),
  );
  const texts = await messageTexts(page, ".cc-message");
  return texts.map((text, i) => (user[i] ? `you: ${text}` : `bot: ${text}`));
}

/** Message text without the screen-reader prefix and the reply buttons. */
async function messageTexts(page, selector) {
  return page.evaluate(
    (s) =>
      [...document.querySelectorAll(s)].map((message) => {
        const copy = message.cloneNode(true);
        copy
          .querySelectorAll(".cc-visually-hidden, .cc-replies, .cc-feedback")
          .forEach((e) => e.remove());
        return copy.textContent;
      }),
    selector,
  );
}

/** Axe-core's violations on the page as it is now, and how many rules it checked. */
async function axeResults(page) {
  // Evaluated over the DevTools protocol, which the page's CSP (no inline script) allows.
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const results = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
    return {
      rulesPassed: results.passes.length,
      violations: results.violations.map((v) => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        elements: v.nodes.map((node) => node.target.join(" ")),
      })),
    };
  }, AXE_TAGS);
}

/** Records each text the typing indicator shows, and whether its dots move, as it appears. */
async function watchTyping(page) {
  await page.evaluate(() => {
    window.typingSeen = [];
    const indicator = document.querySelector(".cc-typing");
    new MutationObserver(() => {
      if (!indicator.textContent) return;
      const dot = indicator.querySelector(".cc-dots span");
      window.typingSeen.push({
        text: indicator.textContent,
        role: indicator.getAttribute("role"),
        animation: dot ? getComputedStyle(dot).animationName : null,
      });
    }).observe(indicator, { childList: true, subtree: true, characterData: true });
  });
}

/** What the typing indicator showed since the last call, and what it shows now. */
async function typingSeen(page) {
  return page.evaluate(() => {
    const seen = window.typingSeen;
    window.typingSeen = [];
    return { seen, now: document.querySelector(".cc-typing").textContent };
  });
}

/** The content report after the visit (with the rating in it), as its reader sees it. */
async function openReport(page) {
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  await page.setViewportSize(DESKTOP);
  const response = await page.goto(plan.reportUrl);
  await page.screenshot({ path: join(plan.screenshots, "report.png"), fullPage: true });
  return {
    status: response.status(),
    notHelpful: await page.locator("#not_helpful tbody tr").allInnerTexts(),
    errors,
    axe: await axeResults(page),
  };
}
