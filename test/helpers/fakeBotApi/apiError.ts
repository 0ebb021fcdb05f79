// Telegram's error envelope, and the exact descriptions the bot may match on.

export class ApiErr extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

export const bad = (d: string): ApiErr => new ApiErr(400, d.startsWith('Bad Request') ? d : `Bad Request: ${d}`);
export const entityErr = (why: string): ApiErr => bad(`can't parse entities: ${why}`);
export const tooMany = (retryAfter: number): ApiErr =>
  new ApiErr(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

export function errorBody(code: number, description: string, parameters?: object): Record<string, unknown> {
  return parameters ? { ok: false, error_code: code, description, parameters } : { ok: false, error_code: code, description };
}

export const CONFLICT_POLL = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
export const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
