// Request/response with drivers: wait on a source for the answer with the request's id,
// subscribed before the request goes out (merge subscribes in order, and the request is sync).
import { filter, forkJoin, from, merge, mergeMap, of, take, type Observable } from 'rxjs';
import type { WorkdirRequest, WorkdirResult } from '../domain/workdir.ts';
import type { Effect } from './effects.ts';

export function askWorkdir(workdir$: Observable<WorkdirResult>, req: WorkdirRequest, then: (r: WorkdirResult) => Observable<Effect>): Observable<Effect> {
  const answer$ = workdir$.pipe(
    filter((r) => r.id === req.id),
    take(1),
    mergeMap(then),
  );
  return merge(answer$, of<Effect>({ to: 'workdir', req }));
}

// Several at once: the answers are watched before the requests go out (forkJoin subscribes to
// every answer first), then `then` turns them into effects.

export function askAll<T>(requests: Effect[], answers: Observable<T>[], then: (answers: T[]) => Observable<Effect>): Observable<Effect> {
  if (answers.length === 0) return then([]);
  return merge(forkJoin(answers).pipe(mergeMap(then)), from(requests));
}
