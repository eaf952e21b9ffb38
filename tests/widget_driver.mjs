// Visits the demo page in headless Chromium as a phone user would and prints what they see,
// as JSON; tests/test_widget.py asserts on it. Usage: node widget_driver.mjs '<plan JSON>'
//   plan: {url, question, quickReply, followUp, markup, screenshots, chromium}
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(new URL("../web/package.json", import.meta.url));
const { chromium } = require("playwright-core");

const plan = JSON.parse(process.argv[2]);
const PHONE = { width: 390, height: 844 };
const REPLY_TIMEOUT = 30_000;

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
  console.log(JSON.stringify({ ...(await visit(page)), ...seen }));
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

  result.answer = await ask(page, plan.question);
  result.quickReplies = await page.locator(".cc-replies button").allTextContents();
  await page.keyboard.press("Shift+Tab"); // from the message field back to the last reply
  result.focusAfterShiftTab = await page.evaluate(() => document.activeElement?.className);

  const before = await botCount(page);
  await page.getByRole("button", { name: plan.quickReply, exact: true }).click();
  const replies = await botRepliesAfter(page, before);
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
        copy.querySelectorAll(".cc-visually-hidden, .cc-replies").forEach((e) => e.remove());
        return copy.textContent;
      }),
    selector,
  );
}
