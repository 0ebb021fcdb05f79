// A control request to a workspace's live process, and its answer: the control_response with the
// same request id on that process's stdout, or an error when none comes in time.
import { filter, map, merge, mergeMap, of, take, timeout, type Observable } from 'rxjs';
import type { ClaudeOutput } from '../domain/claude.ts';
import { parseCliLine } from '../protocol/cliLine.ts';
import { controlRequestLine } from '../protocol/stdin.ts';
import type { AppConfig } from './config.ts';
import { claude, type Effect } from './effects.ts';

export type ControlAnswer = { ok: true; response: Record<string, unknown> } | { ok: false; error: string };

export function askClaude(
  cfg: AppConfig,
  claude$: Observable<ClaudeOutput>,
  workspace: string,
  requestId: string,
  request: { subtype: string; [k: string]: unknown },
  then: (a: ControlAnswer) => Observable<Effect>,
  before: Effect[] = [],
  timeoutMs = 30_000,
): Observable<Effect> {
  const answer$ = claude$.pipe(
    mergeMap((o): ControlAnswer[] => {
      if (o.kind !== 'proc' || o.workspace !== workspace) return [];
      if (o.out.kind === 'exit') return [{ ok: false, error: 'Claude Code exited before it answered' }];
      if (o.out.kind !== 'stdout') return [];
      const line = parseCliLine(o.out.line);
      if (line.kind !== 'control_response' || line.line.response.request_id !== requestId) return [];
      const r = line.line.response;
      return [r.subtype === 'success' ? { ok: true, response: r.response ?? {} } : { ok: false, error: (r as { error: string }).error }];
    }),
    take(1),
    timeout({ first: timeoutMs, scheduler: cfg.scheduler, with: () => of<ControlAnswer>({ ok: false, error: `Claude Code did not answer within ${timeoutMs / 1000} s` }) }),
    mergeMap(then),
  );
  return merge(answer$, of(...before, claude({ kind: 'write', workspace, line: controlRequestLine(requestId, request) })));
}

/** A plain filter for the driver's `processes` answer. */
export const processesAnswer = (claude$: Observable<ClaudeOutput>, id: string) =>
  claude$.pipe(
    filter((o): o is Extract<ClaudeOutput, { kind: 'processes' }> => o.kind === 'processes' && o.id === id),
    take(1),
    map((o) => o.list),
  );
