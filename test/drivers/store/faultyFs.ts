// An injectable StoreFs that fails chosen calls with a chosen errno code, like a full or
// read-only disk would, and otherwise passes through to the real file system.
import { nodeFs, type StoreFs } from '../../../src/drivers/store/index.ts';

export type FsCall = keyof StoreFs;

export function faultyFs() {
  let failing: { code: string; calls: Set<FsCall>; when: (args: unknown[]) => boolean } | undefined;
  const calls: FsCall[] = [];
  const fs = {} as Record<FsCall, (...args: unknown[]) => unknown>;
  for (const name of Object.keys(nodeFs) as FsCall[]) {
    fs[name] = (...args: unknown[]) => {
      calls.push(name);
      if (failing?.calls.has(name) && failing.when(args)) {
        throw Object.assign(new Error(`${failing.code}: injected failure, ${name} '${String(args[0])}'`), { code: failing.code, syscall: name, path: String(args[0]) });
      }
      return (nodeFs[name] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return {
    fs: fs as unknown as StoreFs,
    calls,
    /** From now on, these calls throw `code` (only those whose args match `when`). */
    fail(code: string, names: FsCall[], when: (args: unknown[]) => boolean = () => true) {
      failing = { code, calls: new Set(names), when };
    },
    heal() {
      failing = undefined;
    },
  };
}

/** Every call that writes something: what a full disk can refuse. */
export const WRITE_CALLS: FsCall[] = ['openSync', 'writeSync', 'fsyncSync', 'renameSync', 'mkdirSync'];
