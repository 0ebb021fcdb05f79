// Who may use the bot: ALLOWED_USER_IDS merged with the users paired by code (app state).
import type { AppConfig } from './config.ts';
import type { AppState } from './state.ts';

export const isAllowed = (cfg: AppConfig, s: AppState, userId: number | undefined): boolean =>
  userId !== undefined && (cfg.allowedUserIds.has(userId) || s.allowed[String(userId)] === true);

/** Every allowed user (for the allowlist file: only the paired ones are written). */
export const pairedUsers = (s: AppState): number[] => Object.keys(s.allowed).map(Number).sort((a, b) => a - b);

/** The t.me link that opens the bot with the code as /start payload. */
export const pairingLink = (cfg: AppConfig, code: string): string => (cfg.botUsername ? `https://t.me/${cfg.botUsername}?start=${code}` : '');
