// A turn whose result says Claude Code has no usable login gets one clear message saying what to
// do, at most once per chat per hour (a phone user has no /login).
import { filter, mergeMap, withLatestFrom, type Observable } from 'rxjs';
import type { SessionEvent } from '../domain/events.ts';
import { messageRef } from '../domain/messageRef.ts';
import { chatKeyOf, type Turn } from '../domain/turn.ts';
import type { AppConfig } from './config.ts';
import { log, reduce, type Effect } from './effects.ts';
import { reply } from './reply.ts';
import type { AppState } from './state.ts';

export const LOGIN_REMINDER_MS = 60 * 60_000;

export type AuthProblem = 'not-logged-in' | 'invalid-key' | 'expired';

/** What kind of login problem a result text shows, if any. */
export function authProblem(text: string): AuthProblem | undefined {
  if (/not logged in|please run \/login/i.test(text)) return 'not-logged-in';
  if (/invalid (x-)?api[ _-]?key|invalid bearer token|authentication_error|401/i.test(text) && /key|auth|token/i.test(text)) {
    return /expired/i.test(text) ? 'expired' : 'invalid-key';
  }
  if (/token (has )?expired|oauth token has expired|expired.*token/i.test(text)) return 'expired';
  return undefined;
}

const HOW = 'On the bot\'s machine, run `claude setup-token` and put CLAUDE_CODE_OAUTH_TOKEN=<the token> in the bot\'s .env, or set ANTHROPIC_API_KEY there; then restart the bot.';

export function loginText(p: AuthProblem): string {
  switch (p) {
    case 'not-logged-in':
      return `🔑 Claude Code is not logged in on the bot's machine, so it cannot answer. ${HOW}`;
    case 'invalid-key':
      return `🔑 Claude Code's API key or token was rejected (invalid). ${HOW}`;
    case 'expired':
      return `🔑 Claude Code's login token has expired. ${HOW}`;
  }
}

export function loginEffects(events$: Observable<SessionEvent>, turn: Turn, cfg: AppConfig, state$: Observable<AppState>): Observable<Effect> {
  const chatKey = chatKeyOf(turn.origin.chat);
  return events$.pipe(
    filter((e): e is Extract<SessionEvent, { kind: 'result' }> => e.kind === 'result' && e.isError),
    withLatestFrom(state$),
    mergeMap(([e, s]): Effect[] => {
      const problem = authProblem(e.text);
      if (!problem) return [];
      const now = cfg.scheduler.now();
      const told = s.loginTold[chatKey];
      const line = log(`Claude Code login problem (${problem}) in chat ${chatKey}: ${e.text.slice(0, 200)}`);
      if (told !== undefined && now - told < LOGIN_REMINDER_MS) return [line];
      return [
        line,
        reduce((st) => ({ ...st, loginTold: { ...st.loginTold, [chatKey]: now } })),
        reply(messageRef.reply(`login:${turn.id}`), turn.origin.chat, loginText(problem)),
      ];
    }),
  );
}
