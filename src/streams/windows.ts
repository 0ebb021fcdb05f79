// Tags every line of a workspace's process output with the turn (window) it belongs to, so a
// result is never attributed to the wrong turn: a user turn opens with command_lifecycle
// `started` for its message's uuid and closes with its result; a turn the CLI starts by itself
// (a wakeup's `started` with wakeup_source, or lines with no started before them) is an `auto` window.
import { defer, map, type OperatorFunction } from 'rxjs';
import type { ClaudeOutput, ProcOut } from '../domain/claude.ts';
import type { WindowCause, WindowOwner, WindowTag } from '../domain/window.ts';

export interface WindowState {
  /** The CLI reports command_lifecycle (2.1.x with msg_lifecycle_v1): unprompted turns are recognisable. */
  lifecycle: boolean;
  open?: WindowOwner;
  /** A task notification seen between turns: the cause of the turn the CLI starts next. */
  pendingCause?: WindowCause;
  seq: number;
}

export const initialWindowState = (): WindowState => ({ lifecycle: false, seq: 0 });

// Lines that only occur inside a model turn: with no window open, they open one. Not `user`: between
// turns it is a note the CLI writes into the transcript (set_model's `<local-command-stdout>Set
// model to …`), with no result ever closing it.
const TURN_LINES = new Set(['assistant', 'stream_event', 'result', 'control_request']);
const TURN_SYSTEM = new Set(['init', 'api_retry', 'status', 'thinking_tokens', 'compact_boundary', 'permission_denied']);

// Without lifecycle lines nothing marks where turns begin: every line goes to the waiting user turn.
const between = (s: WindowState): WindowOwner | undefined => s.open ?? (s.lifecycle || s.pendingCause ? undefined : { kind: 'user' });

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** One step: the tag of `line` and the state after it. Pure. */
export function windowStep(s: WindowState, line: string, workspace = ''): [WindowState, WindowTag] {
  let raw: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(line);
    if (!v || typeof v !== 'object' || Array.isArray(v)) return [s, { owner: between(s) }];
    raw = v as Record<string, unknown>;
  } catch {
    return [s, { owner: between(s) }];
  }
  const type = str(raw.type);
  const subtype = str(raw.subtype);
  const newAuto = (st: WindowState, cause: WindowCause): [WindowState, WindowOwner] => {
    const id = `${workspace}#${st.seq + 1}`;
    return [{ ...st, seq: st.seq + 1 }, { kind: 'auto', id, cause }];
  };

  if (type === 'command_lifecycle') {
    const state = str(raw.state) ?? '';
    const uuid = str(raw.command_uuid);
    const wake = str(raw.wakeup_source);
    const next = { ...s, lifecycle: true };
    if (state === 'started') {
      if (wake) {
        const scheduledFor = typeof raw.scheduled_for === 'number' ? raw.scheduled_for : undefined;
        const [st, owner] = newAuto(next, { kind: 'wakeup', source: wake, ...(scheduledFor !== undefined ? { scheduledFor } : {}) });
        return [{ ...st, open: owner, pendingCause: undefined }, { owner, opens: true, lifecycle: state }];
      }
      const owner: WindowOwner = { kind: 'user', uuid };
      return [{ ...next, open: owner }, { owner, opens: true, lifecycle: state }];
    }
    // queued / completed / cancelled: bookkeeping of that command, no window change.
    return [next, { owner: wake ? s.open : { kind: 'user', uuid }, lifecycle: state }];
  }

  if (type === 'system' && subtype === 'task_notification' && !s.open) {
    const summary = str(raw.summary) ?? `task ${str(raw.task_id) ?? '?'} ${str(raw.status) ?? 'ended'}`;
    return [{ ...s, pendingCause: { kind: 'task', summary, taskId: str(raw.task_id) } }, {}];
  }

  const opensTurn = TURN_LINES.has(type ?? '') || (type === 'system' && TURN_SYSTEM.has(subtype ?? ''));
  let st = s;
  let owner = between(s);
  let opens = false;
  if (!s.open && opensTurn) {
    opens = true;
    if (s.lifecycle || s.pendingCause) [st, owner] = newAuto(s, s.pendingCause ?? { kind: 'unknown' });
    else owner = { kind: 'user' };
    st = { ...st, open: owner, pendingCause: undefined };
  }
  if (type === 'result') {
    // The result names its user message: trust it over the open window (merged sends, late lines).
    const uuids = Array.isArray(raw.user_message_uuids) ? raw.user_message_uuids.filter((u): u is string => typeof u === 'string') : [];
    const named = str(raw.user_message_uuid) ?? uuids[0];
    if (named && owner?.kind === 'user' && !owner.uuid) owner = { kind: 'user', uuid: named };
    const origin = raw.origin as { kind?: unknown } | undefined;
    if (owner?.kind === 'auto' && owner.cause.kind === 'unknown' && origin?.kind === 'task-notification') owner = { ...owner, cause: { kind: 'task', summary: 'a background task' } };
    return [{ ...st, open: undefined }, { owner, opens, closes: true }];
  }
  return [st, { owner, ...(opens ? { opens } : {}) }];
}

/** Tags the stdout lines of every workspace's process; a new process starts a fresh state. */
export function tagWindows(): OperatorFunction<ClaudeOutput, ClaudeOutput> {
  return (src$) => defer(() => {
    const states = new Map<string, WindowState>();
    return src$.pipe(map((o) => {
    if (o.kind !== 'proc') return o;
    const out: ProcOut = o.out;
    if (out.kind === 'spawned' || out.kind === 'exit') {
      states.set(o.workspace, { ...initialWindowState(), seq: states.get(o.workspace)?.seq ?? 0 });
      return o;
    }
    if (out.kind !== 'stdout' || out.window) return o;
    const [next, window] = windowStep(states.get(o.workspace) ?? initialWindowState(), out.line, o.workspace);
    states.set(o.workspace, next);
    return { ...o, out: { ...out, window } };
    }));
  });
}
