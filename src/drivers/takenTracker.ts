// Which updates the app has taken in (journaled or answered). The poller confirms a batch to
// Telegram (by asking for the next one) only then, so a bot killed before journaling gets them again.
export function takenTracker() {
  const done = new Set<number>();
  const waiters: { ids: number[]; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (!w.ids.every((id) => done.has(id))) continue;
      for (const id of w.ids) done.delete(id);
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    done(id: number): void {
      done.add(id);
      check();
    },
    wait: (ids: number[]): Promise<void> =>
      new Promise<void>((resolve) => {
        waiters.push({ ids, resolve });
        check();
      }),
  };
}
