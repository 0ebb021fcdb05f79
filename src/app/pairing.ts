// Pairing: with no allowlist the bot prints a one-time code in its log; the first user who sends
// it (plain, or as /start <code>) is allowed from then on. Wrong tries are limited per user and the
// code is replaced after 5 of them; /invite makes a new code for someone else.
import { concat, defer, mergeMap, of, take, type Observable } from 'rxjs';
import type { Message } from 'node-telegram-bot-api';
import type { ChatRef } from '../domain/telegram.ts';
import { messageRef } from '../domain/messageRef.ts';
import { isAllowed, pairedUsers, pairingLink } from './access.ts';
import type { AppConfig } from './config.ts';
import { log, reduce, store, type Effect } from './effects.ts';
import { reply } from './reply.ts';
import type { AppState, Pairing } from './state.ts';

export const MAX_WRONG = 5;
/** Per user: after this many wrong tries, wait LOCK_MS after the last one. */
export const USER_TRIES = 3;
export const LOCK_MS = 10 * 60_000;

/**
 * What a user typed, as a code candidate: "/start abcd 2fgh" and "ABCD-2FGH" both give ABCD2FGH.
 * Codes are 8 characters with a digit, so "hello bot" is a message, not a wrong try.
 */
export function codeCandidate(text: string): string | undefined {
  const t = text.trim().replace(/^\/start(@\w+)?\s*/i, '');
  if (!/^[A-Za-z0-9\s-]+$/.test(t)) return undefined;
  const c = t.replace(/[\s-]+/g, '').toUpperCase();
  return /^[A-Z0-9]{8}$/.test(c) && /[0-9]/.test(c) ? c : undefined;
}

// Older clients' forward fields too (forward_from, forward_date), which the typings no longer list.
const forwarded = (m: Message): boolean => {
  const x = m as Message & { forward_from?: unknown; forward_date?: unknown };
  return m.forward_origin !== undefined || x.forward_from !== undefined || x.forward_date !== undefined;
};

export const pairingLogLines = (cfg: AppConfig, code: string): string[] => {
  const link = pairingLink(cfg, code);
  return [`pairing code: ${code}`, ...(link ? [`open ${link} (or send the code to the bot) to pair your Telegram account`] : [])];
};

export interface PairingContext {
  cfg: AppConfig;
  s: AppState;
  ref: string;
  chat: ChatRef;
  state$: Observable<AppState>;
}

/**
 * A message from a user who is not allowed, while a code is open: the right code pairs them,
 * a wrong code-shaped text counts as a try. Undefined when it is no pairing attempt.
 */
export function pairingEffects(m: Message, x: PairingContext): Observable<Effect> | undefined {
  const { cfg, s } = x;
  const userId = m.from?.id;
  const candidate = m.text !== undefined ? codeCandidate(m.text) : undefined;
  if (userId === undefined || !candidate) return undefined;
  const say = (text: string) => reply(messageRef.reply(x.ref), x.chat, text, m.message_id);
  if (candidate === s.pairing.used && candidate !== s.pairing.code) return of(say('That code has already been used: it works once. Ask the bot owner for a new one (/invite).'));
  if (!s.pairing.code) return undefined;
  if (m.chat.type !== 'private') return of(say('Send the pairing code to the bot in a private chat, not in a group.'));
  if (forwarded(m)) return of(log(`pairing: refused a forwarded code from user ${userId}`), say('A forwarded message cannot pair you: type the code yourself.'));
  const now = cfg.scheduler.now();
  const tries = s.pairing.tries[String(userId)];
  if (tries && tries.count >= USER_TRIES && now - tries.last < LOCK_MS) {
    const mins = Math.ceil((LOCK_MS - (now - tries.last)) / 60000);
    return of(say(`Too many wrong codes. Try again in ${mins} min.`));
  }
  if (candidate === s.pairing.code) return claim(m, userId, candidate, x);
  return wrongTry(userId, x, say);
}

/** Exactly one user wins a code: the reducer claims it only if it is still open. */
function claim(m: Message, userId: number, code: string, x: PairingContext): Observable<Effect> {
  const claimIt = reduce((st) =>
    st.pairing.code !== code ? st : { ...st, allowed: { ...st.allowed, [String(userId)]: true }, pairing: { wrong: 0, tries: {}, used: code } },
  );
  const say = (text: string) => reply(messageRef.reply(x.ref), x.chat, text, m.message_id);
  // Read after the claim was folded in: the state says who got the code.
  const verdict$ = defer(() => x.state$.pipe(take(1))).pipe(
    mergeMap((st): Effect[] =>
      isAllowed(x.cfg, st, userId) && st.pairing.used === code
        ? [
            store({ kind: 'allowlist', userIds: pairedUsers(st) }),
            log(`paired user ${userId} (${m.from?.username ?? 'no username'}); the code is used up`),
            say('✅ Paired. You can use this bot now: send a message to start. /help lists the commands; /invite makes a code for someone else.'),
          ]
        : [say('That code has already been used: it works once. Ask the bot owner for a new one (/invite).')],
    ),
  );
  return concat(of(claimIt), verdict$);
}

function wrongTry(userId: number, x: PairingContext, say: (t: string) => Effect): Observable<Effect> {
  const { cfg, s } = x;
  const now = cfg.scheduler.now();
  const prev = s.pairing.tries[String(userId)];
  const count = (prev && now - prev.last < LOCK_MS ? prev.count : 0) + 1;
  const wrong = s.pairing.wrong + 1;
  const rotate = wrong >= MAX_WRONG && cfg.newCode !== undefined;
  const code = s.pairing.code;
  const fresh = rotate ? cfg.newCode!() : undefined;
  const next = (p: Pairing): Pairing =>
    p.code !== code ? p : { ...p, code: fresh ?? p.code, wrong: fresh ? 0 : p.wrong + 1, tries: { ...p.tries, [String(userId)]: { count, last: now } } };
  return of(
    reduce((st) => ({ ...st, pairing: next(st.pairing) })),
    log(`pairing: wrong code from user ${userId} (${count} from this user, ${wrong} in all)`),
    ...(fresh ? [log('pairing: too many wrong codes, the old one no longer works'), ...pairingLogLines(cfg, fresh).map(log)] : []),
    say(count >= USER_TRIES ? `That is not the code. Too many tries: wait ${LOCK_MS / 60000} min.` : 'That is not the pairing code. It is printed in the bot\'s log (terminal) as "pairing code: …".'),
  );
}

/** /invite by an allowed user: a fresh single-use code (the old one stops working). */
export function inviteEffects(x: Pick<PairingContext, 'cfg' | 'ref' | 'chat'>, replyTo: number): Effect[] {
  const code = x.cfg.newCode?.();
  if (!code) return [reply(messageRef.reply(x.ref), x.chat, 'Invites are not available here.', replyTo)];
  const link = pairingLink(x.cfg, code);
  return [
    reduce((st) => ({ ...st, pairing: { ...st.pairing, code, wrong: 0, tries: {} } })),
    log(`invite: a new pairing code was made in chat ${x.chat.chatId}`),
    reply(messageRef.reply(x.ref), x.chat, `Pairing code for one person: ${code}\n${link ? `They open ${link}\nor send` : 'They send'} the code to the bot in a private chat. It works once; a new /invite replaces it.`, replyTo),
  ];
}
