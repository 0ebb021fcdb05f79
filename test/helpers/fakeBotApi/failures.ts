// Failure injection: the next N calls of a method (or '*') fail as told, before any handler runs.
import { CONFLICT_POLL, errorBody } from './apiError.ts';
import type { Exchange, Recorder } from './exchange.ts';
import type { FailSpec } from './types.ts';

interface FailEntry {
  method: string;
  spec: FailSpec;
  remaining: number;
}

const STATUS_TEXT: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

export class Failures {
  private readonly entries: FailEntry[] = [];
  /** Requests held without an answer (`timeoutMs`), dropped on close. */
  private readonly held = new Set<{ timer: NodeJS.Timeout; ex: Exchange }>();

  constructor(private readonly rec: Recorder) {}

  failNext(method: string, spec: FailSpec, times = 1): void {
    if (times > 0) this.entries.push({ method: method.toLowerCase(), spec, remaining: times });
  }

  /** Answers `ex` with the injected failure for its method, if one is due; true when it did. */
  apply(ex: Exchange): boolean {
    const spec = this.take(ex.call.method);
    if (!spec) return false;
    if ('timeoutMs' in spec) {
      this.hold(ex, spec.timeoutMs);
      return true;
    }
    switch (spec.status) {
      case 429:
        this.rec.finish(ex, 429, errorBody(429, `Too Many Requests: retry after ${spec.retryAfter}`, { retry_after: spec.retryAfter }));
        break;
      case 409:
        this.rec.finish(ex, 409, errorBody(409, CONFLICT_POLL));
        break;
      case 400:
        this.rec.finish(ex, 400, errorBody(400, spec.description.startsWith('Bad Request') ? spec.description : `Bad Request: ${spec.description}`));
        break;
      default:
        this.rec.finish(ex, spec.status, errorBody(spec.status, STATUS_TEXT[spec.status]!));
    }
    return true;
  }

  close(): void {
    for (const item of this.held) {
      clearTimeout(item.timer);
      this.rec.abandon(item.ex, 'fake closed');
    }
    this.held.clear();
  }

  private take(method: string): FailSpec | undefined {
    const m = method.toLowerCase();
    const idx = this.entries.findIndex((f) => f.method === m || f.method === '*');
    if (idx < 0) return undefined;
    const entry = this.entries[idx]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.entries.splice(idx, 1);
    return entry.spec;
  }

  /** No answer: the connection drops after `ms`, unless the client gives up first. */
  private hold(ex: Exchange, ms: number): void {
    const item = {
      ex,
      timer: setTimeout(() => {
        this.held.delete(item);
        this.rec.abandon(ex, 'injected timeout: connection dropped without a response');
        ex.req.socket.destroy();
      }, ms),
    };
    this.held.add(item);
    ex.res.on('close', () => {
      if (this.held.delete(item)) {
        clearTimeout(item.timer);
        this.rec.abandon(ex, 'injected timeout: client gave up first');
      }
    });
    this.rec.notify();
  }
}
