// Conversations Claude Code recorded for a working directory:
// $CLAUDE_CONFIG_DIR (default ~/.claude)/projects/<cwd with every non-alphanumeric as '-'>/<id>.jsonl.
// The transcript format is internal to Claude Code: only the first user prompt is read, leniently.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ConversationInfo } from '../../domain/workdir.ts';

export const cwdSlug = (cwd: string): string => cwd.replace(/[^A-Za-z0-9]/g, '-');

const ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/;

export function conversations(claudeHome: string, cwd: string): ConversationInfo[] {
  const dir = join(claudeHome, 'projects', cwdSlug(cwd));
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: ConversationInfo[] = [];
  for (const n of names) {
    const id = ID.exec(n)?.[1];
    if (!id) continue;
    try {
      const path = join(dir, n);
      out.push({ id, mtimeMs: statSync(path).mtimeMs, firstPrompt: firstPrompt(path) });
    } catch {
      /* vanished meanwhile */
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** The first real user prompt (not a command wrapper or a system note), from the file's head. */
function firstPrompt(path: string): string {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(256 * 1024);
  let n = 0;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  for (const line of buf.subarray(0, n).toString('utf8').split('\n')) {
    let v: { type?: unknown; isMeta?: unknown; message?: { content?: unknown } };
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (v.type !== 'user' || v.isMeta) continue;
    const c = v.message?.content;
    const text = typeof c === 'string' ? c : Array.isArray(c) ? c.map((b) => (b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string' ? (b as { text: string }).text : '')).join(' ') : '';
    const flat = text.replace(/\s+/g, ' ').trim();
    if (flat && !flat.startsWith('<')) return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
  }
  return '';
}
