// Failed writes are values: a code, a text fit for users (no server paths) and one for the log.

export type WriteFailure = { ok: false; code: string; message: string; log: string };
export type WriteResult = { ok: true } | WriteFailure;

export const OK: WriteResult = Object.freeze({ ok: true });

const USER_TEXT: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the disk is read-only',
  EACCES: 'the bot may not write there (permission denied)',
  EPERM: 'the bot may not write there (operation not permitted)',
  EIO: 'the disk reported an I/O error',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open',
  ENOENT: 'the directory is missing',
  ENOTDIR: 'a path component is not a directory',
};

export const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
};

/** What a user may be told about an fs error code: never a path. */
export const userText = (code: string): string => USER_TEXT[code] ?? `a file system error (${code})`;

/** An fs error as a WriteFailure; `what` names the file for the log only. */
export function failure(err: unknown, what: string): WriteFailure {
  const code = codeOf(err);
  const detail = err instanceof Error ? err.message : String(err);
  return { ok: false, code, message: userText(code), log: `writing ${what} failed: ${detail}` };
}

/** A system error (it carries an errno code and a syscall), whose message names server paths. */
export const isSystemError = (err: unknown): boolean =>
  typeof (err as { code?: unknown } | null)?.code === 'string' && typeof (err as { syscall?: unknown }).syscall === 'string';
