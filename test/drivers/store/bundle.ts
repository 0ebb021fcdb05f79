// Children for process tests start in ~50 ms as one bundled .mjs instead of ~1 s through tsx
// (esbuild comes with tsx), which makes a 50-kill loop affordable on a loaded machine.
import { buildSync } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export function bundle(entry: string): { file: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'store-child-'));
  const file = join(dir, basename(entry).replace(/\.ts$/, '.mjs'));
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: file, logLevel: 'error', packages: 'bundle' });
  return { file, dir };
}
