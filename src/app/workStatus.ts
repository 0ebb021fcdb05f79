// /status lines for Claude's own work in a workspace: background tasks, crons and wakeups (they
// keep its process alive), a turn it runs by itself, and a usage-limit hold.
import { describeSchedule } from '../domain/claudeWork.ts';
import type { Runtime } from './state.ts';

export function workLines(r: Runtime, now: number): string[] {
  const out: string[] = [];
  if (r.unprompted) out.push('Running a turn Claude Code started by itself');
  const tasks = r.work?.tasks ?? [];
  if (tasks.length) out.push(`Background tasks (keep the process alive): ${tasks.map((t) => `${t.description} (${t.id})`).join(', ')}`);
  for (const s of r.work?.schedules ?? []) out.push(`Scheduled (keeps the process alive): ${describeSchedule(s)}`);
  if (r.limit) {
    const mins = Math.max(0, Math.round((r.limit.until - now) / 60_000));
    out.push(`Usage limit: queue on hold until ${new Date(r.limit.until).toISOString().slice(11, 16)} UTC (in ${mins} min)${r.limit.hourly ? ', retrying hourly' : ''}; /stop all cancels`);
  }
  return out;
}
