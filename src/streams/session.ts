// One Claude Code session: a long-lived CLI process shared by its turns, crash recovery with
// --resume, interrupts, idle reaping. Effects (spawning, saving) come in through `SessionDeps`.
import {
  asyncScheduler,
  defer,
  Observable,
  of,
  retry,
  tap,
  finalize,
  share,
  Subject,
  takeUntil,
  throwError,
  timer,
  catchError,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { ProcessSpec, ProcOut } from '../drivers/claude/process.ts';
import type { SessionEvent, ResultEvent } from '../domain/events.ts';
import { parseCliLine } from '../protocol/cliLine.ts';
import { toEvents } from '../domain/toEvents.ts';
import { personaArgs, type Persona } from '../protocol/persona.ts';

export interface TurnRequest {
  /** Session key: the queue and process this turn belongs to. */
  sessionKey: string;
  /** Unique id of this request (journal, dedupe). */
  id: string;
  prompt: string;
  /** Anything the caller needs back with the events (chat, message ids, ...). */
  meta?: unknown;
}

export interface SessionConfig {
  key: string;
  dir: string;
  persona: Persona;
}

export interface SessionDeps {
  spawn: (spec: () => ProcessSpec, stdin$: Observable<string>) => Observable<ProcOut>;
  store: { load(dir: string): { sessionId?: string }; save(dir: string, patch: { sessionId?: string; persona?: string }): void };
  bin: string;
  env: NodeJS.ProcessEnv;
  scheduler?: SchedulerLike;
  /** Respawns allowed per turn after crashes. */
  maxRespawns?: number;
  /** Delay before the n-th respawn (n from 1). */
  backoffMs?: (n: number) => number;
  /** A process with no turn for this long exits; it resumes on the next message. */
  idleMs?: number;
  /** How long an interrupt may take before the process group is killed. */
  interruptTimeoutMs?: number;
  maxQueue?: number;
  partialMessages?: boolean;
  graceMs?: number;
  /** Prefix of the environment tag every CLI process carries (see processTree.ts). */
  tagPrefix?: string;
  /** Called when a process starts or stops (for caps and /status). */
  onProcess?: (key: string, pid: number | undefined) => void;
}

class CrashError extends Error {}
class StartupError extends Error {}
class StaleSessionError extends Error {}
class StoppedError extends Error {}
class ShutdownError extends Error {}

const SHUTDOWN_FAILURE: SessionEvent = {
  kind: 'failure',
  reason: 'shutdown',
  message: 'The bot is restarting; this message will be answered when it is back.',
};

const STALE = /No conversation found with session ID/;

export function cliArgs(persona: Persona, sessionId: string | undefined, partial: boolean): string[] {
  return [
    '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose',
    ...(partial ? ['--include-partial-messages'] : []),
    ...personaArgs(persona),
    ...(sessionId ? ['--resume', sessionId] : []),
  ];
}

export const userMessageLine = (text: string) =>
  JSON.stringify({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, session_id: '' });

const exitText = (code: number | null, sig: string | null) => (sig ? `killed by ${sig}` : `exit code ${code}`);

export interface SessionStatus {
  key: string;
  busy: boolean;
  queued: number;
  pid: number | undefined;
  sessionId: string | undefined;
  model: string | undefined;
  lastResult: ResultEvent | undefined;
  lastActivity: number;
  idleSince: number | undefined;
}

export class Session {
  readonly key: string;
  private config: SessionConfig;
  private readonly deps: Required<Omit<SessionDeps, 'onProcess' | 'tagPrefix'>> & Pick<SessionDeps, 'onProcess' | 'tagPrefix'>;
  private readonly stdin = new Subject<string>();
  private readonly kill$ = new Subject<void>();
  private readonly proc$: Observable<ProcOut>;
  private pending = 0;
  private running: { stop: () => void } | undefined;
  private generation = 0;
  private pid: number | undefined;
  private model: string | undefined;
  lastResult: ResultEvent | undefined;
  lastActivity: number;
  private idleSince: number | undefined;
  private controlSeq = 0;
  private draining = false;
  private restartPending = false;

  constructor(config: SessionConfig, deps: SessionDeps) {
    this.key = config.key;
    this.config = config;
    this.deps = {
      scheduler: asyncScheduler,
      maxRespawns: 3,
      backoffMs: (n) => Math.min(1000 * 2 ** (n - 1), 30_000),
      idleMs: 15 * 60_000,
      interruptTimeoutMs: 5000,
      maxQueue: 10,
      partialMessages: true,
      graceMs: 3000,
      ...deps,
    };
    this.lastActivity = this.deps.scheduler.now();
    // The process is shared by consecutive turns and lives on for idleMs after the last one.
    this.proc$ = defer(() => {
      this.idleSince = undefined;
      return this.deps.spawn(() => this.spec(), this.stdin).pipe(
        takeUntil(this.kill$),
        tap((out) => {
          if (out.kind === 'spawned') {
            this.pid = out.pid > 0 ? out.pid : undefined;
            this.deps.onProcess?.(this.key, this.pid);
          } else if (out.kind === 'exit') this.markDead();
        }),
        tap({ complete: () => this.markDead() }),
        finalize(() => this.markDead()),
      );
    }).pipe(
      share({
        resetOnError: true,
        resetOnComplete: true,
        resetOnRefCountZero: () => {
          // A dead process needs no idle timer (one left pending would hold the event loop).
          if (this.pid === undefined) return of(true);
          this.idleSince = this.deps.scheduler.now();
          return timer(this.deps.idleMs, this.deps.scheduler);
        },
      }),
    );
  }

  get persona(): Persona {
    return this.config.persona;
  }

  get dir(): string {
    return this.config.dir;
  }

  /** Changes the persona; the next turn starts a process with its flags (same conversation). */
  setPersona(persona: Persona): void {
    this.config = { ...this.config, persona };
    this.deps.store.save(this.config.dir, { persona: persona.name });
    // The process has the old flags: end it now, or when the running turn is over.
    if (this.running) this.restartPending = true;
    else this.killProcess();
  }

  status(): SessionStatus {
    return {
      key: this.key,
      busy: this.running !== undefined,
      queued: Math.max(0, this.pending - (this.running ? 1 : 0)),
      pid: this.pid,
      sessionId: this.deps.store.load(this.config.dir).sessionId,
      model: this.model,
      lastResult: this.lastResult,
      lastActivity: this.lastActivity,
      idleSince: this.pid !== undefined && !this.running ? this.idleSince : undefined,
    };
  }

  get alive(): boolean {
    return this.pid !== undefined;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Reserves a queue place. False when the queue is full (the caller refuses the message). */
  admit(): boolean {
    if (this.pending >= this.deps.maxQueue) return false;
    this.pending++;
    return true;
  }

  release(): void {
    this.pending = Math.max(0, this.pending - 1);
  }

  /** Drops queued (not running) turns; returns how many. */
  clearQueue(): number {
    this.generation++;
    return Math.max(0, this.pending - (this.running ? 1 : 0));
  }

  currentGeneration(): number {
    return this.generation;
  }

  /** Interrupts the running turn; false if none runs. */
  interrupt(): boolean {
    if (!this.running) return false;
    this.running.stop();
    return true;
  }

  /**
   * Bot shutdown: no turn starts any more, the running one ends with a 'shutdown' failure (its
   * message stays in the journal and is answered after the restart), the process is ended.
   */
  shutdown(): void {
    this.draining = true;
    this.killProcess();
  }

  /** Ends the process now (idle eviction, persona change, shutdown). A running turn is resumed. */
  killProcess(): void {
    this.kill$.next();
  }

  /** Answers a control request from the CLI (permission prompts). */
  respond(requestId: string, response: Record<string, unknown>): void {
    this.stdin.next(JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } }));
  }

  private spec(): ProcessSpec {
    const { sessionId } = this.deps.store.load(this.config.dir);
    return {
      bin: this.deps.bin,
      args: cliArgs(this.config.persona, sessionId, this.deps.partialMessages),
      cwd: this.config.dir,
      env: this.deps.env,
      graceMs: this.deps.graceMs,
      tagPrefix: this.deps.tagPrefix,
    };
  }

  /**
   * One turn: writes the user's message, emits events until that turn's result. Exactly one
   * completion: a result, or a failure event. Crashes respawn with --resume and re-send the
   * message once per respawn; error results are finished turns, never retried.
   */
  turn$(req: TurnRequest, generation: number): Observable<SessionEvent> {
    return defer(() => {
      if (generation < this.generation) {
        return of<SessionEvent>({ kind: 'failure', reason: 'cancelled', message: 'Dropped from the queue by /stop.' });
      }
      if (this.draining) return of<SessionEvent>(SHUTDOWN_FAILURE);
      let crashes = 0;
      let stopRequested = false;
      let interruptTimer: Subscription | undefined;
      const stop = () => {
        if (stopRequested) return;
        stopRequested = true;
        this.stdin.next(JSON.stringify({ type: 'control_request', request_id: `interrupt-${++this.controlSeq}`, request: { subtype: 'interrupt' } }));
        // No answer in time: kill the group; the session resumes on the next message.
        interruptTimer = this.deps.scheduler.schedule(() => this.killProcess(), this.deps.interruptTimeoutMs);
      };
      this.running = { stop };
      this.lastActivity = this.deps.scheduler.now();

      const attempt$ = new Observable<SessionEvent>((sub) => {
        // A shutdown during a crash back-off must not start a new CLI.
        if (this.draining) return sub.error(new ShutdownError('shutdown'));
        let gotResult = false;
        const crash = (why: string) => {
          if (sub.closed) return;
          if (this.draining) return sub.error(new ShutdownError(why));
          if (stopRequested) return sub.error(new StoppedError(why));
          crashes++;
          if (crashes <= this.deps.maxRespawns) {
            const secs = Math.round(this.deps.backoffMs(crashes) / 100) / 10;
            sub.next({ kind: 'status', message: `Claude Code stopped unexpectedly (${why}); restarting in ${secs} s and resuming the conversation (attempt ${crashes} of ${this.deps.maxRespawns}).` });
          }
          sub.error(new CrashError(why));
        };
        const s = this.proc$.subscribe({
          next: (out) => {
            if (out.kind === 'spawned' || out.kind === 'stderr') return;
            if (out.kind === 'exit') {
              if (gotResult) return;
              if (out.spawnError || (out.signal === null && out.code !== 0 && !out.sawStdout)) {
                const why = out.spawnError ?? (out.stderrTail.trim() || exitText(out.code, out.signal));
                sub.error(new StartupError(why));
              } else crash(exitText(out.code, out.signal));
              return;
            }
            this.lastActivity = this.deps.scheduler.now();
            for (const ev of toEvents(parseCliLine(out.line))) {
              if (ev.kind === 'started') {
                this.model = ev.model;
                if (ev.sessionId) this.deps.store.save(this.config.dir, { sessionId: ev.sessionId });
              }
              if (ev.kind === 'result') {
                if (ev.isError && STALE.test(ev.text) && !stopRequested) {
                  this.deps.store.save(this.config.dir, { sessionId: undefined });
                  sub.next({ kind: 'status', message: 'The previous conversation could not be resumed (Claude Code no longer has it); starting a fresh one.' });
                  sub.error(new StaleSessionError(ev.text));
                  this.killProcess(); // it is exiting anyway; never reuse it
                  return;
                }
                gotResult = true;
                const prev = this.lastResult?.costUsd;
                const turnCostUsd = prev !== undefined && ev.costUsd >= prev ? ev.costUsd - prev : ev.costUsd;
                const result: ResultEvent = { ...ev, turnCostUsd, ...(stopRequested ? { stopped: true } : {}) };
                this.lastResult = result;
                sub.next(result);
                sub.complete();
                return;
              }
              sub.next(ev);
            }
          },
          error: (err) => crash(String(err)),
          complete: () => {
            if (!gotResult && !sub.closed) crash('the process was stopped');
          },
        });
        this.stdin.next(userMessageLine(req.prompt));
        return s;
      });

      return attempt$.pipe(
        retry({
          delay: (err: unknown) => {
            if (err instanceof StaleSessionError) return timer(0, this.deps.scheduler);
            if (err instanceof CrashError && crashes <= this.deps.maxRespawns) {
              return timer(this.deps.backoffMs(crashes), this.deps.scheduler);
            }
            return throwError(() => err);
          },
        }),
        catchError((err: unknown) => of(this.failureFor(err, stopRequested, crashes))),
        (source) =>
          new Observable<SessionEvent>((sub) => {
            const s = source.subscribe(sub);
            return () => {
              s.unsubscribe();
              interruptTimer?.unsubscribe();
              if (this.running?.stop === stop) this.running = undefined;
              if (this.restartPending) {
                this.restartPending = false;
                this.killProcess();
              }
              this.lastActivity = this.deps.scheduler.now();
            };
          }),
      );
    });
  }

  private markDead(): void {
    if (this.pid !== undefined) {
      this.pid = undefined;
      this.deps.onProcess?.(this.key, undefined);
    }
  }

  private failureFor(err: unknown, stopped: boolean, crashes: number): SessionEvent {
    if (err instanceof ShutdownError) return SHUTDOWN_FAILURE;
    if (stopped) return { kind: 'failure', reason: 'stopped', message: 'Stopped. Claude Code did not answer the interrupt, so its process was ended; the conversation continues with your next message.' };
    if (err instanceof StartupError) return { kind: 'failure', reason: 'startup', message: `Claude Code could not start: ${err.message.trim()}` };
    if (err instanceof CrashError) {
      return { kind: 'failure', reason: 'crash', message: `Claude Code crashed ${crashes} time${crashes === 1 ? '' : 's'} on this message (last: ${err.message}) and gave up after ${this.deps.maxRespawns} restarts. Send the message again to retry.` };
    }
    return { kind: 'failure', reason: 'crash', message: `Claude Code failed: ${String(err)}` };
  }
}
