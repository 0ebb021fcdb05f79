// One request's life (recorded in `calls`, answered once or abandoned) and the waiters that
// every change wakes, so tests wait on events instead of time.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiCall, FakeStats } from './types.ts';

export type Params = Record<string, unknown>;

/** Returned by a handler that answers later (a held long poll). */
export const PENDING = Symbol('pending');

export interface Exchange {
  call: ApiCall;
  req: IncomingMessage;
  res: ServerResponse;
  done: boolean;
}

export type Handler = (p: Params, ex: Exchange) => unknown;
export type Handlers = Record<string, Handler>;

export class Recorder {
  readonly calls: ApiCall[] = [];
  readonly stats: FakeStats = { tooMany: 0, byMethod: {}, tooManyByMethod: {} };
  private readonly waiters = new Set<() => void>();

  record(method: string, params: Params, at: number): ApiCall {
    const call: ApiCall = { method, params, at, status: 0, response: undefined };
    this.calls.push(call);
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    return call;
  }

  finish(ex: Exchange, status: number, body: Record<string, unknown>): void {
    if (ex.done) return;
    ex.done = true;
    ex.call.status = status;
    ex.call.response = body;
    if (status === 429) {
      this.stats.tooMany += 1;
      this.stats.tooManyByMethod[ex.call.method] = (this.stats.tooManyByMethod[ex.call.method] ?? 0) + 1;
    }
    if (!ex.res.destroyed && !ex.res.writableEnded) {
      ex.res.writeHead(status, { 'content-type': 'application/json' });
      ex.res.end(JSON.stringify(body));
    }
    this.notify();
  }

  /** Marks a request as finished without a response. */
  abandon(ex: Exchange, note: string): void {
    if (ex.done) return;
    ex.done = true;
    ex.call.status = 0;
    ex.call.response = note;
    this.notify();
  }

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the predicate's first truthy value, re-checked after every change. */
  waitFor<T>(pred: () => T | undefined | null | false, timeoutMs: number, describe: (lastError: unknown) => string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let lastError: unknown;
      const attempt = (): boolean => {
        try {
          const value = pred();
          if (value) {
            resolve(value);
            return true;
          }
        } catch (e) {
          lastError = e;
        }
        return false;
      };
      if (attempt()) return;
      const waiter = (): void => {
        if (attempt()) {
          this.waiters.delete(waiter);
          clearTimeout(timer);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(describe(lastError)));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}
