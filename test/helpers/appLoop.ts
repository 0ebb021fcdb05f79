// The app with its loops closed as main.ts closes them, for virtual-time tests: a ClaudeDriver over
// scripted processes, the state fold, recorded store writes and logs; Telegram ops come out.
import { BehaviorSubject, concatMap, defer, EMPTY, filter, ignoreElements, map, merge, mergeMap, Observable, Subject, tap, timer, type SchedulerLike } from 'rxjs';
import type { Update } from 'node-telegram-bot-api';
import { app } from '../../src/app/app.ts';
import type { AppConfig } from '../../src/app/config.ts';
import type { FileResult } from '../../src/app/intake.ts';
import { initialState, type AppState } from '../../src/app/state.ts';
import type { ClaudeCommand, ProcOut } from '../../src/domain/claude.ts';
import type { SavedWork } from '../../src/domain/claudeWork.ts';
import type { FileRequest, StoreResult, StoreWrite } from '../../src/domain/store.ts';
import type { DownloadResult, OutOp, Outcome } from '../../src/domain/telegram.ts';
import type { Turn } from '../../src/domain/turn.ts';
import type { Chats } from '../../src/domain/workspaces.ts';
import type { IoRequest, IoResult } from '../../src/domain/io.ts';
import { ClaudeDriver } from '../../src/drivers/claude/claudeDriver.ts';
import type { ProcessSpec } from '../../src/drivers/claude/process.ts';
import type { Persona } from '../../src/protocol/persona.ts';
import { resultLine } from './lines.ts';

export const PERSONAS = new Map<string, Persona>([
  ['default', { name: 'default', settings: {} }],
  ['careful', { name: 'careful', settings: { ask_permissions: true } }],
  ['terse', { name: 'terse', settings: { max_turns: 3 } }],
]);

export function appConfig(scheduler: SchedulerLike, extra: Partial<AppConfig> = {}): AppConfig {
  return {
    allowedUserIds: new Set([5]),
    sessionsDir: '/s',
    personas: PERSONAS,
    defaultPersona: 'default',
    maxFileBytes: 1 << 20,
    maxQueue: 10,
    permissionTimeoutMs: 600_000,
    stallMs: 600_000,
    runId: 'run1',
    maxRespawns: 3,
    backoffMs: () => 10,
    interruptTimeoutMs: 50,
    scheduler,
    ...extra,
  };
}

export interface AppLoopOptions {
  updates$: Observable<Update>;
  spawn: (spec: () => ProcessSpec, stdin$: Observable<string>) => Observable<ProcOut>;
  config?: Partial<AppConfig>;
  chats?: Chats;
  recovered?: Turn[];
  drain$?: Observable<unknown>;
  download?: (req: FileRequest) => Observable<DownloadResult>;
  idleMs?: number;
  /** What the previous run persisted of Claude's own work (usage-limit holds, schedules). */
  saved?: SavedWork;
  /** How the store answers a write (default: on disk). */
  storeResult?: (w: StoreWrite) => StoreResult;
  /** The io driver (default: none connected). */
  io?: (req: IoRequest) => Observable<IoResult>;
  /** What the outbox reports for a Telegram op (default: nothing). */
  outcome?: (op: OutOp) => Outcome | undefined;
}

export interface AppLoop {
  /** Telegram ops; subscribing starts the app. */
  ops$: Observable<OutOp>;
  commands: ClaudeCommand[];
  writes: StoreWrite[];
  logs: string[];
  state(): AppState;
}

export function appLoop(scheduler: SchedulerLike, o: AppLoopOptions): AppLoop {
  const commands: ClaudeCommand[] = [];
  const writes: StoreWrite[] = [];
  const logs: string[] = [];
  let state!: BehaviorSubject<AppState>;
  const ops$ = defer(() => {
    const recovered = o.recovered ?? [];
    state = new BehaviorSubject(initialState(o.chats ?? {}, {}, recovered, o.saved));
    const driver = new ClaudeDriver({ bin: 'claude', env: {}, idleMs: o.idleMs ?? 1000, maxLive: 8, scheduler, spawn: o.spawn });
    const files = new Subject<FileResult>();
    const outcomes = new Subject<Outcome>();
    const stored = new Subject<StoreResult>();
    const ioResults = new Subject<IoResult>();
    const sinks = app(
      { updates$: o.updates$, state$: state, claude$: driver.output$, files$: files, outcomes$: outcomes, stored$: stored, drain$: o.drain$ ?? EMPTY, ...(o.io ? { io$: ioResults } : {}) },
      appConfig(scheduler, o.config),
      recovered,
    );
    return merge(
      sinks.state$.pipe(tap((r) => state.next(r(state.value)))),
      sinks.claude$.pipe(tap((c) => (commands.push(c), driver.execute(c)))),
      sinks.store$.pipe(tap((w) => (writes.push(w), stored.next(o.storeResult?.(w) ?? { write: w, ok: true })))),
      sinks.log$.pipe(tap((l) => logs.push(l))),
      sinks.files$.pipe(
        mergeMap((req) => (o.download ?? (() => EMPTY))(req).pipe(map((result): FileResult => ({ id: req.id, result })))),
        tap((f) => files.next(f)),
      ),
      sinks.io$.pipe(mergeMap((req) => (o.io ?? (() => EMPTY))(req)), tap((r) => ioResults.next(r))),
    ).pipe(
      ignoreElements(),
      (internal$) => merge(internal$, sinks.telegram$.pipe(tap((op) => {
        const oc = o.outcome?.(op);
        if (oc) outcomes.next(oc);
      }))),
    );
  });
  return { ops$, commands, writes, logs, state: () => state.value };
}

/** A process that answers each user line `delay` frames later ("re:<text>"). */
export const responsive = (ts: SchedulerLike, delay = 5) => (_spec: () => ProcessSpec, stdin$: Observable<string>) =>
  new Observable<ProcOut>((sub) => {
    sub.next({ kind: 'spawned', pid: 9 });
    return stdin$
      .pipe(
        map((l) => JSON.parse(l) as { type: string; message: { content: unknown } }),
        filter((m) => m.type === 'user'),
        concatMap((m) => timer(delay, ts).pipe(map((): ProcOut => ({ kind: 'stdout', line: resultLine(`re:${m.message.content}`) })))),
      )
      .subscribe(sub);
  });
