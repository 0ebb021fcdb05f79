// The bot's own commands (/new, /sessions, /switch, /persona, /status, /stop, /help) → effects.
import { filter, map, merge, of, take, type Observable } from 'rxjs';
import type { Message } from 'node-telegram-bot-api';
import type { ClaudeOutput, ProcessInfo } from '../domain/claude.ts';
import { HELP_TEXT, type Command } from '../domain/commands.ts';
import { plain } from '../domain/render/entities.ts';
import { joinRendered, styled } from '../domain/render/compose.ts';
import type { ChatRef } from '../domain/telegram.ts';
import { chatKeyOf, workspaceKey } from '../domain/turn.ts';
import { ago, dirOf, nowIso, personaOf, type AppConfig } from './config.ts';
import { claude, reduce, store, type Effect } from './effects.ts';
import { reply } from './reply.ts';
import { chatOf, runtimeOf, withChat, withRuntime, type AppState } from './state.ts';
import { messageRef } from '../domain/messageRef.ts';
import { handoffLines } from './handoff.ts';
import { modelEffects } from './model.ts';
import { newInProjectEffects, projectsEffects } from './projects.ts';
import { resumeEffects } from './resume.ts';
import { worktreeEffects } from './worktree.ts';
import type { WorkdirResult } from '../domain/workdir.ts';
import type { IoResult } from '../domain/io.ts';
import type { Outcome } from '../domain/telegram.ts';
import { getEffects } from './get.ts';
import { workLines } from './workStatus.ts';
import { inviteEffects } from './pairing.ts';

export interface CommandContext {
  cfg: AppConfig;
  s: AppState;
  chat: ChatRef;
  m: Message;
  /** Unique per update: reply refs and request ids derive from it. */
  ref: string;
  claude$: Observable<ClaudeOutput>;
  /** The workdir driver's answers (projects, worktrees, command files, conversations). */
  workdir$: Observable<WorkdirResult>;
  /** The latest state, for answers that arrive later than the command. */
  state$: Observable<AppState>;
  io$?: Observable<IoResult>;
  outcomes$?: Observable<Outcome>;
}

export function commandEffects(cmd: Command, x: CommandContext): Observable<Effect> {
  const { cfg, s, chat, m } = x;
  const chatKey = chatKeyOf(chat);
  const c = chatOf(s, chatKey, cfg.defaultPersona, nowIso(cfg));
  const active = workspaceKey(chatKey, c.active);
  const activePersona = personaOf(cfg, c.sessions[c.active]?.persona);
  const say = (text: Parameters<typeof reply>[2], replyTo?: number) => reply(messageRef.reply(x.ref), chat, text, replyTo);
  const saveChat = (next: typeof c): Effect[] => [reduce(withChat(chatKey, next))];
  switch (cmd.cmd) {
    case 'help':
      return of(say(HELP_TEXT));
    case 'invalid':
      return of(say(cmd.message, m.message_id));
    case 'invite':
      if (m.chat.type !== 'private') return of(say('Send /invite in a private chat with me: everyone here would see the code.', m.message_id));
      return of(...inviteEffects({ cfg, ref: x.ref, chat }, m.message_id));
    case 'new': {
      if (cmd.project !== undefined) return newInProjectEffects({ ...cmd, project: cmd.project }, x);
      let name = cmd.name;
      if (!name) {
        let i = Object.keys(c.sessions).length + 1;
        while (c.sessions[`s${i}`]) i++;
        name = `s${i}`;
      }
      if (c.sessions[name]) return of(say(`A session named "${name}" already exists here. /switch ${name} to use it.`, m.message_id));
      const persona = c.sessions[c.active]?.persona ?? cfg.defaultPersona;
      const next = { active: name, sessions: { ...c.sessions, [name]: { persona, createdAt: nowIso(cfg) } } };
      return of(...saveChat(next), say(`Started session "${name}" (persona ${personaOf(cfg, persona).name}); it is now active. Its files live in its own directory.`));
    }
    case 'sessions': {
      const now = cfg.scheduler.now();
      const lines = Object.entries(c.sessions).map(([name, meta]) => {
        const r = s.runtime[workspaceKey(chatKey, name)];
        const last = r?.lastActivity ?? meta.lastActivity;
        const when = last ? ago(now - last) : 'never used';
        const state = r?.running ? ', busy' : r?.pid ? ', running' : '';
        const where = meta.project ? `, ${meta.project}${meta.branch ? `@${meta.branch}` : ''}` : '';
        return `${name === c.active ? '▶️' : '▫️'} ${name} — ${meta.persona}${where}, ${when}${state}`;
      });
      return of(say(joinRendered([styled('Sessions', 'bold'), plain(lines.join('\n')), plain('/switch <name> to change, /new [name] to add.')])));
    }
    case 'switch':
      if (!c.sessions[cmd.name]) return of(say(`There is no session "${cmd.name}" here. /sessions lists them; /new ${cmd.name} creates it.`, m.message_id));
      return of(...saveChat({ ...c, active: cmd.name }), say(`Now using session "${cmd.name}".`));
    case 'persona': {
      if (!cmd.name) {
        const lines = [...cfg.personas.values()].map((p) => `${p.name === activePersona.name ? '▶️' : '▫️'} ${p.name}${p.description ? ` — ${p.description}` : ''}`);
        return of(say(joinRendered([styled(`Personas (session "${c.active}")`, 'bold'), plain(lines.join('\n')), plain('/persona <name> to change it.')])));
      }
      if (!cfg.personas.has(cmd.name)) return of(say(`There is no persona "${cmd.name}". /persona lists them.`, m.message_id));
      const meta = c.sessions[c.active] ?? { persona: cfg.defaultPersona, createdAt: nowIso(cfg) };
      const next = { ...c, sessions: { ...c.sessions, [c.active]: { ...meta, persona: cmd.name } } };
      // The process has the old flags: end it now, or when the running turn is over.
      const restart: Effect = runtimeOf(s, active).running ? reduce(withRuntime(active, (r) => ({ ...r, restartPending: true }))) : claude({ kind: 'kill', workspace: active });
      return of(
        ...saveChat(next),
        store({ kind: 'persona', dir: dirOf(cfg, active), persona: cmd.name }),
        restart,
        say(`Session "${c.active}" now uses persona "${cmd.name}". The conversation continues; the next message starts Claude Code with its settings.`),
      );
    }
    case 'status': {
      const id = `status:${x.ref}`;
      const answer$ = x.claude$.pipe(
        filter((o): o is Extract<ClaudeOutput, { kind: 'processes' }> => o.kind === 'processes' && o.id === id),
        take(1),
        // In a group, other chats' ids and session names are not its members' business.
        map((o) => say(statusText(x, active, c.active, activePersona.name, activePersona.settings.model, m.chat.type === 'private' ? o.list : o.list.filter((p) => sameChat(p.workspace, chatKey))))),
      );
      return merge(answer$, of(claude({ kind: 'processes', id })));
    }
    case 'stop': {
      const r = runtimeOf(s, active);
      const queued = Math.max(0, r.pending - (r.running ? 1 : 0));
      const effects: Effect[] = [];
      if (cmd.clear) effects.push(reduce(withRuntime(active, (rt) => ({ ...rt, generation: rt.generation + 1 }))));
      // /stop all also lifts a usage-limit hold (the queued messages it held are dropped with the queue).
      if (cmd.clear && r.limit) effects.push(reduce(withRuntime(active, (rt) => ({ ...rt, limit: undefined }))), store({ kind: 'claudeWork', workspace: active, limit: undefined }));
      if (r.running || r.unprompted) effects.push({ to: 'stop', workspace: active });
      effects.push({ to: 'telegram', op: { op: 'cancel', chat, refIncludes: ':final:' } }); // answer chunks still queued go too
      const parts = [r.running || r.unprompted ? 'Stopping the running turn.' : 'Nothing is running.'];
      if (cmd.clear && r.limit) parts.push('The usage-limit hold is cancelled.');
      if (cmd.clear) parts.push(queued ? `Dropped ${queued} queued message${queued === 1 ? '' : 's'}.` : 'The queue was empty.');
      else if (queued) parts.push(`${queued} queued message${queued === 1 ? ' is' : 's are'} kept and will run next (/stop all drops them).`);
      return of(...effects, say(parts.join(' ')));
    }
    case 'projects':
      return projectsEffects(x);
    case 'model':
      return modelEffects(cmd, x);
    case 'resume':
      return resumeEffects(cmd, x);
    case 'worktree':
      return worktreeEffects(cmd, x);
    case 'claude': // intake sends these to Claude Code; here only when one comes another way
      return of(say(`Unknown command /${cmd.name}. /help lists the commands.`, m.message_id));
    case 'get':
      return getEffects(cmd.path, x);
  }
}

