// Huge answers stay cheap: a turn shows at most a few messages. An answer longer than that is
// rendered only up to a cut (Markdown rendering costs ~5 µs a character, and a 10 MB answer would
// be ~2,500 messages); the whole text goes as a document (answer.md) instead.

/** Messages a turn's answer may take before the rest goes as a document. */
export const MAX_ANSWER_MESSAGES = 3;
/** Characters rendered as messages when an answer is cut (room for the note and code reopening). */
export const HEAD_CHARS = 3 * 3500;

export interface CappedAnswer {
  /** What is rendered into messages. */
  head: string;
  /** Set when the answer was cut: the whole text, for a document. */
  whole?: string;
}

/** Cuts at a line break near HEAD_CHARS (never inside a surrogate pair) when the text is longer. */
export function capAnswer(text: string, headChars = HEAD_CHARS): CappedAnswer {
  if (text.length <= headChars) return { head: text };
  let cut = text.lastIndexOf('\n', headChars);
  if (cut < headChars / 2) cut = headChars;
  if (/[\uDC00-\uDFFF]/.test(text[cut] ?? '')) cut--;
  return { head: text.slice(0, cut), whole: text };
}

export const cutNote = (c: CappedAnswer): string =>
  c.whole ? `… ${(c.whole.length - c.head.length).toLocaleString('en-US')} more characters: the whole answer is in answer.md below.` : '';
