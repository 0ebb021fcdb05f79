// Background task lines (system/task_started, task_updated, task_notification) → progress lines of
// the turn they belong to, shown like tool lines: ⏳ while running, ✅/❌ when done; and
// rate_limit_event lines as data. Pure.
import type { CliLine } from '../protocol/cliLine.ts';
import type { SessionEvent } from './events.ts';

export function taskEvents(cli: CliLine): SessionEvent[] | undefined {
  if (cli.kind === 'unknown' && cli.type === 'rate_limit_event') {
    const info = (cli.raw.rate_limit_info ?? {}) as { status?: unknown; resetsAt?: unknown };
    return [{ kind: 'rate_limit', status: String(info.status ?? 'unknown'), ...(typeof info.resetsAt === 'number' ? { resetsAt: info.resetsAt } : {}) }];
  }
  if (cli.kind !== 'system') return undefined;
  const l = cli.line as Record<string, unknown>;
  const id = `task:${String(l.task_id ?? '?')}`;
  const status = typeof l.status === 'string' ? l.status : (l.patch as { status?: unknown } | undefined)?.status;
  switch (cli.line.subtype) {
    case 'task_started':
      return [{ kind: 'tool_use', id, name: l.is_backgrounded ? 'background task' : 'task', summary: String(l.description ?? l.task_id ?? '') }];
    case 'task_updated':
    case 'task_notification':
      if (status === 'completed') return [{ kind: 'tool_result', toolUseId: id, ok: true, preview: String(l.summary ?? '') }];
      if (status === 'failed' || status === 'stopped' || status === 'killed') return [{ kind: 'tool_result', toolUseId: id, ok: false, preview: String(l.summary ?? status) }];
      return [];
    case 'background_tasks_changed':
      return [];
    default:
      return undefined;
  }
}
