// Turns Claude Code starts by itself (a finished background task, a wakeup, a cron): each such
// window of the process output is claimed when it opens and shown as its own message, marked for
// what it is, streamed and rendered like any turn. User turns wait behind it (runtime.unprompted).
import { concat, connect, filter, last, map, merge, mergeMap, of, startWith, take, takeUntil, takeWhile, type Observable } from 'rxjs';
import type { ClaudeOutput, ProcOut } from '../domain/claude.ts';
import type { ResultEvent, SessionEvent } from '../domain/events.ts';
import { isTerminal } from '../domain/events.ts';
import { taskEvents } from '../domain/taskEvents.ts';
import { toEvents } from '../domain/toEvents.ts';
import { draftIdFor, splitWorkspaceKey, type Turn } from '../domain/turn.ts';
import { causeHeader, type WindowOwner } from '../domain/window.ts';
import { parseCliLine } from '../protocol/cliLine.ts';
import type { AppConfig } from './config.ts';
import { claude, reduce, type Effect } from './effects.ts';
import { runtimeOf, withRuntime, type AppState } from './state.ts';

type Auto = Extract<WindowOwner, { kind: 'auto' }>;
type Proc = Extract<ClaudeOutput, { kind: 'proc' }>;

export interface UnpromptedContext {
  cfg: AppConfig;
  state$: Observable<AppState>;
  /** Window-tagged process output (streams/windows.ts). */
  claude$: Observable<ClaudeOutput>;
  stops$: Observable<string>;
  /** Renders a turn's events into the chat (app/turns.ts). */
  shown: (turn: Turn, events$: Observable<SessionEvent>) => Observable<Effect>;
}

const DIED: SessionEvent = { kind: 'failure', reason: 'crash', message: 'Claude Code stopped in the middle of a turn it had started by itself; nothing more will come of it.' };

/** Where a workspace's answers go when nobody asked: its chat (and forum topic). */
export function chatOfWorkspace(workspace: string) {
  const [id, thread] = splitWorkspaceKey(workspace).chatKey.split('_');
  const chatId = Number(id);
  return { chat: thread ? { chatId, threadId: Number(thread) } : { chatId }, privateChat: chatId > 0 };
}

/** A turn nobody typed, for rendering: it replies to nothing, so Telegram notifies like any new message. */
export function unpromptedTurn(workspace: string, id: string, header: string, generation: number, prompt = ''): Turn {
  const { chat, privateChat } = chatOfWorkspace(workspace);
  return { id, workspace, prompt, origin: { chat, privateChat, draftId: draftIdFor(id), userId: 0 }, generation, header };
}

export function unpromptedEffects(x: UnpromptedContext): Observable<Effect> {
  return x.claude$.pipe(
    filter((o): o is Proc => o.kind === 'proc' && o.out.kind === 'stdout' && !!o.out.window?.opens && o.out.window.owner?.kind === 'auto'),
    mergeMap((o) => x.state$.pipe(take(1), mergeMap((s) => runUnprompted(o, s, x)))),
  );
}

function runUnprompted(first: Proc, s: AppState, x: UnpromptedContext): Observable<Effect> {
  const ws = first.workspace;
  const owner = (first.out as Extract<ProcOut, { kind: 'stdout' }>).window!.owner as Auto;
  const turn = unpromptedTurn(ws, `auto:${x.cfg.runId}:${owner.id}`, causeHeader(owner.cause), runtimeOf(s, ws).generation);
  let lastCost = runtimeOf(s, ws).lastResult?.costUsd;
  const events$ = x.claude$.pipe(
    filter((o): o is Proc => o.kind === 'proc' && o.workspace === ws),
    startWith(first),
    mergeMap((o): SessionEvent[] => {
      const out = o.out;
      if (out.kind === 'exit') return [DIED];
      if (out.kind !== 'stdout') return [];
      const w = out.window?.owner;
      if (w?.kind !== 'auto' || w.id !== owner.id) return [];
      const cli = parseCliLine(out.line);
      return (taskEvents(cli) ?? toEvents(cli)).map((e): SessionEvent => {
        if (e.kind !== 'result') return e;
        const turnCostUsd = lastCost !== undefined && e.costUsd >= lastCost ? e.costUsd - lastCost : e.costUsd;
        lastCost = e.costUsd;
        return { ...e, turnCostUsd } satisfies ResultEvent;
      });
    }),
    takeWhile((e) => !isTerminal(e), true),
  );
  const stop$ = x.stops$.pipe(
    filter((w) => w === ws),
    take(1),
    map(() => claude({ kind: 'interrupt', workspace: ws, requestId: `interrupt-${turn.id}` })),
  );
  const set = (f: Parameters<typeof withRuntime>[1]) => reduce(withRuntime(ws, f));
  const body$ = x.shown(turn, events$);
  return concat(
    of(set((r) => ({ ...r, unprompted: turn.id, lastActivity: x.cfg.scheduler.now() })), claude({ kind: 'hold', workspace: ws, held: true, by: 'unprompted' })),
    // A /stop interrupts it while it runs; after it ended, a stop means nothing here.
    body$.pipe(connect((b$) => merge(b$, stop$.pipe(takeUntil(b$.pipe(last(null, null))))))),
    of(set((r) => ({ ...r, unprompted: r.unprompted === turn.id ? undefined : r.unprompted, lastActivity: x.cfg.scheduler.now() })), claude({ kind: 'hold', workspace: ws, held: false, by: 'unprompted' })),
  );
}

