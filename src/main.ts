// Composition root: configuration, drivers, the one subscribe, signal handling.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TelegramApiError } from 'node-telegram-bot-api';
import { Subject, takeUntil, tap } from 'rxjs';
import { app$, type TurnMeta } from './app.ts';
import { BOT_COMMANDS } from './domain/commands.ts';
import { allReaped, claudeProcess$, killAllNow } from './drivers/claude/process.ts';
import { Journal } from './drivers/journal.ts';
import { loadPersonas } from './drivers/personas.ts';
import { sweepPrefix, treeRss } from './drivers/claude/processTree.ts';
import { SessionRegistry } from './drivers/sessionRegistry.ts';
import { readJson, sessionStore, writeJsonAtomic } from './drivers/sessionStore.ts';
import { download, TelegramApi, updates$ } from './drivers/telegram.ts';
import { ConfigError, parseConfig } from './protocol/config.ts';
import { outbox } from './streams/outbox/outbox.ts';
import type { TurnRequest } from './streams/session.ts';

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

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

  // One bot per sessions directory: a second one would fight over the same conversations.
  mkdirSync(config.sessionsDir, { recursive: true });
  const lockFile = join(config.sessionsDir, 'bot.pid');
  const holder = Number((readJson(lockFile) as { pid?: unknown } | undefined)?.pid);
  if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
    return fail(`Another instance of the bot (pid ${holder}) is using ${config.sessionsDir}. Stop it first, or give this one its own SESSIONS_DIR.`);
  }
  writeJsonAtomic(lockFile, { pid: process.pid });
  process.on('exit', () => {
    if ((readJson(lockFile) as { pid?: unknown } | undefined)?.pid === process.pid) rmSync(lockFile, { force: true });
  });

  // Every CLI this bot starts carries a tag derived from its sessions directory; kill what a
  // previous run that died without cleaning up left behind.
  const tagPrefix = createHash('sha256').update(resolve(config.sessionsDir)).digest('hex').slice(0, 12);
  const leftovers = sweepPrefix(tagPrefix);
  if (leftovers) log(`killed ${leftovers} Claude Code process(es) left behind by a previous run`);

  const journal = new Journal(config.sessionsDir);
  const offsetFile = join(config.sessionsDir, 'telegram-offset.json');
  const saved = readJson(offsetFile) as { offset?: unknown } | undefined;
  let offset = typeof saved?.offset === 'number' ? saved.offset : undefined;
  // The saved offset never passes an update still being taken in (a download, say), so a crash
  // makes Telegram deliver it again; the journal skips those already taken.
  const inflight = new Set<number>();
  let lastTaken: number | undefined;
  const updateDone = (id: number) => {
    inflight.delete(id);
    const next = inflight.size ? Math.min(...inflight) : (lastTaken ?? id) + 1;
    if (next !== offset) writeJsonAtomic(offsetFile, { offset: (offset = next) });
  };
  const registry = new SessionRegistry(
    config.sessionsDir,
    personas,
    config.defaultPersona,
    {
      spawn: claudeProcess$,
      store: sessionStore,
      bin: config.claudeBin,
      env: process.env,
      idleMs: config.idleMs,
      maxQueue: config.maxQueue,
      tagPrefix,
    },
    config.maxLiveSessions,
    log,
  );

  const recovered: TurnRequest[] = journal.list().map((e) => ({ sessionKey: e.sessionKey, id: e.id, prompt: e.prompt, meta: e.meta as TurnMeta }));
  if (recovered.length) log(`resuming ${recovered.length} message(s) left unanswered by the previous run`);

  const shutdown$ = new Subject<void>();
  const ops$ = app$(
    updates$(api, log, offset).pipe(
      tap((u) => {
        inflight.add(u.update_id);
        lastTaken = u.update_id;
      }),
      takeUntil(shutdown$),
    ),
    {
      allowedUserIds: config.allowedUserIds,
      registry,
      download: download(api, config.maxFileBytes),
      journal,
      maxFileBytes: config.maxFileBytes,
      permissionTimeoutMs: config.permissionTimeoutMs,
      stallMs: config.stallMs,
      botUsername: me.username,
      log,
      rssOf: treeRss,
      liveCount: () => registry.liveCount(),
      maxLive: config.maxLiveSessions,
      runId: randomBytes(3).toString('hex'),
      onUpdateDone: updateDone,
    },
    recovered,
  );

  let stopping = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const finish = async (code: number) => {
    clearTimeout(graceTimer);
    for (const s of registry.all()) s.shutdown();
    await allReaped();
    log(`stopped (exit ${code})`);
    process.exit(code);
  };

  // 25/s rather than Telegram's "about 30": calls leave paced but arrive bunched by network jitter
  // (the soak saw a few 429s at 30 while 20 chats flushed at once).
  const subscription = outbox(ops$, (call) => api.call(call), { globalPerSecond: 25 }).subscribe({
    next: (o) => {
      if (!o.ok) log(`telegram ${o.op.op} failed: ${o.error?.code} ${o.error?.description}`);
      if (o.op.op === 'send' && o.op.answers) journal.remove(o.op.answers);
    },
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
    shutdown$.next();
    graceTimer = setTimeout(() => {
      log('grace period over: stopping the remaining turns; they will be answered after the restart');
      for (const s of registry.all()) s.shutdown();
    }, config.shutdownGraceMs);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(`@${me.username} is running: ${personas.size} personas, sessions in ${config.sessionsDir}, up to ${config.maxLiveSessions} live Claude Code processes`);
}

void main();
