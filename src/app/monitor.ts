// Follows Claude's own work in every workspace's process, whether or not a turn runs: background
// tasks, crons and wakeups. A process with pending work is held (never reaped when idle nor evicted
// by the cap); /status lists the work; schedules are persisted so a restart re-creates them or says
// precisely which were dropped; a wakeup that never fires is reported.
import { EMPTY, filter, from, groupBy, map, merge, mergeMap, of, scan, subscribeOn, take, timer, withLatestFrom, type Observable } from 'rxjs';
import type { ClaudeOutput } from '../domain/claude.ts';
import { describeSchedule, hasWork, NO_WORK, workStep, type ClaudeWork, type Schedule } from '../domain/claudeWork.ts';
import type { Turn } from '../domain/turn.ts';
import { replyOp } from './reply.ts';
import type { AppConfig } from './config.ts';
import { claude, reduce, store, type Effect } from './effects.ts';
import { runtimeOf, withRuntime, type AppState } from './state.ts';
import { chatOfWorkspace, unpromptedTurn } from './unprompted.ts';

export interface MonitorContext {
  cfg: AppConfig;
  state$: Observable<AppState>;
  claude$: Observable<ClaudeOutput>;
}

/** A wakeup that has not fired this long after its time was dropped by the CLI. */
export const WAKEUP_GRACE_MS = 180_000;

type Step = { prev: ClaudeWork; work: ClaudeWork; exited: boolean };

const notice = (workspace: string, ref: string, text: string): Effect => {
  const { chat } = chatOfWorkspace(workspace);
  return { to: 'telegram', op: replyOp(ref, chat, text) };
};

export function monitorEffects(x: MonitorContext): Observable<Effect> {
  return x.claude$.pipe(
    filter((o): o is Extract<ClaudeOutput, { kind: 'proc' }> => o.kind === 'proc' && (o.out.kind === 'stdout' || o.out.kind === 'exit')),
    groupBy((o) => o.workspace),
    mergeMap((g$) => {
      const ws = g$.key;
      return g$.pipe(
        scan((st: Step, o): Step => {
          if (o.out.kind === 'exit') return { prev: st.work, work: NO_WORK, exited: true };
          let raw: Record<string, unknown>;
          try {
            raw = JSON.parse((o.out as { line: string }).line) as Record<string, unknown>;
          } catch {
            return { ...st, prev: st.work, exited: false };
          }
          return { prev: st.work, work: raw && typeof raw === 'object' ? workStep(st.work, raw, x.cfg.scheduler.now()) : st.work, exited: false };
        }, { prev: NO_WORK, work: NO_WORK, exited: false }),
        filter((st) => st.prev !== st.work || (st.exited && hasWork(st.prev))),
        withLatestFrom(x.state$),
        mergeMap(([st, s]) => changeEffects(ws, st, s, x)),
      );
    }),
  );
}

function changeEffects(ws: string, st: Step, s: AppState, x: MonitorContext): Observable<Effect> {
  const out: Effect[] = [reduce(withRuntime(ws, (r) => ({ ...r, work: st.work })))];
  if (hasWork(st.prev) !== hasWork(st.work)) out.push(claude({ kind: 'hold', workspace: ws, held: hasWork(st.work), by: 'work' }));
  const schedulesChanged = st.prev.schedules !== st.work.schedules;
  // At shutdown the schedules stay on disk, to be re-created after the restart.
  if (st.exited && s.draining) return from(out);
  if (schedulesChanged || st.exited) out.push(store({ kind: 'claudeWork', workspace: ws, schedules: [...st.work.schedules, ...(s.savedSchedules?.[ws] ?? [])] }));
  if (st.exited && st.prev.schedules.length) {
    const list = st.prev.schedules.map((sc) => `• ${describeSchedule(sc)}`).join('\n');
    out.push(notice(ws, `dropped:${ws}:${x.cfg.scheduler.now()}`, `⚠️ Claude Code's process for this session ended, and Claude Code forgets scheduled jobs when it stops. Dropped:\n${list}\nAsk Claude to set them up again if you still want them.`));
  }
  const added = st.work.schedules.filter((sc) => sc.kind === 'wakeup' && sc.at !== undefined && !st.prev.schedules.includes(sc));
  return merge(from(out), from(added).pipe(mergeMap((w) => droppedWakeup$(ws, w, x))));
}

