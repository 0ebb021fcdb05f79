// /model: without a name, the current model and a button per model the CLI offers (its
// `initialize` answer; the process is started for it when none is live); with a name, `set_model`
// on the live process, and the choice kept in chats.json so every later start passes --model.
import { merge, mergeMap, of, take, type Observable } from 'rxjs';
import { encodeWorkButton } from '../domain/callbackData.ts';
import type { Command } from '../domain/commands.ts';
import { chatKeyOf, workspaceKey } from '../domain/turn.ts';
import { nowIso, personaOf } from './config.ts';
import { recordCommands } from './claudeCommand.ts';
import type { CommandContext } from './commands.ts';
import { askClaude, processesAnswer } from './controlRequest.ts';
import { claude, reduce, telegram, type Effect } from './effects.ts';
import { launchOf } from './launch.ts';
import { replyOp } from './reply.ts';
import { chatOf, runtimeOf, withRuntime, type AppState } from './state.ts';
import { messageRef } from '../domain/messageRef.ts';

const say = (x: CommandContext, text: string, replyMarkup?: unknown): Effect =>
  telegram({ ...replyOp(messageRef.reply(x.ref), x.chat, text, x.m.message_id), ...(replyMarkup ? { replyMarkup } : {}) });

type Models = { value: string; label: string }[];

function modelsOf(response: Record<string, unknown>): Models {
  const list = Array.isArray(response.models) ? response.models : [];
  return list.flatMap((m) => {
    const o = m as { value?: unknown; displayName?: unknown };
    return typeof o.value === 'string' ? [{ value: o.value, label: typeof o.displayName === 'string' ? o.displayName : o.value }] : [];
  });
}

const commandNames = (response: Record<string, unknown>): string[] =>
  (Array.isArray(response.commands) ? response.commands : []).flatMap((c) => (typeof (c as { name?: unknown }).name === 'string' ? [(c as { name: string }).name] : []));

/** Sets (or, for "default", clears) the workspace's model choice in its persisted meta. */
const chooseModel = (chatKey: string, name: string, model: string | undefined) => (s: AppState): AppState => {
  const chat = s.chats[chatKey];
  const meta = chat?.sessions[name];
  if (!chat || !meta) return s;
  const { model: _old, ...rest } = meta;
  return { ...s, chats: { ...s.chats, [chatKey]: { ...chat, sessions: { ...chat.sessions, [name]: model ? { ...rest, model } : rest } } } };
};

export function modelEffects(cmd: Extract<Command, { cmd: 'model' }>, x: CommandContext): Observable<Effect> {
  const { cfg, s } = x;
  const chatKey = chatKeyOf(x.chat);
  const c = chatOf(s, chatKey, cfg.defaultPersona, nowIso(cfg));
  const ws = workspaceKey(chatKey, c.active);
  const meta = c.sessions[c.active];
  const rt = runtimeOf(s, ws);
  if (cmd.name) return switchModel(cmd.name, x, chatKey, c.active, ws);
  const current = `Model of session "${c.active}": ${meta?.model ?? personaOf(cfg, meta?.persona).settings.model ?? 'Claude Code default'}${rt.model ? ` (running as ${rt.model})` : ''}.`;
  const show = (models: Models, note = ''): Effect => {
    const buttons = models.flatMap((m) => {
      const data = encodeWorkButton({ kind: 'model', name: m.value });
      return data ? [{ text: `${m.value === (meta?.model ?? 'default') ? '▶️ ' : ''}${m.label}`, callback_data: data }] : [];
    });
    const rows = buttons.reduce<(typeof buttons)[]>((acc, b, i) => (i % 2 ? acc[acc.length - 1]!.push(b) : acc.push([b]), acc), []);
    return say(x, `${current}${note}\n${models.length ? 'Press one to switch, or send /model <name> (an alias or a full model id).' : 'Send /model <name> (an alias such as sonnet, or a full model id) to switch.'}`, rows.length ? { inline_keyboard: rows } : undefined);
  };
  if (rt.models?.length) return of(show(rt.models));
  // The models come from the CLI's initialize answer; start the process for it when none is live.
  const before = [claude({ kind: 'spawn', workspace: ws, launch: launchOf(cfg, s, ws) })];
  return askClaude(cfg, x.claude$, ws, `models:${x.ref}`, { subtype: 'initialize' }, (a) => {
    // No turn holds the process: let its idle timer run.
    const release$ = x.state$.pipe(
      take(1),
      mergeMap((st: AppState): Effect[] => (runtimeOf(st, ws).running ? [] : [claude({ kind: 'hold', workspace: ws, held: false })])),
    );
    if (!a.ok) return merge(of(show([], ` (the list of models is not available: ${a.error})`)), release$);
    const models = modelsOf(a.response);
    const names = commandNames(a.response);
    return merge(
      of(reduce(withRuntime(ws, (r) => ({ ...r, models }))), ...(names.length ? [reduce(recordCommands(ws, names))] : []), show(models)),
      release$,
    );
  }, before);
}

function switchModel(name: string, x: CommandContext, chatKey: string, session: string, ws: string): Observable<Effect> {
  const reset = name === 'default';
  const keep = reduce(chooseModel(chatKey, session, reset ? undefined : name));
  const kept = reset ? 'Back to the default model for this session' : `Model "${name}" is kept for session "${session}" (also after restarts)`;
  const id = `model:${x.ref}`;
  return merge(
    processesAnswer(x.claude$, id).pipe(
      mergeMap((live) => {
        if (!live.some((p) => p.workspace === ws)) return of(keep, say(x, `${kept}; the next message starts Claude Code with it.`));
        return askClaude(x.cfg, x.claude$, ws, `setmodel:${x.ref}`, { subtype: 'set_model', model: name }, (a) =>
          a.ok
            ? of(keep, reduce(withRuntime(ws, (r) => ({ ...r, model: reset ? undefined : name }))), say(x, `${kept}; the running Claude Code switched now.`))
            : of(say(x, `Claude Code refused the model "${name}": ${a.error}. Nothing changed; /model lists the models.`)),
        [], 10_000);
      }),
    ),
    of(claude({ kind: 'processes', id })),
  );
}
