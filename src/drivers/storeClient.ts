// The bot's side of the state writer: StoreWrites go to a worker thread (storeWorker.ts) so that
// no fsync ever blocks the event loop; their StoreResults come back, in order, on results$.
import { Worker } from 'node:worker_threads';
import { Subject } from 'rxjs';
import type { StoreResult, StoreWrite } from '../domain/store.ts';
import type { ToWorker } from './storeWorker.ts';

export class StoreClient {
  readonly results$ = new Subject<StoreResult>();
  private readonly worker: Worker;
  private pending = 0;
  private drained: (() => void)[] = [];

  constructor(sessionsDir: string, log: (line: string) => void, onFatal: (err: Error) => void) {
    this.worker = new Worker(new URL('./storeWorker.mjs', import.meta.url), { workerData: { sessionsDir } });
    this.worker.on('message', (m: { log?: string; results?: StoreResult[] }) => {
      if (m.log) log(m.log);
      for (const r of m.results ?? []) {
        this.pending--;
        this.results$.next(r);
      }
      if (this.pending === 0) for (const done of this.drained.splice(0)) done();
    });
    this.worker.on('error', (err) => onFatal(new Error(`the state writer failed: ${err.message}`)));
  }

  write(w: StoreWrite): void {
    this.pending++;
    this.post({ write: w });
  }

  /** An update arrived from Telegram (before the app takes it in): its offset is not saved past it. */
  taking(updateId: number): void {
    this.post({ taking: updateId });
  }

  flushIfUnhealthy(): void {
    this.post({ flush: true });
  }

  /** Resolves once every write is on disk (or failed), then stops the thread. */
  async close(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((r) => this.drained.push(r));
    this.results$.complete();
    await this.worker.terminate();
  }

  private post(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}
