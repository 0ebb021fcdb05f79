// The Claude driver: owns every CLI process. One live process per workspace, started on demand,
// fed through its stdin, reaped when idle, capped by least-recent use, killed on command. It takes
// ClaudeCommands and emits ClaudeOutputs; the app never touches a process.
import { mkdirSync } from 'node:fs';
import { Subject, asyncScheduler, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { ClaudeCommand, ClaudeOutput, Launch, ProcOut } from '../../domain/claude.ts';
import { personaArgs, withBotDefaults } from '../../protocol/persona.ts';
import { initializeLine } from '../../protocol/mcp.ts';
import { interruptLine } from '../../protocol/stdin.ts';
import { allReaped, claudeProcess$, type ProcessSpec } from './process.ts';
import { directLauncher, type Launcher } from './launcher.ts';
import { exitReport } from './credentials.ts';

export interface ClaudeDriverOptions {
  bin: string;
  env: NodeJS.ProcessEnv;
  /** A process no turn holds exits after this long; the next message resumes it. */
  idleMs: number;
  /** Cap on live processes: the least recently used idle one is evicted. */
  maxLive: number;
  partialMessages?: boolean;
  graceMs?: number;
  tagPrefix?: string;
  log?: (msg: string) => void;
  rssOf?: (pid: number) => number;
  scheduler?: SchedulerLike;
  /** How the CLI is started (isolation: bwrap, another user, or directly). */
  launcher?: Launcher;
  /** The process factory (tests give a scripted one). */
  spawn?: (spec: () => ProcessSpec, stdin$: Observable<string>) => Observable<ProcOut>;
}

interface Live {
  stdin: Subject<string>;
  sub: Subscription;
  pid?: number;
  held: boolean;
  /** Who holds it: the running turn, Claude's own pending work (background tasks, crons, wakeups). */
  holders?: Set<string>;
  lastUsed: number;
  idleSince?: number;
  idleTimer?: Subscription;
}

/** A persona with `tools` added to its allowed_tools (one flag for all). */
const withTools = (p: Launch['persona'], tools: readonly string[] | undefined): Launch['persona'] =>
  tools?.length ? { ...p, settings: { ...p.settings, allowed_tools: [...(p.settings.allowed_tools ?? []), ...tools] } } : p;

export function cliArgs(launch: Launch, partial: boolean): string[] {
  return [
    '-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose',
    ...(partial ? ['--include-partial-messages'] : []),
    // The bot's tools join the persona's allow list in one --allowedTools flag.
    ...withModel(personaArgs(withTools(withBotDefaults(launch.persona), launch.allowedTools)), launch.model),
    ...(launch.addDirs ?? []).flatMap((d) => ['--add-dir', d]),
    ...(launch.sessionId ? ['--resume', launch.sessionId] : []),
  ];
}

/** The persona's arguments with its --model replaced by the session's choice, if any. */
function withModel(args: string[], model: string | undefined): string[] {
  if (!model) return args;
  const i = args.indexOf('--model');
  const rest = i < 0 ? args : [...args.slice(0, i), ...args.slice(i + 2)];
  return [...rest, '--model', model];
}

const KILLED: ProcOut = { kind: 'exit', code: null, signal: null, stderrTail: '', sawStdout: true, killed: true };

export class ClaudeDriver {
  private readonly out = new Subject<ClaudeOutput>();
  readonly output$: Observable<ClaudeOutput> = this.out.asObservable();
  private readonly live = new Map<string, Live>();
  private readonly scheduler: SchedulerLike;
  private readonly spawnFn: NonNullable<ClaudeDriverOptions['spawn']>;
  private closed = false;
  /** workspace → times of its recent abnormal exits (logged, with a count). */
  private readonly crashes = new Map<string, number[]>();

  constructor(private readonly opts: ClaudeDriverOptions) {
    this.scheduler = opts.scheduler ?? asyncScheduler;
    this.spawnFn = opts.spawn ?? claudeProcess$;
  }

  liveCount(): number {
    return this.live.size;
  }

  /** Kills every process (no new ones start) and resolves when all are reaped. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const key of [...this.live.keys()]) this.kill(key);
    await allReaped();
  }

  /** Carries out one command of the app's claude sink. */
  execute(c: ClaudeCommand): void {
    switch (c.kind) {
      case 'spawn':
        if (this.live.has(c.workspace)) return this.touch(c.workspace);
        if (this.closed) return this.emit(c.workspace, KILLED);
        return this.start(c.workspace, c.launch);
      case 'write':
        this.touch(c.workspace);
        return this.live.get(c.workspace)?.stdin.next(c.line);
      case 'interrupt':
        return this.live.get(c.workspace)?.stdin.next(interruptLine(c.requestId));
      case 'kill':
        return this.kill(c.workspace);
      case 'hold':
        return this.hold(c.workspace, c.held, c.by);
      case 'processes':
        return this.out.next({ kind: 'processes', id: c.id, list: this.snapshot() });
    }
  }

  private start(workspace: string, launch: Launch): void {
    const stdin = new Subject<string>();
    const p: Live = { stdin, sub: undefined as unknown as Subscription, held: false, lastUsed: this.scheduler.now() };
    this.live.set(workspace, p);
    const spec = (): ProcessSpec => (mkdirSync(launch.dir, { recursive: true }), launch.addDirs?.forEach((d) => mkdirSync(d, { recursive: true })), {
      bin: this.opts.bin,
      args: cliArgs(launch, this.opts.partialMessages ?? true),
      cwd: launch.dir,
      env: this.opts.env,
      graceMs: this.opts.graceMs ?? 3000,
      tagPrefix: this.opts.tagPrefix,
      launcher: this.opts.launcher ?? directLauncher,
    });
    p.sub = this.spawnFn(spec, stdin).subscribe({
      next: (o) => {
        if (this.live.get(workspace) !== p) return;
        if (o.kind === 'spawned' && o.pid > 0) p.pid = o.pid;
        // A dead process is released at its exit event: no idle timer is left pending for it.
        if (o.kind === 'exit') {
          this.forget(workspace, p);
          this.logExit(workspace, o);
        }
        this.emit(workspace, o);
      },
      error: (err: unknown) => {
        if (this.live.get(workspace) !== p) return;
        this.forget(workspace, p);
        this.emit(workspace, { kind: 'exit', code: null, signal: null, stderrTail: '', sawStdout: false, spawnError: String(err) });
      },
      complete: () => {
        if (this.live.get(workspace) === p) {
          this.forget(workspace, p);
          this.emit(workspace, KILLED);
        }
      },
    });
    // The bot's MCP servers are registered first: the CLI asks for their tools before its first turn.
    if (launch.sdkMcpServers?.length) stdin.next(initializeLine(`init-${workspace}`, launch.sdkMcpServers));
    this.enforceCap(workspace);
  }

  private logExit(workspace: string, o: Extract<ProcOut, { kind: 'exit' }>): void {
    const now = this.scheduler.now();
    const recent = [...(this.crashes.get(workspace) ?? []).filter((t) => now - t < 600_000), now];
    const line = exitReport(workspace, o, recent.length);
    if (!line) return;
    this.crashes.set(workspace, recent);
    this.opts.log?.(line);
  }

  private emit(workspace: string, out: ProcOut): void {
    this.out.next({ kind: 'proc', workspace, out });
  }

  private forget(workspace: string, p: Live): void {
    p.idleTimer?.unsubscribe();
    this.live.delete(workspace);
  }

  /** Ends the process now; a turn that was using it sees `killed` and resumes on a new one. */
  private kill(workspace: string): void {
    const p = this.live.get(workspace);
    if (!p) return;
    this.forget(workspace, p);
    p.sub.unsubscribe();
    this.emit(workspace, KILLED);
  }

  private touch(workspace: string): void {
    const p = this.live.get(workspace);
    if (p) p.lastUsed = this.scheduler.now();
  }

  private hold(workspace: string, wanted: boolean, by = 'turn'): void {
    const p = this.live.get(workspace);
    if (!p) return;
    const holders = (p.holders ??= new Set());
    if (wanted) holders.add(by);
    else holders.delete(by);
    const held = holders.size > 0;
    if (!wanted && held) return; // another holder still holds it
    p.held = held;
    p.lastUsed = this.scheduler.now();
    p.idleTimer?.unsubscribe();
    p.idleTimer = undefined;
    p.idleSince = undefined;
    if (held) return;
    p.idleSince = this.scheduler.now();
    p.idleTimer = this.scheduler.schedule(() => {
      if (this.live.get(workspace) === p && !p.held) this.kill(workspace);
    }, this.opts.idleMs);
  }

  /** Keeps at most maxLive processes: evicts the least recently used idle ones. */
  private enforceCap(justStarted: string): void {
    let excess = this.live.size - this.opts.maxLive;
    if (excess <= 0) return;
    const idle = [...this.live.entries()].filter(([k, p]) => !p.held && k !== justStarted).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [key] of idle) {
      if (excess-- <= 0) break;
      this.opts.log?.(`evicting idle session ${key} (cap of ${this.opts.maxLive} live processes)`);
      this.kill(key);
    }
  }

  private snapshot() {
    return [...this.live.entries()]
      .filter(([, p]) => p.pid !== undefined)
      .map(([workspace, p]) => ({ workspace, pid: p.pid!, rssBytes: this.opts.rssOf?.(p.pid!) ?? 0, held: p.held, idleSince: p.idleSince }));
  }
}
