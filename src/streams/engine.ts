// All sessions' turns: one FIFO per session (groupBy + concatMap), sessions in parallel, each
// queue bounded (overflow is refused with a message, never dropped silently).
import { concatMap, connect, filter, finalize, groupBy, map, merge, mergeMap, startWith, type Observable } from 'rxjs';
import type { SessionEvent } from '../domain/events.ts';
import type { Session, TurnRequest } from './session.ts';

export interface TurnEvent {
  req: TurnRequest;
  event: SessionEvent;
}

export function engine$(requests$: Observable<TurnRequest>, sessionFor: (key: string) => Session): Observable<TurnEvent> {
  return requests$.pipe(
    groupBy((req) => req.sessionKey),
    mergeMap((group$) =>
      group$.pipe(
        map((req) => {
          const session = sessionFor(req.sessionKey);
          return { req, session, admitted: session.admit(), generation: session.currentGeneration() };
        }),
        connect((tagged$) =>
          merge(
            tagged$.pipe(
              filter((t) => !t.admitted),
              map((t): TurnEvent => ({
                req: t.req,
                event: { kind: 'failure', reason: 'refused', message: 'Too many messages are waiting for this session; this one was not queued. Wait for the answers, or /stop, then send it again.' },
              })),
            ),
            tagged$.pipe(
              filter((t) => t.admitted),
              concatMap((t) =>
                // 'running' first: the turn is visible (typing, watchdog) even before the CLI prints anything.
                t.session.turn$(t.req, t.generation).pipe(
                  startWith<SessionEvent>({ kind: 'running' }),
                  map((event): TurnEvent => ({ req: t.req, event })),
                  finalize(() => t.session.release()),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

