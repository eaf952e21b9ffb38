// The message a rating of an answer sends to Rasa, as actions/feedback.py reads it: intent
// syntax, so NLU never sees it, and the rated reply named in the metadata. Kept free of the
// DOM so it can be tested in node.

export const HELPFUL = "helpful";
export const NOT_HELPFUL = "not_helpful";
// The buttons' accessible names, in the order shown.
export const RATINGS = [
  [HELPFUL, "Helpful"],
  [NOT_HELPFUL, "Not helpful"],
];
// The same limits as actions/feedback.py: the message stays under the channels' 500
// characters and the metadata far under its 2048 bytes.
export const MAX_COMMENT_LENGTH = 200;
const REPLY_REFERENCE_LENGTH = 200;

/** The `user_uttered` fields for rating the reply `replyText`, with an optional comment. */
export function feedbackMessage(rating, replyText, comment = "") {
  const entities = { rating };
  const trimmed = comment.trim().slice(0, MAX_COMMENT_LENGTH);
  if (trimmed) entities.comment = trimmed;
  return {
    message: `/feedback${JSON.stringify(entities)}`,
    metadata: { rated_reply: replyText.trim().slice(0, REPLY_REFERENCE_LENGTH) },
  };
}
