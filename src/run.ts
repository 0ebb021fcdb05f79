// The composition shared by both front ends (src/main.ts: Telegram; src/chat.ts: the console):
// personas, SESSIONS_DIR and its lock, isolation of the CLI, the drivers, the loops between app
// and drivers, the one subscribe, signals. A front end brings updates in and carries ops out.
import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { freemem, homedir } from 'node:os';
import { BehaviorSubject, asyncScheduler, filter, ignoreElements, interval, map, merge, mergeMap, Subject, takeUntil, tap, timer, type Observable } from 'rxjs';
import type { Update } from 'node-telegram-bot-api';
import { app } from './app/app.ts';
import { dirOf, type AppConfig } from './app/config.ts';
import type { FileResult } from './app/intake.ts';
import { pairingLogLines } from './app/pairing.ts';
import { initialState, isIdle } from './app/state.ts';
import type { FileRequest } from './domain/store.ts';
import type { IoResult } from './domain/io.ts';
import type { WorkdirResult } from './domain/workdir.ts';
import type { DownloadResult, OutOp, Outcome } from './domain/telegram.ts';
import type { Turn } from './domain/turn.ts';
import { ClaudeDriver } from './drivers/claude/claudeDriver.ts';
import { credentialsReport } from './drivers/claude/credentials.ts';
import { setupIsolation } from './drivers/claude/isolation.ts';
import { killAllNow } from './drivers/claude/process.ts';
import { sweepPrefix, treeRss } from './drivers/claude/processTree.ts';
import { loadPersonas } from './drivers/personas.ts';
import { acquireLock, checkSessionsDir, sweepTemps } from './drivers/store/index.ts';
import { StoreClient } from './drivers/storeClient.ts';
import { takenTracker } from './drivers/takenTracker.ts';
import { StoreDriver } from './drivers/storeDriver.ts';
import { ioDriver } from './drivers/io/ioDriver.ts';
import { transcriber } from './drivers/io/transcriber.ts';
import { WorkdirDriver } from './drivers/workdir/workdirDriver.ts';
import { timingHooks } from './drivers/timing.ts';
import { chooseDefaultPersona } from './protocol/persona.ts';
import type { Config } from './protocol/config.ts';

export interface FrontEnd {
  /** For the log line and the pairing link. */
  botUsername?: string;
  botId?: number;
  /** Turns recovered from the journal that this front end can answer (by chat). */
  answers(t: Turn): boolean;
  /** Incoming updates; `offset` is where Telegram polling resumes. */
  /** `takenIn` resolves once the app has taken in (journaled or answered) each of these updates. */
  updates$(offset: number | undefined, app: { idle$: Observable<boolean>; takenIn: (ids: number[]) => Promise<void> }): Observable<Update>;
  /** Carries out the app's ops; each comes back as an Outcome. */
  deliver$(ops$: Observable<OutOp>): Observable<Outcome>;
  fetchFile(req: FileRequest, dir: string): Observable<DownloadResult>;
  /** Telegram's update offset is saved (the console's update ids must never move it). */
  telegramOffset: boolean;
  /** Pairing applies to Telegram only (the console user is the operator). */
  pairing: boolean;
  /** Extra allowed users (the console's own user). */
  allowedUserIds?: ReadonlySet<number>;
  /** Called once everything runs. */
  ready?(): void;
}

export interface RunOptions {
  config: Config;
  frontEnd: FrontEnd;
  log: (msg: string) => void;
  fail: (msg: string) => never;
  /** The bot's checkout (hidden from the CLI by the isolation). */
  botDir: string;
  /** Files that hold secrets (.env), hidden from the CLI. */
  secretFiles: string[];
}

