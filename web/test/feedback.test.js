import assert from "node:assert/strict";
import { test } from "node:test";

import { feedbackMessage, HELPFUL, NOT_HELPFUL } from "../src/feedback.js";

// tests/test_feedback.py checks that Rasa reads these messages as the feedback intent.
test("a rating is a feedback message naming the rated reply", () => {
  assert.deepEqual(feedbackMessage(HELPFUL, "  A QA manager earns £42,368 a year.\n"), {
    message: '/feedback{"rating":"helpful"}',
    metadata: { rated_reply: "A QA manager earns £42,368 a year." },
  });
});

test("a comment is trimmed and escaped as JSON", () => {
  const { message } = feedbackMessage(NOT_HELPFUL, "reply", '  Pay "after" tax? {}  ');
  assert.equal(message, '/feedback{"rating":"not_helpful","comment":"Pay \\"after\\" tax? {}"}');
});

test("a long comment and reply are cut to fit the channels' limits", () => {
  const { message, metadata } = feedbackMessage(NOT_HELPFUL, "r".repeat(5000), "c".repeat(5000));
  assert.ok(message.length < 500);
  assert.equal(metadata.rated_reply.length, 200);
});
