// A turn's final answer as messages: the body (Markdown rendered, capped at a few messages, the
// whole text as a document beyond that), what a stopped or failed turn says, and the footer with
// the duration, turns, cost and the tools the turn used.
import type { Rendered } from '../domain/render/entities.ts';
import { plain } from '../domain/render/entities.ts';
import { renderMarkdown } from '../domain/render/markdown.ts';
import { splitRendered } from '../domain/render/split.ts';
import { joinRendered, styled } from '../domain/render/compose.ts';
import { capAnswer, cutNote, MAX_ANSWER_MESSAGES } from './capAnswer.ts';
import type { TurnView } from './renderTurn.ts';

const fmtSecs = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`);

export function footer(v: TurnView, costUsd: number | undefined): Rendered {
  const r = v.terminal?.kind === 'result' ? v.terminal : undefined;
  if (!r) return plain('');
  const parts = [`⏱ ${fmtSecs(r.durationMs)}`, `${r.turns} turn${r.turns === 1 ? '' : 's'}`];
  if (costUsd !== undefined) parts.push(`$${costUsd.toFixed(4)}`);
  if (v.tools.length) parts.push(`🔧 ${toolSummary(v.tools.map((t) => t.name))}`);
  return styled(parts.join(' · '), 'italic');
}

const FOLD_AFTER = 5;

/** The tools a turn used, most used first: `Bash ×2, Edit`; beyond 5 names, `+3 more (12 calls)`. */
export function toolSummary(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, FOLD_AFTER).map(([n, c]) => (c > 1 ? `${n} ×${c}` : n));
  const rest = sorted.slice(FOLD_AFTER);
  if (rest.length) shown.push(`+${rest.length} more (${rest.reduce((sum, [, c]) => sum + c, 0)} calls)`);
  return shown.join(', ');
}

/** The text a final answer shows: the result's own, else what streamed. */
export function answerText(v: TurnView): string {
  const t = v.terminal;
  if (t?.kind === 'result' && !t.stopped && !t.isError) return t.text.trim() ? t.text : v.text;
  return v.text;
}

/** The whole answer as a document when it is too long for a few messages. */
export function answerDocument(v: TurnView): string | undefined {
  const t = v.terminal;
  if (!t || (t.kind === 'result' && t.isError) || (t.kind === 'failure' && t.reason !== 'stopped')) return undefined;
  return capAnswer(answerText(v)).whole;
}

const cappedMarkdown = (text: string): Rendered => {
  const c = capAnswer(text);
  return c.whole ? joinRendered([renderMarkdown(c.head), styled(cutNote(c), 'italic')], '\n\n') : renderMarkdown(text);
};
const capChunks = (chunks: Rendered[]): Rendered[] => chunks.slice(0, MAX_ANSWER_MESSAGES);

export const CANCELLED_TEXT = 'This request was cancelled before Claude answered it; Claude will not take it up again unless you send it again.';

/** What a stopped turn with no text says: cancelled when nothing at all came (app/cancelled.ts tells Claude). */
const unanswered = (v: TurnView): string => (v.tools.length || v.thinking ? '' : CANCELLED_TEXT);

/** What a local Claude Code command that printed nothing did. */
const localDone = (cmd: string): string =>
  cmd === 'clear' ? '🧹 /clear: Claude Code started a new conversation (the old one stays on disk; /resume lists it).' : cmd === 'compact' ? '🗜 /compact: the conversation was compacted.' : `✅ /${cmd} done.`;

/** The final answer as one or more messages (each ≤ 4096 UTF-16 units); `header` is a bold first line. */
export function finalMessages(v: TurnView, costUsd?: number, header?: string): Rendered[] {
  const t = v.terminal;
  if (!t) return [];
  if (header) return finalMessages(v, costUsd).map((m, i) => (i === 0 ? joinRendered([styled(header, 'bold'), m], '\n\n') : m));
  if (t.kind === 'failure') {
    if (t.reason === 'cancelled') return [plain(`⏹ ${t.message}`)];
    if (t.reason === 'limit') return [plain(t.message)];
    if (t.reason === 'stopped') return capChunks(splitRendered(joinRendered([plain(`⏹ ${t.message}`), v.text.trim() ? cappedMarkdown(v.text) : plain(unanswered(v))], '\n\n')));
    return [plain(`⚠️ ${t.message}`)];
  }
  if (t.kind !== 'result') return [];
  const foot = footer(v, costUsd);
  let body: Rendered;
  if (t.stopped) {
    body = joinRendered([plain('⏹ Stopped.'), v.text.trim() ? cappedMarkdown(v.text) : plain(unanswered(v))], '\n\n');
  } else if (t.isError) {
    body = plain(`⚠️ Claude Code reported an error: ${t.text || t.subtype}`);
  } else {
    const answer = t.text.trim() ? t.text : v.text;
    body = answer.trim() ? cappedMarkdown(answer) : plain(t.localCommand ? localDone(t.localCommand) : '(Claude Code finished without a text answer.)');
  }
  if (t.denials.length) {
    const list = t.denials.map((d) => `${d.toolName}${typeof d.input.command === 'string' ? ` (${d.input.command.slice(0, 60)})` : ''}`).join(', ');
    body = joinRendered([body, plain(`🚫 Not permitted: ${list}`)], '\n\n');
  }
  const chunks = capChunks(splitRendered(body));
  const lastChunk = chunks[chunks.length - 1];
  if (foot.text && lastChunk && lastChunk.text.length + foot.text.length + 2 <= 4096) {
    chunks[chunks.length - 1] = joinRendered([lastChunk, foot], '\n\n');
  } else if (foot.text) chunks.push(foot);
  return chunks;
}
