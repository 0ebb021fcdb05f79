// The in-memory copy of every state file is the truth; disk follows it. A failed write keeps
// memory and marks the file dirty; the next write that succeeds (of any file) writes the dirty
// ones too, so the bot recovers by itself when space returns.
import { dirname } from 'node:path';
import { durableWrite } from './durableWrite.ts';
import { nodeFs, type StoreFs } from './fsOps.ts';
import type { Log, Read } from './readState.ts';
import { failure, OK, type WriteFailure, type WriteResult } from './writeResult.ts';

const serialize = (value: unknown) => JSON.stringify(value, null, 2) + '\n';

export class StateStore {
  private readonly dirty = new Map<string, StateFile<unknown>>();
  private failed: WriteFailure | undefined;
  /** Files saved inside batch(): each is written once when the batch ends. */
  private batching: Map<string, StateFile<unknown>> | undefined;

  constructor(
    readonly log: Log = () => {},
    readonly fs: StoreFs = nodeFs,
  ) {}

  /** True when every file on disk matches memory. */
  get healthy(): boolean {
    return this.dirty.size === 0;
  }

  /** The failure that left the store unhealthy (undefined when healthy). */
  get lastError(): WriteFailure | undefined {
    return this.healthy ? undefined : this.failed;
  }

  /**
   * Runs `fn`, whose saves only mark their files; then writes each of those files once. Many
   * changes of one file in a burst cost one durable write. Returns each file's result by path.
   */
  batch(fn: () => void): Map<string, WriteResult> {
    const files = (this.batching = new Map());
    try {
      fn();
    } finally {
      this.batching = undefined;
    }
    const results = new Map<string, WriteResult>();
    for (const file of files.values()) results.set(file.path, this.write(file));
    return results;
  }

  /** Writes one file from memory, then retries what earlier failures left. */
  write(file: StateFile<unknown>): WriteResult {
    if (this.batching) {
      this.batching.set(file.path, file);
      return OK;
    }
    this.dirty.delete(file.path);
    const r = this.persist(file);
    if (!r.ok) return r;
    this.flush();
    return OK;
  }

  /** Retries every dirty file (each one: one that can never be written blocks no other). */
  flush(): WriteResult {
    let result: WriteResult = OK;
    for (const file of [...this.dirty.values()]) {
      this.dirty.delete(file.path);
      const r = this.persist(file);
      if (!r.ok) result = r;
    }
    if (result.ok && this.failed) {
      this.log(`state: all files written again (recovered from ${this.failed.code})`);
      this.failed = undefined;
    }
    return result;
  }

  /** OK if this file is on disk as in memory, else the failure that keeps it from being there. */
  statusOf(path: string): WriteResult {
    return this.dirty.has(path) && this.failed ? this.failed : OK;
  }

  /** A file held in memory, loaded from `read`; a file repaired on load is written back at once. */
  open<T>(path: string, read: Read<T>, fallback: T, opts: { mkdir?: boolean } = {}): StateFile<T> {
    const file = new StateFile(this, path, read.value ?? fallback, opts.mkdir ?? false);
    if (read.movedAside && read.value !== undefined) file.save();
    return file;
  }

  private persist(file: StateFile<unknown>): WriteResult {
    let r: WriteResult;
    try {
      if (file.mkdir) this.fs.mkdirSync(dirname(file.path), { recursive: true });
      r = durableWrite(file.path, serialize(file.value), this.fs);
    } catch (err) {
      r = failure(err, `the directory of ${file.path}`);
    }
    if (r.ok) return r;
    this.dirty.set(file.path, file);
    // One line per change of cause, not one per write while the disk stays full.
    if (this.failed?.code !== r.code) this.log(`state not saved: ${r.log} (kept in memory; written on the next write that succeeds)`);
    this.failed = r;
    return r;
  }
}

export class StateFile<T> {
  constructor(
    private readonly store: StateStore,
    readonly path: string,
    public value: T,
    readonly mkdir: boolean,
  ) {}

  /** Persists the current value (mutate `value`, then save). */
  save(): WriteResult {
    return this.store.write(this as StateFile<unknown>);
  }

  set(value: T): WriteResult {
    this.value = value;
    return this.save();
  }

  /** OK if disk matches memory for this file. */
  status(): WriteResult {
    return this.store.statusOf(this.path);
  }
}
