// The whole dataflow, pure: app(sources) → sinks. Sources are Telegram updates, the Claude
// driver's output, finished downloads, the outbox's outcomes, the shutdown signal and the app's
// own state; sinks are plain data for each driver. main.ts closes the loops and subscribes once.
import {
  auditTime, catchError, concat, concatMap, defer, distinctUntilChanged, filter, from, groupBy, last, map, merge, mergeMap, NEVER, of, share, skip, subscribeOn, take, takeUntil,
  type Observable,
} from 'rxjs';
import type { Update } from 'node-telegram-bot-api';
import type { ClaudeCommand, ClaudeOutput } from '../domain/claude.ts';
import type { IoRequest, IoResult } from '../domain/io.ts';
import type { StoreResult } from '../domain/store.ts';
import type { OutOp, Outcome } from '../domain/telegram.ts';
import type { Turn } from '../domain/turn.ts';
import { buttonEffects, draftStopEffects } from './buttons.ts';
import type { AppConfig } from './config.ts';
import { log, reduce, store, telegram, type Effect, type FileRequest, type Reducer, type StoreWrite } from './effects.ts';
import { messageEffects, type FileResult } from './intake.ts';
import { replyOp } from './reply.ts';
import { without, type AppState } from './state.ts';
import { turnsEffects } from './turns.ts';
import { mcpEffects } from './mcp.ts';
import { diffPressEffects } from './diff.ts';
import { albumEffects } from './media.ts';
import { voicePressEffects } from './voice.ts';
import { warmEffects } from './warm.ts';
import { messageRef } from '../domain/messageRef.ts';
import type { WorkdirRequest, WorkdirResult } from '../domain/workdir.ts';
import { workButtonEffects } from './buttonCommands.ts';
import { menuOps$ } from './menus.ts';
import { restartNotices } from './restartNotices.ts';

export interface AppSources {
  updates$: Observable<Update>;
  /** The app's state: the fold of the reducers it emitted (main closes this loop). */
  state$: Observable<AppState>;
  claude$: Observable<ClaudeOutput>;
  files$: Observable<FileResult>;
  outcomes$: Observable<Outcome>;
  /** What became of each store write, as the store driver carried it out. */
  stored$: Observable<StoreResult>;
  /** Emits when the shutdown grace is over: running turns end, they stay journaled. */
  drain$: Observable<unknown>;
  /** The workdir driver's answers (projects, worktrees, command files, conversations). */
  workdir$?: Observable<WorkdirResult>;
  /** Answers of the local I/O driver (files, git, speech to text). */
  io$?: Observable<IoResult>;
}

export interface AppSinks {
  telegram$: Observable<OutOp>;
  claude$: Observable<ClaudeCommand>;
  store$: Observable<StoreWrite>;
  log$: Observable<string>;
  files$: Observable<FileRequest>;
  state$: Observable<Reducer>;
  workdir$: Observable<WorkdirRequest>;
  io$: Observable<IoRequest>;
}

const updateChat = (u: Update): number =>
  'message' in u ? u.message.chat.id : 'callback_query' in u ? (u.callback_query.message?.chat.id ?? 0) : 'stopped_message_generation' in u ? u.stopped_message_generation.chat.id : 0;

