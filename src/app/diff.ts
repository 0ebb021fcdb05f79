// The Diff button: a turn in a git work tree that changed files (its fingerprint differs from the
// one taken before the turn) gets a "Diff" button on its final message; pressing it sends the
// work tree's changes, inline as a code block when they fit one message, else as a .diff file.
import { EMPTY, filter, map, merge, of, shareReplay, take, type Observable } from 'rxjs';
import type { CallbackQuery } from 'node-telegram-bot-api';
import { decodeButton, encodeButton } from '../domain/callbackData.ts';
import { isTerminal, type SessionEvent } from '../domain/events.ts';
import { formatBytes, type IoResult } from '../domain/io.ts';
import type { ChatRef } from '../domain/telegram.ts';
import { chatKeyOf, splitWorkspaceKey, workspaceKey, type Turn } from '../domain/turn.ts';
import { askAll } from './ask.ts';
import { dirOf, type AppConfig } from './config.ts';
import { io, reduce, telegram, type Effect } from './effects.ts';
import { launchOf } from './launch.ts';
import { withRuntime, type AppState } from './state.ts';
import { reply } from './reply.ts';

export interface DiffContext {
  cfg: AppConfig;
  io$: Observable<IoResult>;
  /** For the session's working directory (a project or worktree, else its own folder). */
  s?: AppState;
}

/** The work tree a session's turns run in. */
const workTreeOf = (x: DiffContext, ws: string): string => (x.s ? launchOf(x.cfg, x.s, ws).dir : dirOf(x.cfg, ws));

/** Room for a code block in one message (4096 UTF-16 units). */
const INLINE_MAX = 3900;

/** A work tree's fingerprint; null: the directory is not a git work tree; undefined: the Diff button is off. */
export type Before = string | null | undefined;

const stateOf = (x: DiffContext, id: string): Observable<string | null> =>
  x.io$.pipe(
    filter((r): r is Extract<IoResult, { kind: 'gitState' }> => r.kind === 'gitState' && r.id === id),
    take(1),
    map((r) => r.state ?? null),
  );

/**
 * Runs the turn with the work tree's fingerprint before it. That is the one the last turn left,
 * when there is one for this directory: taking it again would put a stat or a git process between
 * the message and Claude. Otherwise (the first turn here) it is taken now, before the turn starts.
 */
export function withGitState(turn: Turn, x: DiffContext, run: (before: Before) => Observable<Effect>): Observable<Effect> {
  if (!x.cfg.diffButton) return run(undefined);
  const dir = workTreeOf(x, turn.workspace);
  const left = x.s?.runtime[turn.workspace]?.tree;
  if (left?.dir === dir) return run(left.fingerprint);
  const id = `git0:${turn.id}`;
  return askAll([io({ kind: 'gitState', id, dir })], [stateOf(x, id)], ([before]) => run(before!));
}

/**
 * After the turn's terminal event: the fingerprint again, kept as the next turn's "before".
 * `markup$` (for the final message) is the Diff keyboard when the work tree's fingerprint changed
 * (a folder that only became a work tree has no "before" to differ from); `effects$` first.
 */
export function diffAfter(turn: Turn, before: Before, events$: Observable<SessionEvent>, x: DiffContext): { markup$: Observable<unknown>; effects$: Observable<Effect> } {
  if (before === undefined) return { markup$: of(undefined), effects$: EMPTY };
  const id = `git1:${turn.id}`;
  const session = splitWorkspaceKey(turn.workspace).name;
  const dir = workTreeOf(x, turn.workspace);
  const after$ = stateOf(x, id).pipe(shareReplay(1));
  // Not a work tree before: no button whatever comes after, so the final message does not wait.
  const markup$ =
    before === null
      ? of(undefined)
      : after$.pipe(map((after) => (after !== null && after !== before ? { inline_keyboard: [[{ text: '📝 Diff', callback_data: encodeButton({ kind: 'diff', session }) }]] } : undefined)));
  const request$ = events$.pipe(filter(isTerminal), take(1), map(() => io({ kind: 'gitState', id, dir })));
  const kept$ = after$.pipe(map((after) => reduce(withRuntime(turn.workspace, (r) => ({ ...r, tree: { dir, fingerprint: after } })))));
  return { markup$, effects$: merge(kept$, request$) };
}

/** A press of a Diff button → the diff in the chat; undefined for any other button. */
export function diffPressEffects(q: CallbackQuery, x: DiffContext, ref: string): Observable<Effect> | undefined {
  const press = decodeButton(q.data);
  if (press?.kind !== 'diff' || !q.message) return undefined;
  const answer = (text?: string): Effect => telegram({ op: 'answerCallback', callbackQueryId: q.id, ...(text ? { text } : {}) });
  if (!x.cfg.allowedUserIds.has(q.from.id)) return of(answer('Only the bot owner can use this.'));
  const msg = q.message as { chat: { id: number }; message_thread_id?: number; is_topic_message?: boolean };
  const chat: ChatRef = msg.message_thread_id && msg.is_topic_message ? { chatId: msg.chat.id, threadId: msg.message_thread_id } : { chatId: msg.chat.id };
  const ws = workspaceKey(chatKeyOf(chat), press.session);
  const dir = workTreeOf(x, ws);
  const id = `diff:${ref}`;
  const answer$ = x.io$.pipe(filter((r): r is Extract<IoResult, { kind: 'gitDiff' }> => r.kind === 'gitDiff' && r.id === id), take(1));
  const file = `${dirOf(x.cfg, ws)}.diff`; // beside the session's own folder, never in a work tree
  const say = (text: Parameters<typeof reply>[2]) => reply(`diff:${ref}`, chat, text, q.message!.message_id);
  return merge(
    of(answer()),
    askAll([io({ kind: 'gitDiff', id, dir, inlineMax: INLINE_MAX, file })], [answer$], ([r]) => {
      if (!r!.ok) return of(say(`⚠️ No diff: ${r!.message}.`));
      if (r!.file) return of(telegram({ op: 'upload', ref: `diff:${ref}`, chat, as: 'document', path: r!.file.path, fileName: `${press.session}.diff`, caption: `Changes in session "${press.session}" (${formatBytes(r!.file.bytes)})`, replyTo: q.message!.message_id }));
      if (!r!.diff.trim()) return of(say(`No uncommitted changes in session "${press.session}" now.`));
      return of(say({ text: r!.diff, entities: [{ type: 'pre', offset: 0, length: r!.diff.length, language: 'diff' }] }));
    }),
  );
}
