// One workspace's turns over a real ClaudeDriver, the loop closed the way main.ts closes it:
// the turn's claude commands go to the driver, its conversation id to a store. For tests of the
// turn stage and the driver together, without Telegram.
import { asyncScheduler, defer, filter, map, Subject, tap, type Observable, type SchedulerLike } from 'rxjs';
import type { Launch } from '../../src/domain/claude.ts';
import type { SessionEvent } from '../../src/domain/events.ts';
import type { Persona } from '../../src/protocol/persona.ts';
import { ClaudeDriver, type ClaudeDriverOptions } from '../../src/drivers/claude/claudeDriver.ts';
import { turn$, type TurnOptions } from '../../src/streams/turn.ts';

export interface ConversationStore {
  load(dir: string): { sessionId?: string };
  save(dir: string, patch: { sessionId?: string }): void;
}

export function memoryStore(initial: Record<string, string> = {}) {
  const ids = new Map(Object.entries(initial));
  return {
    ids,
    load: (dir: string) => ({ sessionId: ids.get(dir) }),
    save: (dir: string, patch: { sessionId?: string }) => {
      if (patch.sessionId) ids.set(dir, patch.sessionId);
      else ids.delete(dir);
    },
  };
}

export interface LoopOptions extends Partial<TurnOptions> {
  driver: Omit<ClaudeDriverOptions, 'idleMs' | 'maxLive'> & Partial<Pick<ClaudeDriverOptions, 'idleMs' | 'maxLive'>>;
  dir: string;
  persona: Persona;
  store: ConversationStore;
  workspace?: string;
}

export class WorkspaceLoop {
  readonly driver: ClaudeDriver;
  readonly workspace: string;
  persona: Persona;
  pid: number | undefined;
  private readonly stops = new Subject<void>();
  private readonly drains = new Subject<void>();
  private readonly opts: TurnOptions;
  private n = 0;

  constructor(private readonly o: LoopOptions) {
    this.workspace = o.workspace ?? 'k';
    this.persona = o.persona;
    const scheduler: SchedulerLike = o.scheduler ?? asyncScheduler;
    this.driver = new ClaudeDriver({ idleMs: 15 * 60_000, maxLive: 32, ...o.driver, scheduler });
    this.driver.output$.subscribe((x) => {
      if (x.kind !== 'proc' || x.workspace !== this.workspace) return;
      if (x.out.kind === 'spawned') this.pid = x.out.pid > 0 ? x.out.pid : undefined;
      if (x.out.kind === 'exit') this.pid = undefined;
    });
    this.opts = {
      scheduler,
      maxRespawns: o.maxRespawns ?? 3,
      backoffMs: o.backoffMs ?? ((n) => Math.min(1000 * 2 ** (n - 1), 30_000)),
      interruptTimeoutMs: o.interruptTimeoutMs ?? 5000,
    };
  }

  get alive(): boolean {
    return this.pid !== undefined;
  }

  /** One turn's events; the driver carries out its commands. */
  turn$(prompt: string, id = `t${++this.n}`): Observable<SessionEvent> {
    const ws = this.workspace;
    return defer(() =>
      turn$(
        { id, workspace: ws, prompt, origin: { chat: { chatId: 1 }, privateChat: true, draftId: 1, userId: 1 }, generation: 0 },
        {
          procs$: this.driver.output$.pipe(
            filter((x) => x.kind === 'proc' && x.workspace === ws),
            map((x) => (x as Extract<typeof x, { kind: 'proc' }>).out),
          ),
          context$: defer(() => [{ launch: this.launch() }]),
          stop$: this.stops,
          drain$: this.drains,
        },
        this.opts,
      ).pipe(
        tap((out) => {
          if (out.kind === 'claude') this.driver.execute(out.cmd);
          if (out.kind === 'conversation') this.o.store.save(this.o.dir, { sessionId: out.sessionId });
        }),
        filter((out) => out.kind === 'event'),
        map((out) => (out as Extract<typeof out, { kind: 'event' }>).event),
      ),
    );
  }

  launch(): Launch {
    return { dir: this.o.dir, persona: this.persona, sessionId: this.o.store.load(this.o.dir).sessionId };
  }

  stop(): void {
    this.stops.next();
  }

  drain(): void {
    this.drains.next();
    this.driver.execute({ kind: 'kill', workspace: this.workspace });
  }

  kill(): void {
    this.driver.execute({ kind: 'kill', workspace: this.workspace });
  }

  shutdown(): Promise<void> {
    return this.driver.shutdown();
  }
}
