// The queued turns of every workspace → effects: each turn runs over its workspace's process
// output (streams/turn.ts), its events update the state, render into the chat, and raise prompts.
import { concat, connect, filter, from, map, merge, mergeMap, of, take, type Observable } from 'rxjs';
import type { ClaudeOutput, ProcOut } from '../domain/claude.ts';
import type { SessionEvent } from '../domain/events.ts';
import type { Turn } from '../domain/turn.ts';
import { SHUTDOWN_FAILURE } from '../streams/respawn.ts';
import { perWorkspace$ } from '../streams/queue.ts';
import { renderTurn$ } from '../streams/renderTurn.ts';
import { turn$, type TurnOut } from '../streams/turn.ts';
import { dirOf, nowIso, personaOf, type AppConfig } from './config.ts';
import { cancelledEffects, withCancelledNote } from './cancelled.ts';
import { claude, reduce, store, telegram, type Effect } from './effects.ts';
import { permissionEffects, stallEffects } from './prompts.ts';
import { runtimeOf, without, withRuntime, workspaceMeta, type AppState, type Runtime } from './state.ts';

export interface TurnsContext {
  cfg: AppConfig;
  state$: Observable<AppState>;
  claude$: Observable<ClaudeOutput>;
  /** Workspaces whose running turn a user asked to stop. */
  stops$: Observable<string>;
  drain$: Observable<unknown>;
}

const REFUSED: SessionEvent = { kind: 'failure', reason: 'refused', message: 'Too many messages are waiting for this session; this one was not queued. Wait for the answers, or /stop, then send it again.' };
const CANCELLED: SessionEvent = { kind: 'failure', reason: 'cancelled', message: 'Dropped from the queue by /stop.' };

export function turnsEffects(turns$: Observable<{ item: Turn; refused?: boolean }>, x: TurnsContext): Observable<Effect> {
  return perWorkspace$(turns$, (t) => runTurn(t, x), (t) => shown(t, of(REFUSED), x));
}

function runTurn(turn: Turn, x: TurnsContext): Observable<Effect> {
  const { cfg } = x;
  const ws = turn.workspace;
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
        context$: x.state$.pipe(
          map((st) => {
            const { meta } = workspaceMeta(st, ws, cfg.defaultPersona, nowIso(cfg));
            const rt = runtimeOf(st, ws);
            return { launch: { dir: dirOf(cfg, ws), persona: personaOf(cfg, meta.persona), sessionId: rt.sessionId }, lastCostUsd: rt.lastResult?.costUsd };
          }),
        ),
        stop$: x.stops$.pipe(filter((w) => w === ws)),
        drain$: x.drain$,
      },
      cfg,
    ).pipe(
      // Every consumer is subscribed before the turn starts: it emits its first commands at once.
      connect((out$) => {
        const events$ = out$.pipe(
          filter((o): o is Extract<TurnOut, { kind: 'event' }> => o.kind === 'event'),
          map((o) => o.event),
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
        return merge(commands$, shown(turn, events$, x));
      }),
    );
    return finished(turn, concat(from(noted.effects), out$), x);
  }));
}

/** A turn's events: state updates, the rendered chat view, permission and stall prompts. */
function shown(turn: Turn, events$: Observable<SessionEvent>, x: TurnsContext): Observable<Effect> {
  const { cfg } = x;
  const o = turn.origin;
  const draftKey = `${o.chat.chatId}:${o.draftId}`;
  return events$.pipe(connect((ev$) => {
    const ctx = { reqId: turn.id, chat: o.chat, privateChat: o.privateChat, replyTo: o.replyTo, draftId: o.draftId };
    const rendered$ = renderTurn$(ev$, ctx, { scheduler: cfg.scheduler, costOf: (t) => (t.kind === 'result' ? (t.turnCostUsd ?? t.costUsd) : undefined) }).pipe(map(telegram));
    const reduced$ = ev$.pipe(mergeMap((e) => stateEffects(turn, e, cfg.scheduler.now())));
    return concat(
      of(reduce((s) => ({ ...s, drafts: { ...s.drafts, [draftKey]: turn.workspace } }))),
      merge(reduced$, rendered$, permissionEffects(ev$, turn, cfg, x.state$), stallEffects(ev$, turn, cfg, x.state$), cancelledEffects(ev$, turn)),
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
      return [set((r) => ({ ...r, model: e.model }))];
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
      return runtimeOf(s, ws).restartPending ? [free, claude({ kind: 'kill', workspace: ws })] : [free];
    }),
  );
  return concat(effects$, end$);
}
