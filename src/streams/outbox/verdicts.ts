// What a failed call means for its job: pure. Telegram's error codes and descriptions decide
// between success after all, a chat-wide hold, a plain-text or send-anew fallback, a retry
// with backoff, or giving up.
import type { ApiCall, ApiError } from '../../domain/telegram.ts';

export type Verdict = 'done' | 'hold' | 'plain' | 'asSend' | 'retry' | 'fail';

const BACKOFF_CAP_MS = 30_000;

/** important: a final answer, which is sent anew rather than lost when it cannot be edited. */
export function verdict(call: ApiCall, error: ApiError, important: boolean): Verdict {
  const text = error.description.toLowerCase();
  const { method } = call;
  if (error.code === 429) return 'hold';
  if (error.code === 400) {
    if (method === 'editMessageText' && text.includes('message is not modified')) return 'done';
    if (method === 'deleteMessage' && text.includes('message to delete not found')) return 'done';
    const textCall = method === 'sendMessage' || method === 'editMessageText';
    if (textCall && text.includes('entit') && 'entities' in call.params) return 'plain';
    // The message is gone (or, for a final answer, cannot be edited): send the content anew.
    if (method === 'editMessageText' && (text.includes('message to edit not found') || important)) return 'asSend';
  }
  if (error.code === 0 || error.code >= 500) return 'retry';
  return 'fail';
}

/** Delay before the retry that follows the n-th failure (n >= 1): doubling, capped at 30 s. */
export function backoff(baseMs: number, failures: number): number {
  return Math.min(BACKOFF_CAP_MS, baseMs * 2 ** (failures - 1));
}

/** Accepts ApiError and the shapes drivers commonly throw (Telegram's error_code, ntba's errorCode). */
export function toApiError(err: unknown): ApiError {
  if (typeof err !== 'object' || err === null) return { code: 0, description: String(err) };
  const e = err as Record<string, unknown>;
  const code = [e['code'], e['errorCode'], e['error_code']].find((c) => typeof c === 'number') as number | undefined;
  const description =
    typeof e['description'] === 'string' ? e['description'] : err instanceof Error ? err.message : JSON.stringify(err);
  const params = e['parameters'] as Record<string, unknown> | undefined;
  const retryAfter = [e['retryAfter'], params?.['retry_after']].find((r) => typeof r === 'number') as number | undefined;
  return { code: code ?? 0, description, ...(retryAfter !== undefined ? { retryAfter } : {}) };
}
