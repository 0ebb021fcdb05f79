// What a failed waitFor says: the predicate, its last error, dropped updates, and the last calls.
import type { Update } from 'node-telegram-bot-api';
import { isObj } from './params.ts';
import type { ApiCall } from './types.ts';
import { updateTypeOf } from './updateQueue.ts';

function describeCall(c: ApiCall): string {
  const p = JSON.stringify(c.params);
  const short = p.length > 160 ? `${p.slice(0, 160)}…` : p;
  const resp = isObj(c.response) && c.response.ok === false ? ` ${String(c.response.description)}` : '';
  return `${c.method} → ${c.status === 0 ? 'pending/no response' : c.status}${resp} ${short}`;
}

export function timeoutMessage(o: {
  pred: () => unknown;
  timeoutMs: number;
  label: string | undefined;
  lastError: unknown;
  calls: ApiCall[];
  dropped: Update[];
}): string {
  const src = o.pred.toString().replace(/\s+/g, ' ');
  const lines = [
    `fakeBotApi.waitFor timed out after ${o.timeoutMs} ms${o.label ? ` waiting for ${o.label}` : ''}: ` +
      `the predicate never returned a truthy value: ${src.length > 200 ? `${src.slice(0, 200)}…` : src}`,
  ];
  if (o.lastError !== undefined) {
    lines.push(`  last error thrown by the predicate: ${o.lastError instanceof Error ? o.lastError.message : String(o.lastError)}`);
  }
  if (o.dropped.length > 0) {
    const types = [...new Set(o.dropped.map(updateTypeOf))].join(', ');
    lines.push(`  note: ${o.dropped.length} injected update(s) were dropped by allowed_updates (${types})`);
  }
  const recent = o.calls.slice(-8);
  lines.push(`  ${o.calls.length} API call(s) so far${recent.length ? '; last ones:' : ''}`);
  for (const c of recent) lines.push(`    ${describeCall(c)}`);
  return lines.join('\n');
}
