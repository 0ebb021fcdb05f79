// Claude's own pending work in a process, followed from its output: background tasks
// (background_tasks_changed, replace-all), and crons and wakeups (CronCreate / ScheduleWakeup /
// CronDelete tool calls and their results; a wakeup_source lifecycle line when one fires). Pure.
import type { LimitHold } from './usageLimit.ts';

export interface Schedule {
  kind: 'cron' | 'wakeup';
  /** The CLI's job id (crons), or the tool_use id (wakeups). */
  id: string;
  prompt: string;
  cron?: string;
  recurring: boolean;
  /** e.g. "Every minute". */
  human?: string;
  /** Next fire time, epoch ms, when known. */
  at?: number;
}

/** What the previous run persisted of Claude's own work: usage-limit holds and pending schedules. */
export interface SavedWork {
  limits: Record<string, LimitHold>;
  schedules: Record<string, Schedule[]>;
}

export interface ClaudeWork {
  tasks: { id: string; description: string }[];
  schedules: Schedule[];
  /** Schedule tool calls waiting for their result, by tool_use id. */
  calls: Record<string, { name: string; input: Record<string, unknown> }>;
}

export const NO_WORK: ClaudeWork = { tasks: [], schedules: [], calls: {} };

export const hasWork = (w: ClaudeWork | undefined): boolean => !!w && (w.tasks.length > 0 || w.schedules.length > 0);

const SCHEDULE_TOOLS = new Set(['CronCreate', 'ScheduleWakeup', 'CronDelete']);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
/** Epoch ms from a number (s or ms) or an ISO string. */
export function epochMs(v: unknown): number | undefined {
  if (typeof v === 'number' && v > 0) return v < 1e12 ? v * 1000 : v;
  if (typeof v === 'string' && v) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/** The work after one stdout line (already parsed to an object). */
export function workStep(w: ClaudeWork, raw: Record<string, unknown>, now: number): ClaudeWork {
  const type = raw.type;
  if (type === 'system' && raw.subtype === 'background_tasks_changed' && Array.isArray(raw.tasks)) {
    const tasks = raw.tasks.map((t: Record<string, unknown>) => ({ id: String(t.task_id ?? '?'), description: String(t.description ?? t.task_type ?? 'task') }));
    return { ...w, tasks };
  }
  if (type === 'command_lifecycle' && raw.state === 'started' && typeof raw.wakeup_source === 'string') return fired(w, raw.wakeup_source, epochMs(raw.scheduled_for), now);
  const content = (raw.message as { content?: unknown } | undefined)?.content;
  if (!Array.isArray(content) || (raw.parent_tool_use_id ?? null) !== null) return w;
  let next = w;
  for (const b of content as Record<string, unknown>[]) {
    if (type === 'assistant' && b.type === 'tool_use' && SCHEDULE_TOOLS.has(String(b.name))) {
      next = { ...next, calls: { ...next.calls, [String(b.id)]: { name: String(b.name), input: (b.input ?? {}) as Record<string, unknown> } } };
    }
    if (type === 'user' && b.type === 'tool_result' && next.calls[String(b.tool_use_id)]) {
      const id = String(b.tool_use_id);
      const call = next.calls[id]!;
      const { [id]: _done, ...calls } = next.calls;
      next = { ...next, calls };
      if (b.is_error === true) continue;
      next = applyCall(next, id, call, (raw.tool_use_result ?? {}) as Record<string, unknown>, now);
    }
  }
  return next;
}

function applyCall(w: ClaudeWork, toolUseId: string, call: { name: string; input: Record<string, unknown> }, res: Record<string, unknown>, now: number): ClaudeWork {
  const input = call.input;
  if (call.name === 'CronDelete') {
    const id = str(input.id) ?? str(input.job_id);
    return { ...w, schedules: w.schedules.filter((s) => !(s.kind === 'cron' && s.id === id)) };
  }
  if (call.name === 'CronCreate') {
    const s: Schedule = { kind: 'cron', id: str(res.id) ?? toolUseId, prompt: str(input.prompt) ?? '', cron: str(input.cron), recurring: input.recurring !== false && res.recurring !== false, human: str(res.humanSchedule), at: epochMs(res.nextFireAt) };
    return { ...w, schedules: [...w.schedules, s] };
  }
  const delay = typeof input.delaySeconds === 'number' ? input.delaySeconds : 60;
  const s: Schedule = { kind: 'wakeup', id: toolUseId, prompt: str(input.prompt) ?? '', recurring: false, at: epochMs(res.scheduledFor) ?? now + delay * 1000 };
  return { ...w, schedules: [...w.schedules, s] };
}

/** A wakeup (loop_wakeup) or cron (schedule_wakeup) fired: a one-shot one is done. */
function fired(w: ClaudeWork, source: string, at: number | undefined, now: number): ClaudeWork {
  const kind = source === 'loop_wakeup' ? 'wakeup' : 'cron';
  const candidates = w.schedules.filter((s) => s.kind === kind && !s.recurring);
  if (!candidates.length) return w;
  const when = at ?? now;
  const best = candidates.reduce((a, b) => (Math.abs((a.at ?? when) - when) <= Math.abs((b.at ?? when) - when) ? a : b));
  return { ...w, schedules: w.schedules.filter((s) => s !== best) };
}

/** One line per schedule, for /status and notices. */
export function describeSchedule(s: Schedule): string {
  const when = s.at ? ` at ${new Date(s.at).toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  const what = s.kind === 'wakeup' ? `wakeup${when}` : `${s.recurring ? 'recurring' : 'one-shot'} cron "${s.cron ?? '?'}"${s.human ? ` (${s.human})` : ''}${when}`;
  return `${what}: "${s.prompt.length > 60 ? `${s.prompt.slice(0, 60)}…` : s.prompt}"`;
}
