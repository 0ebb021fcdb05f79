// The queued turns of every workspace → effects: each turn runs over its workspace's process
// output (streams/turn.ts), its events update the state, render into the chat, and raise prompts.
import { concat, connect, defer, EMPTY, filter, from, last, map, merge, mergeMap, of, share, take, takeUntil, type Observable } from 'rxjs';
import type { ClaudeOutput, ProcOut } from '../domain/claude.ts';
import type { SessionEvent } from '../domain/events.ts';
import type { Turn } from '../domain/turn.ts';
import { SHUTDOWN_FAILURE } from '../streams/respawn.ts';
import { perWorkspace$ } from '../streams/queue.ts';
import { renderTurn$ } from '../streams/renderTurn.ts';
import { turn$, type TurnOut } from '../streams/turn.ts';
import { tagWindows } from '../streams/windows.ts';
import { holdFor, holdNotice, isUsageLimit, type LimitHold } from '../domain/usageLimit.ts';
import { waitFree$ } from './waitFree.ts';
import { monitorEffects, restoredSchedules, scheduleDone } from './monitor.ts';
import { unpromptedEffects } from './unprompted.ts';
import { dirOf, type AppConfig } from './config.ts';
import { recordCommands } from './claudeCommand.ts';
import { launchOf } from './launch.ts';
import { telegramTools } from './mcp.ts';
import { diffAfter, withGitState, type Before } from './diff.ts';
import type { IoResult } from '../domain/io.ts';
import { cancelledEffects, withCancelledNote } from './cancelled.ts';
import { claude, reduce, store, telegram, type Effect } from './effects.ts';
import { permissionEffects, stallEffects } from './prompts.ts';
import { loginEffects } from './login.ts';
import { runtimeOf, without, withRuntime, type AppState, type Runtime } from './state.ts';

export interface TurnsContext {
  cfg: AppConfig;
  state$: Observable<AppState>;
  claude$: Observable<ClaudeOutput>;
  /** Workspaces whose running turn a user asked to stop. */
  stops$: Observable<string>;
  drain$: Observable<unknown>;
  /** Answers of the io driver (the git fingerprints around a turn). */
  io$?: Observable<IoResult>;
}

const REFUSED: SessionEvent = { kind: 'failure', reason: 'refused', message: 'Too many messages are waiting for this session; this one was not queued. Wait for the answers, or /stop, then send it again.' };
const CANCELLED: SessionEvent = { kind: 'failure', reason: 'cancelled', message: 'Dropped from the queue by /stop.' };

export function turnsEffects(turns$: Observable<{ item: Turn; refused?: boolean }>, x0: TurnsContext): Observable<Effect> {
  return defer(() => {
    // One continuous, window-tagged stream per workspace's process, for user turns and Claude's own.
    const x = { ...x0, claude$: x0.claude$.pipe(tagWindows(), share()) };
    const restored = restoredSchedules(x);
    const incoming$ = turns$.pipe(share());
    // At shutdown (no more messages) the re-created schedules stay on disk for the next run.
    const again$ = restored.turns$.pipe(takeUntil(incoming$.pipe(last(null, null))), share());
    const queued$ = merge(incoming$, again$.pipe(map((item) => ({ item }))));
    const queue$ = perWorkspace$(queued$, (t) => runTurn(t, x), (t) => shown(t, of(REFUSED), x)).pipe(share());
    // Claude's own turns and work are followed while the bot takes messages; they end with the queue.
    const queueDone$ = queue$.pipe(last(null, null));
    return merge(
      merge(monitorEffects(x), unpromptedEffects({ ...x, shown: (t, ev$) => shown(t, ev$, x) }), restored.effects$).pipe(takeUntil(queueDone$)),
      again$.pipe(map((t) => reduce(withRuntime(t.workspace, (r) => ({ ...r, pending: r.pending + 1 }))))),
      queue$,
    );
  });
}

function runTurn(turn: Turn, x: TurnsContext, round = 0): Observable<Effect> {
  // Behind a turn Claude started by itself, or a usage-limit hold, the message waits (and says so).
  return concat(waitFree$(turn, x, round > 0), defer(() => startTurn(turn, x, round)));
}

function startTurn(turn: Turn, x: TurnsContext, round: number): Observable<Effect> {
  // The work tree's fingerprint before the turn, for its Diff button.
  return x.state$.pipe(take(1), mergeMap((s0) => withGitState(turn, { cfg: x.cfg, io$: x.io$ ?? EMPTY, s: s0 }, (before) => startTurnIn(turn, x, round, before))));
}