export function app(sources: AppSources, cfg: AppConfig, recovered: readonly Turn[] = []): AppSinks {
  const effects$ = defer(() => {
    // Each chat's updates in order (a download finishes before the next message queues); chats in parallel.
    const intake$ = sources.updates$.pipe(
      groupBy(updateChat),
      mergeMap((chat$) => chat$.pipe(concatMap((u) => concat(updateEffects(u, sources, cfg), of(store({ kind: 'updateDone', updateId: u.update_id })))))),
      share(),
    );
    // Albums are collected apart from the per-chat intake; their turns join the others.
    const albums$ = albumEffects(
      intake$.pipe(filter((e): e is Extract<Effect, { to: 'albumPart' }> => e.to === 'albumPart'), map((e) => e.part)),
      { cfg, claude$: sources.claude$, files$: sources.files$, state$: sources.state$, stored$: sources.stored$, workdir$: sources.workdir$ ?? NEVER, io$: sources.io$, outcomes$: sources.outcomes$ },
    ).pipe(share());
    const turns$ = merge(
      from(recovered).pipe(subscribeOn(cfg.scheduler), map((item) => ({ item }))),
      merge(intake$, albums$).pipe(
        filter((e): e is Extract<Effect, { to: 'turn' }> => e.to === 'turn'),
        map((e) => ({ item: e.turn, refused: e.refused })),
      ),
    );
    const stops$ = intake$.pipe(
      filter((e): e is Extract<Effect, { to: 'stop' }> => e.to === 'stop'),
      map((e) => e.workspace),
    );
    // One notice per chat that had messages in flight (idle chats hear nothing of the restart).
    const notices$ = from(restartNotices(recovered)).pipe(subscribeOn(cfg.scheduler));
    // Warm after a restart: the most recently active workspaces get a process in the background.
    const warm$ = sources.state$.pipe(take(1), mergeMap((s) => warmEffects(s, cfg)), subscribeOn(cfg.scheduler));
    const io$ = sources.io$ ?? NEVER;
    const turnsX = { cfg, state$: sources.state$, claude$: sources.claude$, stops$, drain$: sources.drain$, io$ };
    const ran$ = turnsEffects(turns$, turnsX).pipe(share());
    // The MCP server answers as long as turns may run (the process output never completes).
    const tools$ = mcpEffects({ cfg, claude$: sources.claude$, io$, outcomes$: sources.outcomes$, state$: sources.state$ }).pipe(takeUntil(ran$.pipe(last(null, null))));
    const core$ = merge(warm$, notices$, intake$, albums$, ran$, tools$).pipe(share());
    const coreDone$ = core$.pipe(last(null, null));
    const draining$ = sources.drain$.pipe(take(1), map(() => reduce((s) => ({ ...s, draining: true }))), takeUntil(coreDone$));
    // chats.json is a projection of the state: written whenever the chats part changes.
    const chats$ = sources.state$.pipe(
      map((s) => s.chats),
      distinctUntilChanged(),
      skip(1),
      // One tick later, and once for a burst: the fsyncs do not delay the message on its way to the CLI.
      auditTime(0, cfg.scheduler),
      map((chats) => store({ kind: 'chats', chats })),
      takeUntil(coreDone$),
    );
    const menus$ = menuOps$(sources.state$).pipe(map((op) => telegram(op)), takeUntil(coreDone$));
    return merge(core$, draining$, chats$, menus$);
  }).pipe(share());
  // A delivered answer ends its journal entry (answers: <turn id> on its last message). Apart from
  // the rest: outcomes go on after the Telegram sink has completed, until the outbox has flushed.
  const answered$ = sources.outcomes$.pipe(
    mergeMap((o): Effect[] => ((o.op.op === 'send' || o.op.op === 'document') && o.op.answers ? [store({ kind: 'journalRemove', id: o.op.answers }), reduce(without('journaled', [o.op.answers]))] : [])),
    share(),
  );

  const sink = <K extends Effect['to'], T>(to: K, pick: (e: Extract<Effect, { to: K }>) => T, from$: Observable<Effect> = effects$): Observable<T> =>
    from$.pipe(
      filter((e): e is Extract<Effect, { to: K }> => e.to === to),
      map(pick),
    );
  return {
    telegram$: sink('telegram', (e) => e.op),
    claude$: sink('claude', (e) => e.cmd),
    store$: sink('store', (e) => e.write, merge(effects$, answered$)),
    log$: sink('log', (e) => e.line),
    files$: sink('files', (e) => e.req),
    state$: sink('state', (e) => e.reduce, merge(effects$, answered$)),
    workdir$: sink('workdir', (e) => e.req),
    io$: sink('io', (e) => e.req),
  };
}

function updateEffects(u: Update, sources: AppSources, cfg: AppConfig): Observable<Effect> {
  return sources.state$.pipe(
    take(1),
    mergeMap((s): Observable<Effect> => {
      const ref = `u${u.update_id}`;
      const workdir$ = sources.workdir$ ?? NEVER;
      const x = { cfg, s, ref, claude$: sources.claude$, files$: sources.files$, state$: sources.state$, stored$: sources.stored$, workdir$, io$: sources.io$, outcomes$: sources.outcomes$ };
      if ('message' in u) return messageEffects(u.message, x);
      if ('callback_query' in u) {
        return (
          workButtonEffects(u.callback_query, x) ??
          diffPressEffects(u.callback_query, { cfg, io$: sources.io$ ?? NEVER, s }, ref) ??
          voicePressEffects(u.callback_query, x) ??
          from(buttonEffects(u.callback_query, cfg, s))
        );
      }
      if ('stopped_message_generation' in u) return from(draftStopEffects(u.stopped_message_generation, s));
      return from([]);
    }),
    catchError((err: unknown) => of(log(`error handling update ${u.update_id}: ${String(err)}`))),
  );
}
