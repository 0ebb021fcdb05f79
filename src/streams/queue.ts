// One FIFO per workspace, workspaces in parallel: groupBy + concatMap. Admission (the bound on a
// queue) is decided before, from the app state; items marked `refused` bypass the queue.
import { concatMap, filter, groupBy, merge, mergeMap, share, type Observable } from 'rxjs';

export function perWorkspace$<T extends { workspace: string }, R>(
  items$: Observable<{ item: T; refused?: boolean }>,
  run: (item: T) => Observable<R>,
  refuse: (item: T) => Observable<R>,
): Observable<R> {
  return items$.pipe(
    groupBy((x) => x.item.workspace),
    mergeMap((group$) => {
      const g$ = group$.pipe(share());
      return merge(g$.pipe(filter((x) => !!x.refused), mergeMap((x) => refuse(x.item))), g$.pipe(filter((x) => !x.refused), concatMap((x) => run(x.item))));
    }),
  );
}
