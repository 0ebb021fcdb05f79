// /get <path>: a file from the active session's directory goes to the chat (a photo or a
// document, through the outbox); a directory answers with its listing. The real path must stay
// inside the session's directory: `..` and symlinks that lead out are refused.
import { filter, map, merge, of, take, type Observable } from 'rxjs';
import { formatBytes, UPLOAD_MAX_BYTES, uploadKind, type DirEntry, type IoResult } from '../domain/io.ts';
import { messageRef } from '../domain/messageRef.ts';
import { plain } from '../domain/render/entities.ts';
import { joinRendered, styled } from '../domain/render/compose.ts';
import type { Outcome } from '../domain/telegram.ts';
import { workspaceKey, chatKeyOf } from '../domain/turn.ts';
import { askAll } from './ask.ts';
import type { CommandContext } from './commands.ts';
import { dirOf, nowIso } from './config.ts';
import { io, telegram, type Effect } from './effects.ts';
import { launchOf } from './launch.ts';
import { reply } from './reply.ts';
import { chatOf } from './state.ts';

const LISTED = 60;

export function getEffects(path: string, x: CommandContext): Observable<Effect> {
  const { cfg, chat, m } = x;
  const chatKey = chatKeyOf(chat);
  const c = chatOf(x.s, chatKey, cfg.defaultPersona, nowIso(cfg));
  const ws = workspaceKey(chatKey, c.active);
  // The session's working directory (a project or worktree) and its own folder (files sent to it).
  const dir = launchOf(cfg, x.s, ws).dir;
  const roots = [...new Set([dir, dirOf(cfg, ws)])];
  const ref = messageRef.reply(x.ref);
  const say = (text: Parameters<typeof reply>[2]) => reply(ref, chat, text, m.message_id);
  const id = `get:${x.ref}`;
  const answer$ = (x.io$ ?? of()).pipe(filter((r): r is Extract<IoResult, { kind: 'look' }> => r.kind === 'look' && r.id === id), take(1));
  return askAll([io({ kind: 'look', id, path, base: dir, roots })], [answer$], ([r]): Observable<Effect> => {
    const f = r!.result;
    if (f.kind === 'error') return of(say(`⚠️ ${f.message}`));
    if (f.kind === 'dir') return of(say(listing(path, f.entries)));
    if (f.bytes === 0) return of(say(`⚠️ ${f.name} is empty (0 bytes); Telegram does not send empty files.`));
    if (f.bytes > UPLOAD_MAX_BYTES) return of(say(`⚠️ ${f.name} is ${formatBytes(f.bytes)}; Telegram lets bots send files up to 50 MB.`));
    // A file removed before its turn in the outbox: the upload fails, and the user hears why.
    const failed$ = (x.outcomes$ ?? of<Outcome>()).pipe(
      filter((o) => o.op.op === 'upload' && o.op.ref === ref),
      take(1),
      filter((o) => !o.ok),
      map((o) => reply(`${ref}:failed`, chat, `⚠️ Could not send ${f.name}: ${o.error?.description ?? 'Telegram refused it'}.`, m.message_id)),
    );
    return merge(failed$, of(telegram({ op: 'upload', ref, chat, as: uploadKind(f.name, f.bytes), path: f.path, fileName: f.name, replyTo: m.message_id })));
  });
}

function listing(path: string, entries: DirEntry[]) {
  if (entries.length === 0) return `${path} is an empty directory.`;
  const shown = entries.slice(0, LISTED).map((e) => (e.dir ? `📁 ${e.name}/` : `📄 ${e.name} — ${formatBytes(e.bytes)}`));
  const more = entries.length > LISTED ? [plain(`… and ${entries.length - LISTED} more`)] : [];
  return joinRendered([styled(`${path === '.' ? 'Session directory' : path}:`, 'bold'), plain(shown.join('\n')), ...more]);
}
