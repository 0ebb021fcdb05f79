// Before a queued message is written to Claude Code: it waits behind a turn Claude started by
// itself (answered right after it), and behind a usage-limit hold (until the reset time, or until
// /stop all lifts it). The chat is told why it waits and when it goes on.
import { concat, defer, EMPTY, filter, mergeMap, of, race, take, timer, type Observable } from 'rxjs';
import type { Turn } from '../domain/turn.ts';
import { holdNotice } from '../domain/usageLimit.ts';
import type { AppConfig } from './config.ts';
import { reduce, store, type Effect } from './effects.ts';
import { replyOp } from './reply.ts';
import { runtimeOf, withRuntime, type AppState } from './state.ts';

export interface WaitContext {
  cfg: AppConfig;
  state$: Observable<AppState>;
}

/** Effects (notices, the hold's end) and completion once the workspace is free for this turn. */
export function waitFree$(turn: Turn, x: WaitContext, quiet = false, round = 0): Observable<Effect> {
  const ws = turn.workspace;
  const say = (what: string, text: string): Effect => ({ to: 'telegram', op: replyOp(`wait:${turn.id}:${what}:${round}`, turn.origin.chat, text, turn.origin.replyTo) });
  return x.state$.pipe(
    take(1),
    mergeMap((s) => {
      const r = runtimeOf(s, ws);
      const now = x.cfg.scheduler.now();
      if (turn.generation < r.generation) return EMPTY; // dropped by /stop all: the run says so
      if (r.unprompted) {
        const free$ = x.state$.pipe(filter((st) => !runtimeOf(st, ws).unprompted), take(1));
        const note = turn.origin.userId ? [say('busy', '⏳ Claude Code is busy with a turn it started by itself; your message is queued and answered right after it.')] : [];
        return concat(of(...note), free$.pipe(mergeMap(() => waitFree$(turn, x, quiet, round + 1))));
      }
      const hold = r.limit;
      if (!hold) return EMPTY;
      if (hold.until > now) {
        const note = quiet ? [] : [say('limit', holdNotice(hold, now))];
        const lifted$ = x.state$.pipe(filter((st) => runtimeOf(st, ws).limit !== hold || runtimeOf(st, ws).generation > turn.generation), take(1));
        return concat(of(...note), race(timer(hold.until - now, x.cfg.scheduler), lifted$).pipe(take(1), mergeMap(() => waitFree$(turn, x, true, round + 1))));
      }
      // The reset time has come: lift the hold and go on (a limit still in force sets a new one).
      return concat(
        of(
          reduce(withRuntime(ws, (rt) => (rt.limit === hold ? { ...rt, limit: undefined } : rt))),
          store({ kind: 'claudeWork', workspace: ws, limit: undefined }),
          say('resume', `▶️ ${hold.hourly ? 'Retrying after the usage limit (hourly retry)' : 'The usage limit has reset'}: answering your message now.`),
        ),
        defer(() => waitFree$(turn, x, true, round + 1)),
      );
    }),
  );
}

