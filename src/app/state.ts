// The app's state, one value folded from reducers (the @cycle/state idea): persisted workspaces,
// each workspace's runtime, open prompts and their button tokens. Handlers read a snapshot and
// return reducers; nothing here is mutated in place.
import type { ClaudeWork, SavedWork, Schedule } from '../domain/claudeWork.ts';
import type { ResultEvent } from '../domain/events.ts';
import type { LimitHold } from '../domain/usageLimit.ts';
import type { ChatRef } from '../domain/telegram.ts';
import { splitWorkspaceKey, type Turn } from '../domain/turn.ts';
import type { Chats, ChatWorkspaces } from '../domain/workspaces.ts';
import type { PendingVoice } from './voice.ts';

export interface Runtime {
  /** Turns accepted and not finished (the running one included). */
  pending: number;
  /** Id of the running turn. */
  running?: string;
  /** Bumped by /stop all: queued turns of an older generation are dropped. */
  generation: number;
  sessionId?: string;
  model?: string;
  lastResult?: ResultEvent;
  pid?: number;
  lastActivity?: number;
  /** Persona changed while a turn ran: end the process when it is over. */
  restartPending?: boolean;
  /** Models the CLI offers (its `initialize` answer), for /model's buttons. */
  models?: { value: string; label: string }[];
  /** Id of the turn Claude Code started by itself, while it runs (user turns wait behind it). */
  unprompted?: string;
  /** Claude's own pending work in the live process: background tasks, crons, wakeups. */
  work?: ClaudeWork;
  /** A usage limit holds this workspace's queue until then. */
  limit?: LimitHold;
  /** A turn was stopped before Claude answered: the next message says it is cancelled. */
  cancelledPrompt?: boolean;
  /** The work tree's fingerprint as the last turn left it (null: not a work tree): the next turn's "before" (Diff button). */
  tree?: { dir: string; fingerprint: string | null };
}

export interface PendingPermission {
  workspace: string;
  turnId: string;
  requestId: string;
  toolName: string;
  input: Record<string, unknown>;
  summary: string;
  chat: ChatRef;
  ref: string;
  /** What "Allow for this session" approves (domain/permissionRules.ts). */
  sessionRules?: string[];
}

export interface PendingStall {
  workspace: string;
  turnId: string;
  chat: ChatRef;
  ref: string;
}

export interface AppState {
  chats: Chats;
  runtime: Record<string, Runtime>;
  permissions: Record<string, PendingPermission>;
  /** workspace → rules allowed for the rest of the session (domain/permissionRules.ts). */
  allowAlways: Record<string, string[]>;
  stalls: Record<string, PendingStall>;
  /** `${chatId}:${draftId}` → workspace of the running turn (the draft's stop button). */
  drafts: Record<string, string>;
  /** Turn ids accepted and not yet answered (the journal): redelivered updates are skipped. */
  journaled: Record<string, true>;
  /** Chats already told that the bot is private. */
  refused: Record<string, true>;
  /** Last button token number of this run. */
  seq: number;
  /** The bot is shutting down: turns that start now end at once (they stay journaled). */
  draining: boolean;
  /** Voice transcripts waiting for Send or Cancel, by button token (VOICE_CONFIRM=1). */
  voices: Record<string, PendingVoice>;
  /** Crons and wakeups the previous run's processes had pending (re-created or reported at start). */
  savedSchedules?: Record<string, Schedule[]>;
  /** Users paired with a code (persisted in SESSIONS_DIR/allowed-users.json), merged with ALLOWED_USER_IDS. */
  allowed: Record<string, true>;
  /** The open pairing code, wrong tries, and the code last used (app/pairing.ts). */
  pairing: Pairing;
  /** chat key → when the chat was last told how to log in (once an hour). */
  loginTold: Record<string, number>;
}

export interface Pairing {
  code?: string;
  /** Wrong tries since the code was made; at 5 the code is replaced. */
  wrong: number;
  /** user id → wrong tries and the time of the last one (per-user rate limit). */
  tries: Record<string, { count: number; last: number }>;
  /** The code that paired the last user (sending it again gets "already paired"). */
  used?: string;
}

export function initialState(chats: Chats, conversations: Record<string, string>, recovered: readonly Turn[], saved?: SavedWork, extra: Partial<AppState> = {}): AppState {
  const runtime: Record<string, Runtime> = {};
  for (const [workspace, sessionId] of Object.entries(conversations)) runtime[workspace] = { ...EMPTY_RUNTIME, sessionId };
  for (const [workspace, limit] of Object.entries(saved?.limits ?? {})) runtime[workspace] = { ...(runtime[workspace] ?? EMPTY_RUNTIME), limit };
  for (const t of recovered) runtime[t.workspace] = { ...(runtime[t.workspace] ?? EMPTY_RUNTIME), pending: (runtime[t.workspace]?.pending ?? 0) + 1 };
  return {
    chats,
    runtime,
    permissions: {},
    allowAlways: {},
    stalls: {},
    drafts: {},
    journaled: Object.fromEntries(recovered.map((t) => [t.id, true as const])),
    refused: {},
    seq: 0,
    draining: false,
    voices: {},
    ...(saved && Object.keys(saved.schedules).length ? { savedSchedules: saved.schedules } : {}),
    allowed: {},
    pairing: { wrong: 0, tries: {} },
    loginTold: {},
    ...extra,
  };
}

export const EMPTY_RUNTIME: Runtime = { pending: 0, generation: 0 };

export const runtimeOf = (s: AppState, workspace: string): Runtime => s.runtime[workspace] ?? EMPTY_RUNTIME;

export const withRuntime = (workspace: string, f: (r: Runtime) => Runtime) => (s: AppState): AppState => ({
  ...s,
  runtime: { ...s.runtime, [workspace]: f(runtimeOf(s, workspace)) },
});

export const withChat = (chatKey: string, c: ChatWorkspaces) => (s: AppState): AppState => ({ ...s, chats: { ...s.chats, [chatKey]: c } });

/** Removes keys from one of the state's records. */
export function without<K extends 'permissions' | 'stalls' | 'drafts' | 'journaled'>(field: K, keys: readonly string[]) {
  return (s: AppState): AppState => {
    if (!keys.some((k) => k in s[field])) return s;
    const next = { ...s[field] } as Record<string, unknown>;
    for (const k of keys) delete next[k];
    return { ...s, [field]: next };
  };
}

export const nextToken = (s: AppState, runId: string): string => `${runId}.${s.seq + 1}`;
export const bumpSeq = (s: AppState): AppState => ({ ...s, seq: s.seq + 1 });

/** The chat's workspaces, with the default one when the chat is new. */
export function chatOf(s: AppState, chatKey: string, defaultPersona: string, nowIso: string): ChatWorkspaces {
  return s.chats[chatKey] ?? { active: 'default', sessions: { default: { persona: defaultPersona, createdAt: nowIso } } };
}

/** The chat key and name of a workspace, with its persisted meta (created if missing). */
export function workspaceMeta(s: AppState, workspace: string, defaultPersona: string, nowIso: string) {
  const { chatKey, name } = splitWorkspaceKey(workspace);
  const chat = chatOf(s, chatKey, defaultPersona, nowIso);
  return { chatKey, name, chat, meta: chat.sessions[name] ?? { persona: defaultPersona, createdAt: nowIso } };
}

/** Nothing to do: no turn pending or running, no question open (the console chat ends at EOF on this). */
export const isIdle = (s: AppState): boolean => Object.values(s.runtime).every((r) => r.pending === 0) && Object.keys(s.permissions).length === 0;
