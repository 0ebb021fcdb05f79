// A /stop before the first token: the CLI keeps the stopped prompt, marked interrupted, and merges
// it into the next user message (PROTOCOL.md "Interrupt"), so Claude would answer it unasked. The
// turn that was stopped with no output marks its workspace; the next turn carries a note that the
// stopped request is cancelled, and the mark goes.
import { filter, last, map, scan, type Observable } from 'rxjs';
import { isTerminal, type SessionEvent } from '../domain/events.ts';
import type { Turn } from '../domain/turn.ts';
import { reduce, type Effect } from './effects.ts';
import { withRuntime, type Runtime } from './state.ts';

export const CANCELLED_NOTE =
  '<system-reminder>The user stopped their previous request before you answered it, so that request is cancelled: ' +
  'do not continue or answer it unless the user asks for it again. Answer only the message that follows.</system-reminder>';

const OUTPUT = new Set<SessionEvent['kind']>(['text_delta', 'text', 'thinking', 'tool_use']);

export function stoppedUnanswered(e: SessionEvent): boolean {
  return (e.kind === 'result' && e.stopped === true) || (e.kind === 'failure' && e.reason === 'stopped');
}

/** Marks the workspace when the turn ends stopped before any output. */
export function cancelledEffects(events$: Observable<SessionEvent>, turn: Turn): Observable<Effect> {
  return events$.pipe(
    scan((acc, e) => ({ output: acc.output || OUTPUT.has(e.kind), end: isTerminal(e) ? e : acc.end }), { output: false, end: undefined as SessionEvent | undefined }),
    last(undefined, { output: true, end: undefined }),
    filter((acc) => !acc.output && acc.end !== undefined && stoppedUnanswered(acc.end)),
    map(() => reduce(withRuntime(turn.workspace, (r) => ({ ...r, cancelledPrompt: true })))),
  );
}

/** The turn as written to Claude (with the note when its workspace is marked), and the mark's removal. */
export function withCancelledNote(turn: Turn, r: Runtime): { turn: Turn; effects: Effect[] } {
  if (!r.cancelledPrompt) return { turn, effects: [] };
  return {
    turn: { ...turn, note: CANCELLED_NOTE },
    effects: [reduce(withRuntime(turn.workspace, (rt) => ({ ...rt, cancelledPrompt: false })))],
  };
}