/** A wakeup still pending well after its time: the CLI dropped it. The user is told; the hold goes. */
function droppedWakeup$(ws: string, w: Schedule, x: MonitorContext): Observable<Effect> {
  const due = Math.max(0, (w.at ?? 0) + WAKEUP_GRACE_MS - x.cfg.scheduler.now());
  return timer(due, x.cfg.scheduler).pipe(
    withLatestFrom(x.state$),
    mergeMap(([, s]) => {
      const work = runtimeOf(s, ws).work;
      if (!work?.schedules.includes(w)) return EMPTY;
      const next: ClaudeWork = { ...work, schedules: work.schedules.filter((sc) => sc !== w) };
      return of(
        reduce(withRuntime(ws, (r) => ({ ...r, work: next }))),
        ...(hasWork(next) ? [] : [claude({ kind: 'hold', workspace: ws, held: false, by: 'work' })]),
        store({ kind: 'claudeWork', workspace: ws, schedules: next.schedules }),
        notice(ws, `lostwakeup:${w.id}`, `⚠️ Claude scheduled a wakeup for ${new Date(w.at!).toISOString().slice(11, 16)} UTC ("${w.prompt.slice(0, 80)}"), but Claude Code never started it; it was dropped.`),
      );
    }),
  );
}

/**
 * Schedules the previous run's processes had pending: a wakeup or one-shot cron with a known time is
 * re-created by the bot (its prompt runs as a turn at that time, marked as scheduled); a recurring
 * cron cannot be (the bot does not evaluate cron expressions), so the chat is told it was dropped.
 */
export function restoredSchedules(x: MonitorContext): { turns$: Observable<Turn>; effects$: Observable<Effect> } {
  // Scheduled, like the recovered-message notices: every sink is subscribed before these go out.
  const saved$ = x.state$.pipe(take(1), subscribeOn(x.cfg.scheduler), mergeMap((s) => from(Object.entries(s.savedSchedules ?? {}))));
  const turns$ = saved$.pipe(
    mergeMap(([ws, list]) => from(list.filter((sc) => !sc.recurring && sc.at !== undefined)).pipe(map((sc) => ({ ws, sc })))),
    mergeMap(({ ws, sc }) =>
      timer(Math.max(0, sc.at! - x.cfg.scheduler.now()), x.cfg.scheduler).pipe(
        withLatestFrom(x.state$),
        map(([, s]) => {
          const late = x.cfg.scheduler.now() - sc.at! > 60_000 ? ` It was due at ${new Date(sc.at!).toISOString().slice(11, 16)} UTC, while the bot was restarting.` : '';
          return unpromptedTurn(ws, `sched:${x.cfg.runId}:${ws}:${sc.id}`, `⏰ Scheduled (re-created by the bot after a restart): ${describeSchedule(sc)}.${late}`, runtimeOf(s, ws).generation, sc.prompt);
        }),
      ),
    ),
  );
  const effects$ = saved$.pipe(
    mergeMap(([ws, list]): Effect[] => {
      const dropped = list.filter((sc) => sc.recurring || sc.at === undefined);
      const kept = list.filter((sc) => !dropped.includes(sc));
      const out: Effect[] = [reduce((st) => ({ ...st, savedSchedules: { ...st.savedSchedules, [ws]: kept } })), store({ kind: 'claudeWork', workspace: ws, schedules: kept })];
      if (kept.length) out.push(notice(ws, `restored:${ws}`, `♻️ The bot restarted. It re-created ${kept.length} scheduled job${kept.length === 1 ? '' : 's'} Claude had set up, and runs ${kept.length === 1 ? 'it' : 'them'} on time:\n${kept.map((sc) => `• ${describeSchedule(sc)}`).join('\n')}`));
      if (dropped.length) out.push(notice(ws, `unrestored:${ws}`, `⚠️ The bot restarted, and Claude Code forgets scheduled jobs when it stops. These could not be re-created and were dropped:\n${dropped.map((sc) => `• ${describeSchedule(sc)}`).join('\n')}\nAsk Claude to set them up again if you still want them.`));
      return out;
    }),
  );
  return { turns$, effects$ };
}

/** A re-created schedule ran: it is no longer pending anywhere. */
export function scheduleDone(turn: Turn, s: AppState): Effect[] {
  if (!turn.id.startsWith('sched:')) return [];
  const ws = turn.workspace;
  const id = turn.id.slice(turn.id.lastIndexOf(':') + 1);
  const left = (s.savedSchedules?.[ws] ?? []).filter((sc) => sc.id !== id);
  return [
    reduce((st) => ({ ...st, savedSchedules: { ...st.savedSchedules, [ws]: left } })),
    store({ kind: 'claudeWork', workspace: ws, schedules: [...(runtimeOf(s, ws).work?.schedules ?? []), ...left] }),
  ];
}