export async function run(o: RunOptions): Promise<void> {
  const { config, frontEnd: fe, log, fail } = o;
  let personas;
  try {
    personas = loadPersonas(config.personasDir, { optional: !config.personasDirSet });
  } catch (err) {
    return fail((err as Error).message);
  }
  const chosen = chooseDefaultPersona(personas, config.defaultPersona, config.personasDir);
  if ('error' in chosen) return fail(chosen.error);
  if (!existsSync(config.claudeBin)) {
    return fail(`Claude Code was not found at ${config.claudeBin}. Run npm install (it installs @anthropic-ai/claude-code), or set CLAUDE_BIN.`);
  }
  const projectsDirs = config.projectsDirs.map((d) => resolve(d));
  const notDir = projectsDirs.find((d) => !(existsSync(d) && statSync(d).isDirectory()));
  if (notDir) return fail(`PROJECTS_DIR: ${notDir} is not a directory. Give directories whose subdirectories are your projects, separated by ":".`);

  // SESSIONS_DIR must be usable; one bot per sessions directory (a kernel-held lock, freed when
  // the process dies): a second one would fight over the same conversations.
  const sessionsDir = resolve(config.sessionsDir);
  const unusable = checkSessionsDir(sessionsDir);
  if (unusable) return fail(unusable);
  const lock = await acquireLock(sessionsDir);
  if (!lock.ok) return fail(lock.message);
  process.on('exit', () => lock.lock.release());
  const swept = sweepTemps(sessionsDir);
  if (swept.length) log(`removed ${swept.length} temporary file(s) a crash left in ${config.sessionsDir}`);

  // Every CLI this bot starts carries a tag derived from its sessions directory; kill what a
  // previous run that died without cleaning up left behind.
  const tagPrefix = createHash('sha256').update(sessionsDir).digest('hex').slice(0, 12);
  const leftovers = sweepPrefix(tagPrefix);
  if (leftovers) log(`killed ${leftovers} Claude Code process(es) left behind by a previous run`);

  // Claude Code's tools must not reach the token: a launcher chosen and self-tested now.
  const isolation = setupIsolation({ mode: config.isolation, sessionsDir, botDir: o.botDir, secretFiles: o.secretFiles, claudeBin: config.claudeBin, agentUid: config.agentUid, env: process.env, log });
  if (!isolation.ok) return fail(isolation.message);
  for (const line of credentialsReport(isolation.launcher.wrap({ bin: config.claudeBin, args: [], cwd: sessionsDir, env: process.env }).env)) log(line);

  // State is read here, once; from now on a worker thread writes it (no fsync on this event loop).
  const saved = new StoreDriver(sessionsDir, log);
  const paired = saved.loadAllowlist();
  const allowedUserIds = new Set([...config.allowedUserIds, ...(fe.allowedUserIds ?? [])]);
  const appConfig: AppConfig = {
    allowedUserIds,
    sessionsDir,
    personas,
    defaultPersona: chosen.name,
    maxFileBytes: config.maxFileBytes,
    maxQueue: config.maxQueue,
    permissionTimeoutMs: config.permissionTimeoutMs,
    stallMs: config.stallMs,
    botUsername: fe.botUsername,
    botId: fe.botId,
    newCode: pairingCode,
    runId: randomBytes(3).toString('hex'),
    maxLive: config.maxLiveSessions,
    maxRespawns: 3,
    backoffMs: (n) => Math.min(1000 * 2 ** (n - 1), 30_000),
    interruptTimeoutMs: 5000,
    scheduler: asyncScheduler,
    telegramTools: true,
    diffButton: true,
    transcriber: config.stt !== undefined,
    voiceConfirm: config.voiceConfirm,
    // Warm after a restart: up to MAX_LIVE_SESSIONS, as far as free memory goes (~200 MiB each).
    warmSessions: config.warmSessions ?? Math.min(config.maxLiveSessions, Math.floor(freemem() / 2 / (200 * 1024 * 1024))),
  };
  const chats = saved.loadChats();
  const recovered = saved.recovered().filter((t) => fe.answers(t));
  if (recovered.length) log(`resuming ${recovered.length} message(s) left unanswered by the previous run`);
  const timing = timingHooks(process.env, log); // CLAUDE_TG_TIMING=1: timestamps for the bench
  const claude = new ClaudeDriver({ bin: config.claudeBin, env: process.env, idleMs: config.idleMs, maxLive: config.maxLiveSessions, tagPrefix, log, rssOf: treeRss, launcher: isolation.launcher });

  if (timing) claude.output$.subscribe((o) => timing.output(o));
  // No allowed user yet: the first one pairs with a code printed here (never sent anywhere).
  const firstCode = fe.pairing && config.allowedUserIds.size === 0 && paired.length === 0 ? pairingCode() : undefined;
  const state = new BehaviorSubject(
    initialState(chats, saved.loadConversations(chats, (ws) => dirOf(appConfig, ws)), recovered, saved.loadWork(), {
      allowed: Object.fromEntries(paired.map((id) => [String(id), true as const])),
      pairing: { code: firstCode, wrong: 0, tries: {} },
    }),
  );
  const store = new StoreClient(sessionsDir, log, (err) => {
    log(`fatal: ${err.message}`);
    void finish(1);
  });
  const files = new Subject<FileResult>();
  const workdirs = new Subject<WorkdirResult>();
  const workdir = new WorkdirDriver({ projectsDirs, sessionsDir, claudeHome: process.env.CLAUDE_CONFIG_DIR || resolve(process.env.HOME || homedir(), '.claude') });
  const ioResults = new Subject<IoResult>();
  const outcomes = new Subject<Outcome>();
  const drain = new Subject<void>();
  const shutdown = new Subject<void>();
  const taken = takenTracker();
  const sinks = app(
    {
      updates$: fe.updates$(saved.savedOffset(), { idle$: state.pipe(map(isIdle)), takenIn: taken.wait }).pipe(
        // The console's input ends at EOF: that ends the run like a signal, without a grace period.
        tap({ next: (u) => (timing?.update(u), fe.telegramOffset && store.taking(u.update_id)), complete: () => shutdown.next() }),
        takeUntil(shutdown),
      ),
      state$: state,
      claude$: claude.output$,
      files$: files,
      outcomes$: outcomes,
      stored$: store.results$,
      drain$: drain,
      workdir$: workdirs,
      io$: ioResults,
    },
    appConfig,
    recovered,
  );

  let stopping = false;
  const finish = async (code: number) => {
    await claude.shutdown();
    await store.close();
    log(`stopped (exit ${code})`);
    process.exit(code);
  };

  const delivered$ = fe.deliver$(sinks.telegram$).pipe(
    tap({
      next: (out) => {
        if (!out.ok) log(`telegram ${out.op.op} failed: ${out.error?.code} ${out.error?.description}`);
        outcomes.next(out);
      },
      complete: () => outcomes.complete(),
    }),
  );
  const subscription = merge(
    sinks.state$.pipe(tap((reduce) => state.next(reduce(state.value)))),
    sinks.claude$.pipe(tap((cmd) => (claude.execute(cmd), timing?.command(cmd)))),
    sinks.store$.pipe(
      tap((w) => w.kind === 'updateDone' && taken.done(w.updateId)),
      filter((w) => fe.telegramOffset || w.kind !== 'updateDone'),
      tap((w) => store.write(w)),
    ),
    sinks.log$.pipe(tap(log)),
    sinks.files$.pipe(
      mergeMap((req) => fe.fetchFile(req, req.dir).pipe(map((result): FileResult => ({ id: req.id, result })))),
      tap((f) => files.next(f)),
    ),
    sinks.workdir$.pipe(
      mergeMap((req) => workdir.handle(req)),
      tap((r) => workdirs.next(r)),
    ),
    sinks.io$.pipe(ioDriver({ transcribe: transcriber(config.stt) }), tap((r) => ioResults.next(r))),
    delivered$,
    // A write the disk refused is kept in memory and retried, so the bot recovers when space returns.
    interval(5000).pipe(tap(() => store.flushIfUnhealthy()), ignoreElements(), takeUntil(shutdown)),
  ).subscribe({
    error: (err: unknown) => {
      log(`fatal: ${err instanceof Error ? err.message : String(err)}`);
      void finish(1);
    },
    complete: () => void finish(0),
  });

  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) {
      log(`${sig} again: exiting now`);
      killAllNow();
      subscription.unsubscribe();
      process.exit(130);
    }
    stopping = true;
    log(`${sig}: no new messages; running turns get ${config.shutdownGraceMs / 1000} s to finish (send ${sig} again to exit now)`);
    shutdown.next();
    timer(config.shutdownGraceMs).subscribe(() => {
      log('grace period over: stopping the remaining turns; they will be answered after the restart');
      drain.next();
      void claude.shutdown();
      // What a slow stop is waiting for, every 5 s.
      interval(5000).subscribe(() => {
        const running = Object.entries(state.value.runtime).filter(([, r]) => r.running || r.pending);
        log(`still stopping: ${running.length} workspace(s) with turns (${running.map(([w, r]) => `${w}: ${r.pending}${r.running ? ' running' : ''}`).join(', ')}), ${claude.liveCount()} process(es)`);
      });
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const who = fe.botUsername ? `@${fe.botUsername}` : 'the console chat';
  log(`${who} is running: ${personas.size} personas (new sessions: ${chosen.name}), sessions in ${config.sessionsDir}, up to ${config.maxLiveSessions} live Claude Code processes, isolation ${isolation.launcher.mode}${projectsDirs.length ? `, projects in ${projectsDirs.join(':')}` : ''}`);
  if (firstCode) for (const line of pairingLogLines(appConfig, firstCode)) log(line);
  fe.ready?.();
}

// No 0/O or 1/I/L: the code is read off a terminal and typed on a phone.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function pairingCode(): string {
  for (;;) {
    const code = [...randomBytes(8)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
    if (/[0-9]/.test(code)) return code; // a digit tells a code from a word (app/pairing.ts)
  }
}

