// Composition root: configuration, drivers, the loops between app and drivers, the one
// subscribe, signal handling.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freemem, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TelegramApiError } from 'node-telegram-bot-api';
import { BehaviorSubject, asyncScheduler, ignoreElements, interval, map, merge, mergeMap, Subject, takeUntil, tap, timer } from 'rxjs';
import { app } from './app/app.ts';
import { dirOf, type AppConfig } from './app/config.ts';
import type { FileResult } from './app/intake.ts';
import { initialState } from './app/state.ts';
import { BOT_COMMANDS } from './domain/commands.ts';
import type { StoreResult } from './domain/store.ts';
import type { Outcome } from './domain/telegram.ts';
import { ClaudeDriver } from './drivers/claude/claudeDriver.ts';
import { killAllNow } from './drivers/claude/process.ts';
import { sweepPrefix, treeRss } from './drivers/claude/processTree.ts';
import { loadPersonas } from './drivers/personas.ts';
import { acquireLock, checkSessionsDir, sweepTemps } from './drivers/store/index.ts';
import { StoreDriver } from './drivers/storeDriver.ts';
import { download, TelegramApi, updates$ } from './drivers/telegram.ts';
import { timingHooks } from './drivers/timing.ts';
import { ConfigError, parseConfig } from './protocol/config.ts';
import { outbox } from './streams/outbox/outbox.ts';

const DEFAULT_CLAUDE_BIN = fileURLToPath(new URL('../node_modules/.bin/claude', import.meta.url));

let redact = (s: string) => s;
const log = (msg: string) => console.log(`${new Date().toISOString()} ${redact(msg)}`);
const fail = (msg: string): never => {
  console.error(redact(msg));
  process.exit(1);
};

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = parseConfig(process.env, { claudeBin: DEFAULT_CLAUDE_BIN, totalMemBytes: totalmem() });
  } catch (err) {
    return fail(err instanceof ConfigError ? err.message : String(err));
  }
  const token = config.token;
  redact = (s) => s.split(token).join('<token>');
  delete process.env.TELEGRAM_BOT_TOKEN; // not in this process's live environment any more

  let personas;
  try {
    personas = loadPersonas(config.personasDir);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (!personas.has(config.defaultPersona)) {
    return fail(`DEFAULT_PERSONA "${config.defaultPersona}" is not in ${config.personasDir} (have: ${[...personas.keys()].join(', ')}).`);
  }
  if (!existsSync(config.claudeBin)) {
    return fail(`Claude Code was not found at ${config.claudeBin}. Run npm install (it installs @anthropic-ai/claude-code), or set CLAUDE_BIN.`);
  }

  const api = new TelegramApi(token, config.apiRoot);
  let me;
  try {
    me = await api.getMe();
    await api.setMyCommands({ commands: BOT_COMMANDS.map((c) => ({ ...c })) });
  } catch (err) {
    if (err instanceof TelegramApiError && (err.errorCode === 401 || err.errorCode === 404)) {
      return fail(`Telegram did not accept the bot token (${err.errorCode} ${err.description}). Check TELEGRAM_BOT_TOKEN: copy it again from @BotFather.`);
    }
    return fail(`Could not reach Telegram at ${config.apiRoot}: ${redact(String(err))}. Check the network, or TELEGRAM_API_ROOT.`);
  }

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

  const appConfig: AppConfig = {
    allowedUserIds: config.allowedUserIds,
    sessionsDir,
    personas,
    defaultPersona: config.defaultPersona,
    maxFileBytes: config.maxFileBytes,
    maxQueue: config.maxQueue,
    permissionTimeoutMs: config.permissionTimeoutMs,
    stallMs: config.stallMs,
    botUsername: me.username,
    runId: randomBytes(3).toString('hex'),
    maxLive: config.maxLiveSessions,
    maxRespawns: 3,
    backoffMs: (n) => Math.min(1000 * 2 ** (n - 1), 30_000),
    interruptTimeoutMs: 5000,
    scheduler: asyncScheduler,
    // Warm after a restart: up to MAX_LIVE_SESSIONS, as far as free memory goes (~200 MiB each).
    warmSessions: config.warmSessions ?? Math.min(config.maxLiveSessions, Math.floor(freemem() / 2 / (200 * 1024 * 1024))),
  };
  const store = new StoreDriver(sessionsDir, log);
  const chats = store.loadChats();
  const recovered = store.recovered();
  if (recovered.length) log(`resuming ${recovered.length} message(s) left unanswered by the previous run`);
  const timing = timingHooks(process.env, log); // CLAUDE_TG_TIMING=1: timestamps for the bench
  const claude = new ClaudeDriver({ bin: config.claudeBin, env: process.env, idleMs: config.idleMs, maxLive: config.maxLiveSessions, tagPrefix, log, rssOf: treeRss });

  if (timing) claude.output$.subscribe((o) => timing.output(o));
  // The loops: the app's sinks feed drivers whose output comes back as its sources.
  const state = new BehaviorSubject(initialState(chats, store.loadConversations(chats, (ws) => dirOf(appConfig, ws)), recovered));
  const files = new Subject<FileResult>();
  const stored = new Subject<StoreResult>();
  const outcomes = new Subject<Outcome>();
  const drain = new Subject<void>();
  const shutdown = new Subject<void>();
  const fetchFile = download(api, config.maxFileBytes);
  const sinks = app(
    {
      updates$: updates$(api, log, store.savedOffset()).pipe(
        tap((u) => (timing?.update(u), store.taking(u.update_id))),
        takeUntil(shutdown),
      ),
      state$: state,
      claude$: claude.output$,
      files$: files,
      outcomes$: outcomes,
      stored$: stored,
      drain$: drain,
    },
    appConfig,
    recovered,
  );

  let stopping = false;
  const finish = async (code: number) => {
    await claude.shutdown();
    log(`stopped (exit ${code})`);
    process.exit(code);
  };

  // 25/s rather than Telegram's "about 30": calls leave paced but arrive bunched by network jitter
  // (the soak saw a few 429s at 30 while 20 chats flushed at once).
  const telegram$ = outbox(sinks.telegram$, (call) => (timing?.call(call), api.call(call)), { globalPerSecond: 25 }).pipe(
    tap({
      next: (o) => {
        if (!o.ok) log(`telegram ${o.op.op} failed: ${o.error?.code} ${o.error?.description}`);
        outcomes.next(o);
      },
      complete: () => outcomes.complete(),
    }),
  );
  const subscription = merge(
    sinks.state$.pipe(tap((reduce) => state.next(reduce(state.value)))),
    sinks.claude$.pipe(tap((cmd) => (claude.execute(cmd), timing?.command(cmd)))),
    sinks.store$.pipe(tap((w) => stored.next(store.write(w)))),
    sinks.log$.pipe(tap(log)),
    sinks.files$.pipe(
      mergeMap((req) => fetchFile(req, req.dir).pipe(map((result): FileResult => ({ id: req.id, result })))),
      tap((f) => files.next(f)),
    ),
    telegram$,
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
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(`@${me.username} is running: ${personas.size} personas, sessions in ${config.sessionsDir}, up to ${config.maxLiveSessions} live Claude Code processes`);
}

void main();