function startTurnIn(turn: Turn, x: TurnsContext, round: number, before: Before): Observable<Effect> {
  const { cfg } = x;
  const ws = turn.workspace;
  let hold: LimitHold | undefined;
  let rejected: number | null = null;
  // A usage-limit result does not answer the message: it holds the queue and runs again at the reset.
  const limitChecked = (e: SessionEvent): SessionEvent => {
    if (e.kind === 'rate_limit' && e.status === 'rejected') rejected = e.resetsAt ?? 0;
    if (e.kind !== 'result' || !e.isError || e.stopped || !isUsageLimit(e.text, undefined, rejected !== null)) return e;
    const now = cfg.scheduler.now();
    hold = holdFor(e.text, now, rejected || undefined);
    return { kind: 'failure', reason: 'limit', message: holdNotice(hold, now) };
  };
  const afterward = (): Observable<Effect> => {
    if (!hold) return finished(turn, of(), x);
    const h = hold;
    return concat(of(reduce(withRuntime(ws, (r) => ({ ...r, limit: h, running: r.running === turn.id ? undefined : r.running }))), store({ kind: 'claudeWork', workspace: ws, limit: h })), runTurn(turn, x, round + 1));
  };
  return x.state$.pipe(take(1), mergeMap((s) => {
    const r = runtimeOf(s, ws);
    if (turn.generation < r.generation) return finished(turn, shown(turn, from<SessionEvent[]>([{ kind: 'running' }, CANCELLED]), x), x);
    if (s.draining) return finished(turn, shown(turn, from<SessionEvent[]>([{ kind: 'running' }, SHUTDOWN_FAILURE]), x), x);
    const noted = withCancelledNote(turn, r);
    const out$ = turn$(
      noted.turn,
      {
        procs$: x.claude$.pipe(
          filter((o): o is Extract<ClaudeOutput, { kind: 'proc' }> => o.kind === 'proc' && o.workspace === ws),
          map((o): ProcOut => o.out),
        ),
        context$: x.state$.pipe(map((st) => ({ launch: { ...launchOf(cfg, st, ws), ...telegramTools(cfg) }, lastCostUsd: runtimeOf(st, ws).lastResult?.costUsd }))),
        stop$: x.stops$.pipe(filter((w) => w === ws)),
        drain$: x.drain$,
        round,
      },
      cfg,
    ).pipe(
      // Every consumer is subscribed before the turn starts: it emits its first commands at once.
      connect((out$) => {
        const events$ = out$.pipe(
          filter((o): o is Extract<TurnOut, { kind: 'event' }> => o.kind === 'event'),
          map((o) => limitChecked(o.event)),
        );
        const commands$ = out$.pipe(
          mergeMap((o): Effect[] => {
            if (o.kind === 'claude') return [claude(o.cmd)];
            if (o.kind === 'conversation') {
              return [reduce(withRuntime(ws, (rt) => ({ ...rt, sessionId: o.sessionId }))), store({ kind: 'conversation', dir: dirOf(cfg, ws), sessionId: o.sessionId })];
            }
            return [];
          }),
        );
        return merge(commands$, shown(turn, events$, x, before, s));
      }),
    );
    return concat(from(noted.effects), out$, defer(afterward));
  }));
}

/** A turn's events: state updates, the rendered chat view, permission and stall prompts. */
function shown(turn: Turn, events$: Observable<SessionEvent>, x: TurnsContext, before?: Before, s?: AppState): Observable<Effect> {
  const { cfg } = x;
  const o = turn.origin;
  const draftKey = `${o.chat.chatId}:${o.draftId}`;
  return events$.pipe(connect((ev$) => {
    const ctx = { reqId: turn.id, chat: o.chat, privateChat: o.privateChat, replyTo: o.replyTo, draftId: o.draftId, header: turn.header };
    const diff = diffAfter(turn, before, ev$, { cfg, io$: x.io$ ?? EMPTY, s });
    const rendered$ = renderTurn$(ev$, ctx, { scheduler: cfg.scheduler, costOf: (t) => (t.kind === 'result' ? (t.turnCostUsd ?? t.costUsd) : undefined), finalMarkup$: diff.markup$ }).pipe(map(telegram));
    const reduced$ = ev$.pipe(mergeMap((e) => stateEffects(turn, e, cfg.scheduler.now())));
    return concat(
      of(reduce((s) => ({ ...s, drafts: { ...s.drafts, [draftKey]: turn.workspace } }))),
      merge(diff.effects$, reduced$, rendered$, permissionEffects(ev$, turn, cfg, x.state$), stallEffects(ev$, turn, cfg, x.state$), loginEffects(ev$, turn, cfg, x.state$), cancelledEffects(ev$, turn)),
      of(reduce(without('drafts', [draftKey]))),
    );
  }));
}

/** What a turn's events change in its workspace's runtime. */
function stateEffects(turn: Turn, e: SessionEvent, now: number): Effect[] {
  const ws = turn.workspace;
  const set = (f: (r: Runtime) => Runtime) => reduce(withRuntime(ws, f));
  switch (e.kind) {
    case 'running':
      return [set((r) => ({ ...r, running: turn.id, lastActivity: now }))];
    case 'started':
      return [set((r) => ({ ...r, model: e.model })), ...(e.slashCommands ? [reduce(recordCommands(ws, e.slashCommands))] : [])];
    case 'result':
      return [set((r) => ({ ...r, lastResult: e }))];
    default:
      return [];
  }
}

/** The end of an admitted turn: its queue place is free; a pending persona change restarts the process. */
function finished(turn: Turn, effects$: Observable<Effect>, x: TurnsContext): Observable<Effect> {
  const ws = turn.workspace;
  const end$ = x.state$.pipe(
    take(1),
    mergeMap((s): Effect[] => {
      const now = x.cfg.scheduler.now();
      const free = reduce(withRuntime(ws, (r) => ({ ...r, pending: Math.max(0, r.pending - 1), running: r.running === turn.id ? undefined : r.running, restartPending: false, lastActivity: now })));
      return [...(runtimeOf(s, ws).restartPending ? [free, claude({ kind: 'kill', workspace: ws })] : [free]), ...scheduleDone(turn, s)];
    }),
  );
  return concat(effects$, end$);
}
