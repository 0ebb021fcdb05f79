// Request/response with drivers, several at once: the answers are watched before the requests go
// out (forkJoin subscribes to every answer first), then `then` turns them into effects.
import { forkJoin, from, merge, mergeMap, type Observable } from 'rxjs';
import type { Effect } from './effects.ts';

export function askAll<T>(requests: Effect[], answers: Observable<T>[], then: (answers: T[]) => Observable<Effect>): Observable<Effect> {
  if (answers.length === 0) return then([]);
  return merge(forkJoin(answers).pipe(mergeMap(then)), from(requests));
}
