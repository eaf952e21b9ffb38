import assert from "node:assert/strict";
import { test } from "node:test";

import { segments } from "../src/format.js";

test("plain text is one text segment", () => {
  assert.deepEqual(segments("A QA manager earns £42,368 a year."), [
    { text: "A QA manager earns £42,368 a year." },
  ]);
});

test("a bare URL becomes a link without the full stop after it", () => {
  assert.deepEqual(segments("Read https://uk.indeed.com/career-advice/x. Then ask."), [
    { text: "Read " },
    { text: "https://uk.indeed.com/career-advice/x", href: "https://uk.indeed.com/career-advice/x" },
    { text: ". Then ask." },
  ]);
});

test("a markdown link shows its title", () => {
  assert.deepEqual(segments("From [the article](https://example.org/a?b=1) (2022)"), [
    { text: "From " },
    { text: "the article", href: "https://example.org/a?b=1" },
    { text: " (2022)" },
  ]);
});

test("links that are not http(s) stay text", () => {
  const text = "[click](javascript:alert(1)) data:text/html,<script>alert(1)</script>";
  assert.deepEqual(segments(text), [{ text }]);
});

test("markup is returned as text, for the widget to show as text", () => {
  assert.deepEqual(segments("<img src=x onerror=alert(1)>"), [
    { text: "<img src=x onerror=alert(1)>" },
  ]);
});
