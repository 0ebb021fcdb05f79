// /projects and sessions in a project: the list with a start button per project, and
// `/new <name> <project>[@<branch>]`, whose working directory the workdir driver resolves (and,
// with a branch, makes a git worktree for).
import { of, type Observable } from 'rxjs';
import { encodeWorkButton } from '../domain/callbackData.ts';
import { SESSION_NAME, type Command } from '../domain/commands.ts';
import { plain } from '../domain/render/entities.ts';
import { joinRendered, styled } from '../domain/render/compose.ts';
import { chatKeyOf } from '../domain/turn.ts';
import type { ProjectInfo } from '../domain/workdir.ts';
import type { ChatWorkspaces } from '../domain/workspaces.ts';
import { askWorkdir } from './ask.ts';
import { nowIso } from './config.ts';
import type { CommandContext } from './commands.ts';
import { reduce, telegram, type Effect } from './effects.ts';
import { replyOp } from './reply.ts';
import { chatOf, type AppState } from './state.ts';
import { messageRef } from '../domain/messageRef.ts';

const say = (x: CommandContext, text: Parameters<typeof replyOp>[2], replyMarkup?: unknown): Effect =>
  telegram({ ...replyOp(messageRef.reply(x.ref), x.chat, text, x.m.message_id), ...(replyMarkup ? { replyMarkup } : {}) });

export function projectsEffects(x: CommandContext): Observable<Effect> {
  return askWorkdir(x.workdir$, { kind: 'projects', id: `projects:${x.ref}` }, (r) => {
    if (!r.ok) return of(say(x, r.message));
    if (r.answer.kind !== 'projects') return of();
    if (!r.answer.configured) return of(say(x, 'No projects are set up. The bot owner sets PROJECTS_DIR (one or more directories, separated by ":"); each directory inside one is a project.'));
    if (!r.answer.projects.length) return of(say(x, 'PROJECTS_DIR holds no project directories yet.'));
    const c = chatOf(x.s, chatKeyOf(x.chat), x.cfg.defaultPersona, nowIso(x.cfg));
    const lines = r.answer.projects.map((p) => projectLine(p, c));
    const buttons = r.answer.projects.flatMap((p) => {
      const data = encodeWorkButton({ kind: 'project', name: p.name });
      return data ? [{ text: `▶️ ${p.name}`, callback_data: data }] : [];
    });
    const rows = buttons.reduce<{ text: string; callback_data: string }[][]>((acc, b, i) => (i % 2 ? acc[acc.length - 1]!.push(b) : acc.push([b]), acc), []);
    const text = joinRendered([styled('Projects', 'bold'), plain(lines.join('\n')), plain('A button starts a session in that project. /new <name> <project>@<branch> gives a session its own git worktree.')]);
    return of(say(x, text, rows.length ? { inline_keyboard: rows } : undefined));
  });
}

function projectLine(p: ProjectInfo, c: ChatWorkspaces): string {
  const git = p.git ? `${p.branch ?? 'no branch'}, ${p.dirty ? 'changes not committed' : 'clean'}` : 'not a git repository';
  const sessions = Object.entries(c.sessions).filter(([, m]) => m.project === p.name).map(([n, m]) => (m.branch ? `${n} (@${m.branch})` : n));
  return `📁 ${p.name} — ${git}${sessions.length ? ` · sessions: ${sessions.join(', ')}` : ''}`;
}

/** A free session name for a project session started by a button. */
function autoName(c: ChatWorkspaces, project: string): string {
  const base = project.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 28) || 'project';
  if (SESSION_NAME.test(base) && !c.sessions[base]) return base;
  for (let i = 2; ; i++) if (!c.sessions[`${base}-${i}`]) return `${base}-${i}`;
}

export function newInProjectEffects(cmd: Extract<Command, { cmd: 'new' }> & { project: string }, x: CommandContext): Observable<Effect> {
  const chatKey = chatKeyOf(x.chat);
  const c = chatOf(x.s, chatKey, x.cfg.defaultPersona, nowIso(x.cfg));
  if (cmd.name && c.sessions[cmd.name]) return of(say(x, `A session named "${cmd.name}" already exists here. /switch ${cmd.name} to use it.`));
  const req = { kind: 'open' as const, id: `open:${x.ref}`, project: cmd.project, ...(cmd.branch !== undefined ? { branch: cmd.branch } : {}) };
  return askWorkdir(x.workdir$, req, (r) => {
    if (!r.ok) return of(say(x, r.message));
    if (r.answer.kind !== 'opened') return of();
    const a = r.answer;
    const name = cmd.name ?? autoName(c, a.project);
    const createdAt = nowIso(x.cfg);
    // Applied to the state of that moment: the chat may have changed while git worked.
    const create = reduce((st: AppState): AppState => {
      const now = chatOf(st, chatKey, x.cfg.defaultPersona, createdAt);
      const persona = now.sessions[now.active]?.persona ?? x.cfg.defaultPersona;
      const meta = { persona, createdAt, cwd: a.cwd, project: a.project, ...(a.branch ? { branch: a.branch } : {}) };
      return { ...st, chats: { ...st.chats, [chatKey]: { active: name, sessions: { ...now.sessions, [name]: meta } } } };
    });
    const where = a.branch
      ? `project ${a.project}, branch ${a.branch} in ${a.worktree === 'reused' ? 'its existing worktree' : a.worktree === 'new-branch' ? 'a new worktree (a new branch from HEAD)' : 'a new worktree'}`
      : `project ${a.project}`;
    return of(create, say(x, `Started session "${name}" in ${where}; it is now active.\nClaude Code works in ${a.cwd}. Files you send are kept in the session's own folder, not in the project.`));
  });
}
