// Bot text to display segments. Kept free of the DOM so it can be tested in node; the widget
// turns every segment into a text node or a link, never into HTML, so markup in a message
// (from the bot or echoed from the user) is shown as text.

// A markdown link [title](https://...) or a bare http(s) URL. Only http(s) becomes a link:
// javascript:, data: and the like stay text.
const LINK = /\[([^\]\n]+)\]\((https?:\/\/[^\s()]+)\)|\bhttps?:\/\/[^\s<>"']+/g;
// Punctuation that ends a sentence rather than the URL: "see https://example.com."
const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

/** Split `text` into `{text}` and `{text, href}` segments, in order. */
export function segments(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    const [whole, title, markdownHref] = match;
    const start = match.index;
    let end = start + whole.length;
    let link;
    if (markdownHref) {
      link = { text: title, href: markdownHref };
    } else {
      const url = whole.replace(TRAILING_PUNCTUATION, "");
      end = start + url.length;
      link = { text: url, href: url };
    }
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push(link);
    last = end;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