const sameChat = (workspace: string, chatKey: string): boolean => {
  const wsChat = workspace.slice(0, workspace.lastIndexOf('/'));
  return wsChat === chatKey || wsChat.split('_')[0] === chatKey.split('_')[0];
};

function statusText(x: CommandContext, workspace: string, name: string, persona: string, personaModel: string | undefined, live: ProcessInfo[]): string {
  const { cfg, s } = x;
  const c = chatOf(s, chatKeyOf(x.chat), cfg.defaultPersona, nowIso(cfg));
  const r = runtimeOf(s, workspace);
  const now = cfg.scheduler.now();
  const mine = live.find((p) => p.workspace === workspace);
  const mib = (b: number) => Math.round(b / 1048576);
  const queued = Math.max(0, r.pending - (r.running ? 1 : 0));
  const last = r.lastResult;
  const lines = [
    `Session: ${name} (persona ${persona})`,
    `Model: ${r.model ?? c.sessions[name]?.model ?? personaModel ?? 'Claude Code default'}`,
    `State: ${r.running ? 'busy' : 'idle'}, ${queued} queued`,
    mine
      ? `Process: pid ${mine.pid}, ${mib(mine.rssBytes)} MiB${!r.running && mine.idleSince ? `, idle for ${ago(now - mine.idleSince).replace(' ago', '')}` : ''}`
      : 'Process: not running (starts with the next message)',
    ...handoffLines(cfg, workspace, c.sessions[name], r.sessionId),
    last ? `Last turn: ${(last.durationMs / 1000).toFixed(1)} s, ${last.turns} turns, $${(last.turnCostUsd ?? last.costUsd).toFixed(4)}${last.isError ? ' (error)' : ''}` : 'Last turn: none yet',
    `Live processes: ${live.length}${cfg.maxLive ? ` of ${cfg.maxLive}` : ''}`,
    ...workLines(r, now),
  ];
  for (const p of live) {
    const busy = p.held || runtimeOf(s, p.workspace).running;
    lines.push(`• ${p.workspace}: pid ${p.pid}, ${mib(p.rssBytes)} MiB, ${busy ? 'busy' : p.idleSince ? `idle ${ago(now - p.idleSince).replace(' ago', '')}` : 'idle'}`);
  }
  return lines.join('\n');
}
