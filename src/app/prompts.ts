// Prompts a running turn puts in the chat: permission requests (Allow / Deny / Allow for this
// session, denied on timeout, expired when the CLI restarts) and stall alerts (Keep waiting / Stop).
// Their tokens live in the app state only while their turn runs.
import { concat, EMPTY, filter, from, merge, mergeMap, of, take, takeUntil, timer, withLatestFrom, type Observable } from 'rxjs';
import { encodeButton } from '../domain/callbackData.ts';
import { isTerminal, type SessionEvent } from '../domain/events.ts';
import { plain } from '../domain/render/entities.ts';
import { joinRendered, styled } from '../domain/render/compose.ts';
import type { Turn } from '../domain/turn.ts';
import { controlResponseLine } from '../protocol/stdin.ts';
import { stalls$ } from '../streams/watchdog.ts';
import type { AppConfig } from './config.ts';
import { claude, reduce, telegram, type Effect } from './effects.ts';
import { bumpSeq, nextToken, without, type AppState, type PendingPermission } from './state.ts';
import { messageRef } from '../domain/messageRef.ts';
import { allowedByRules, rulesLabel, sessionRules } from '../domain/permissionRules.ts';

type Ask = Extract<SessionEvent, { kind: 'permission_request' }>;

const tokensOf = (record: Record<string, { turnId: string }>, turnId: string) => Object.keys(record).filter((k) => record[k]!.turnId === turnId);

export function permissionEffects(events$: Observable<SessionEvent>, turn: Turn, cfg: AppConfig, state$: Observable<AppState>): Observable<Effect> {
  const ws = turn.workspace;
  const chat = turn.origin.chat;
  const respond = (requestId: string, response: Record<string, unknown>) => claude({ kind: 'write', workspace: ws, line: controlResponseLine(requestId, response) });
  const done$ = events$.pipe(filter(isTerminal));
  const asked$ = events$.pipe(
    filter((e): e is Ask => e.kind === 'permission_request'),
    withLatestFrom(state$),
    mergeMap(([ev, s]): Observable<Effect> => {
      if (allowedByRules(s.allowAlways[ws] ?? [], ev.toolName, ev.input, ev.suggestions)) return of(respond(ev.requestId, { behavior: 'allow', updatedInput: ev.input }));
      const rules = sessionRules(ev.toolName, ev.input, ev.suggestions);
      const token = nextToken(s, cfg.runId);
      const ref = messageRef.permission(token);
      const pending: PendingPermission = { workspace: ws, turnId: turn.id, requestId: ev.requestId, toolName: ev.toolName, input: ev.input, summary: ev.summary, chat, ref, sessionRules: rules };
      const ask = joinRendered([styled('Claude Code asks to use a tool', 'bold'), plain(`${ev.toolName}: ${ev.summary || '(no input)'}`)]);
      const button = (text: string, choice: 'allow' | 'deny' | 'session') => ({ text, callback_data: encodeButton({ kind: 'permission', token, choice }) });
      const keyboard = { inline_keyboard: [[button('✅ Allow', 'allow'), button('❌ Deny', 'deny')], [button(`✅ Allow ${rulesLabel(rules)} for this session`.slice(0, 60), 'session')]] };
      // A button press removes the token; the timer then finds nothing to deny.
      const timeout$ = timer(cfg.permissionTimeoutMs, cfg.scheduler).pipe(
        withLatestFrom(state$),
        filter(([, now]) => token in now.permissions),
        mergeMap(() => {
          const mins = Math.round(cfg.permissionTimeoutMs / 60000);
          return of(
            reduce(without('permissions', [token])),
            respond(ev.requestId, { behavior: 'deny', message: 'No answer in Telegram in time; denied.' }),
            telegram({ op: 'edit', ref, chat, text: `⏱ Denied (no answer within ${mins} min): ${ev.toolName} ${ev.summary}`, replyMarkup: { inline_keyboard: [] } }),
          );
        }),
      );
      return merge(
        of(
          reduce((st) => ({ ...bumpSeq(st), permissions: { ...st.permissions, [token]: pending } })),
          telegram({ op: 'send', ref, chat, text: ask.text, entities: ask.entities, replyMarkup: keyboard, important: true }),
        ),
        timeout$,
      );
    }),
  );
  // A restart of the CLI (status notice) makes open prompts moot: the new process asks again.
  const expired$ = events$.pipe(
    filter((e) => e.kind === 'status'),
    withLatestFrom(state$),
    mergeMap(([, s]) => {
      const tokens = tokensOf(s.permissions, turn.id);
      if (!tokens.length) return EMPTY;
      return from([
        reduce(without('permissions', tokens)),
        ...tokens.map((t) => {
          const p = s.permissions[t]!;
          return telegram({ op: 'edit', ref: p.ref, chat: p.chat, text: `Expired (Claude Code restarted; it asks again if it still needs it): ${p.toolName}`, replyMarkup: { inline_keyboard: [] } });
        }),
      ]);
    }),
  );
  // A prompt still open when the turn ends is moot (the CLI stopped waiting for it): its buttons go.
  const ended$ = state$.pipe(
    take(1),
    mergeMap((s) => {
      const tokens = tokensOf(s.permissions, turn.id);
      return from([
        reduce((st) => without('permissions', tokensOf(st.permissions, turn.id))(st)),
        ...tokens.map((t) => {
          const p = s.permissions[t]!;
          return telegram({ op: 'edit', ref: p.ref, chat: p.chat, text: `Expired (the turn ended before an answer): ${p.toolName}`, replyMarkup: { inline_keyboard: [] } });
        }),
      ]);
    }),
  );
  return concat(merge(asked$, expired$).pipe(takeUntil(done$)), ended$);
}

export function stallEffects(events$: Observable<SessionEvent>, turn: Turn, cfg: AppConfig, state$: Observable<AppState>): Observable<Effect> {
  const chat = turn.origin.chat;
  return concat(
    stalls$(events$, cfg.stallMs, cfg.scheduler).pipe(
      withLatestFrom(state$),
      mergeMap(([silentMs, s]) => {
        const token = nextToken(s, cfg.runId);
        const ref = messageRef.stall(token);
        const button = (text: string, choice: 'wait' | 'stop') => ({ text, callback_data: encodeButton({ kind: 'stall', token, choice }) });
        return of(
          reduce((st) => ({ ...bumpSeq(st), stalls: { ...st.stalls, [token]: { workspace: turn.workspace, turnId: turn.id, chat, ref } } })),
          telegram({ op: 'send', ref, chat, text: `Claude Code has been silent for ${Math.round(silentMs / 60000)} min on this turn.`, replyMarkup: { inline_keyboard: [[button('⏳ Keep waiting', 'wait'), button('⏹ Stop', 'stop')]] } }),
        );
      }),
    ),
    // Buttons of a finished turn must not act on a later one.
    of(reduce((st) => without('stalls', tokensOf(st.stalls, turn.id))(st))),
  );
}
