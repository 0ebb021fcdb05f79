// Request/response with a driver: wait on its source for the answer with the request's id,
// subscribed before the request goes out (merge subscribes in order, and the request is sync).
import { filter, merge, mergeMap, of, take, type Observable } from 'rxjs';
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
