// Reading state files: a file that cannot be read, parsed or validated is moved aside to
// `<name>.corrupt-<time>` (kept for a human) and logged; collections keep their valid entries.
import type { z } from 'zod';
import { nodeFs, type StoreFs } from './fsOps.ts';
import { codeOf } from './writeResult.ts';

export type Log = (msg: string) => void;
/** value: what was kept (undefined: nothing); movedAside: the file on disk no longer holds it. */
export type Read<T> = { value: T | undefined; movedAside: boolean };
export type EntryCheck<T> = { ok: true; value: T } | { ok: false; why: string };

export const issuesText = (error: z.ZodError): string =>
  error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');

export function moveAside(path: string, why: string, log: Log, fs: StoreFs = nodeFs): void {
  const aside = `${path}.corrupt-${new Date().toISOString().replace(/:/g, '')}`;
  try {
    fs.renameSync(path, aside);
    log(`state file ${path} ${why}; moved it aside to ${aside}`);
  } catch (err) {
    log(`state file ${path} ${why}; could not move it aside (${codeOf(err)}), it will be overwritten`);
  }
}

/** The parsed JSON of a file; missing → undefined; unreadable or not JSON → moved aside. */
function readJsonFile(path: string, log: Log, fs: StoreFs): { json?: unknown; found: boolean } {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return { found: false };
    moveAside(path, `could not be read (${codeOf(err)})`, log, fs);
    return { found: false };
  }
  try {
    return { json: JSON.parse(text), found: true };
  } catch (err) {
    moveAside(path, `is not valid JSON (${(err as Error).message}, ${text.length} bytes)`, log, fs);
    return { found: false };
  }
}

/** A whole-file value validated by `schema`. */
export function readState<T>(path: string, schema: z.ZodType<T>, log: Log, fs: StoreFs = nodeFs): Read<T> {
  const { json, found } = readJsonFile(path, log, fs);
  if (!found) return { value: undefined, movedAside: false };
  const r = schema.safeParse(json);
  if (r.success) return { value: r.data, movedAside: false };
  moveAside(path, `failed validation (${issuesText(r.error)})`, log, fs);
  return { value: undefined, movedAside: true };
}

/**
 * A collection validated entry by entry: a JSON array (`kind: 'array'`) or object
 * (`'record'`). Each dropped entry is logged; if any was dropped, the file is moved aside and
 * `movedAside` tells the caller to write the kept entries back.
 */
export function readEntries<T>(path: string, kind: 'array', check: (raw: unknown, key: string) => EntryCheck<T>, log: Log, fs?: StoreFs): Read<T[]>;
export function readEntries<T>(path: string, kind: 'record', check: (raw: unknown, key: string) => EntryCheck<T>, log: Log, fs?: StoreFs): Read<Record<string, T>>;
export function readEntries<T>(
  path: string,
  kind: 'array' | 'record',
  check: (raw: unknown, key: string) => EntryCheck<T>,
  log: Log,
  fs: StoreFs = nodeFs,
): Read<T[] | Record<string, T>> {
  const { json, found } = readJsonFile(path, log, fs);
  if (!found) return { value: undefined, movedAside: false };
  const isArray = Array.isArray(json);
  if (kind === 'array' ? !isArray : json === null || typeof json !== 'object' || isArray) {
    moveAside(path, `is not a JSON ${kind === 'array' ? 'array' : 'object'}`, log, fs);
    return { value: undefined, movedAside: true };
  }
  const pairs: [string, unknown][] = isArray ? (json as unknown[]).map((v, i) => [String(i), v]) : Object.entries(json as object);
  const kept: [string, T][] = [];
  const dropped: string[] = [];
  for (const [key, raw] of pairs) {
    const c = check(raw, key);
    if (c.ok) kept.push([key, c.value]);
    else {
      dropped.push(key);
      // Not the entry itself (it may hold a user's prompt): the moved-aside file keeps it.
      const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? ` id ${(raw as { id: string }).id}` : '';
      log(`state file ${path}: dropped ${kind === 'array' ? 'entry' : 'key'} ${key}${id} (${c.why})`);
    }
  }
  const value = kind === 'array' ? kept.map(([, v]) => v) : Object.fromEntries(kept);
  if (!dropped.length) return { value, movedAside: false };
  moveAside(path, `had ${dropped.length} invalid ${kind === 'array' ? 'entries' : 'keys'} of ${pairs.length} (kept the others)`, log, fs);
  return { value, movedAside: true };
}

/** An EntryCheck from a zod schema. */
export const bySchema =
  <T>(schema: z.ZodType<T>) =>
  (raw: unknown): EntryCheck<T> => {
    const r = schema.safeParse(raw);
    return r.success ? { ok: true, value: r.data } : { ok: false, why: issuesText(r.error) };
  };
