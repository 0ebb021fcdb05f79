// The layer rule, checked on the source: domain and protocol are the bottom; streams and drivers
// build only on them (and on their own layer); the app never touches a driver; nothing but main.ts
// and the drivers does I/O.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const SRC = resolve(import.meta.dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Layer of a src file: its top folder, or 'main' for main.ts. */
const layerOf = (abs: string) => relative(SRC, abs).split('/')[0]!.replace(/\.ts$/, '');

const imports = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);

const ALLOWED: Record<string, string[]> = {
  domain: ['domain', 'protocol'],
  protocol: ['domain', 'protocol'],
  streams: ['domain', 'protocol', 'streams'],
  drivers: ['domain', 'protocol', 'drivers'],
  app: ['domain', 'protocol', 'streams', 'app'],
};
const PURE = ['domain', 'protocol', 'streams', 'app'];

describe('architecture: the import rule', () => {
  const all = files(SRC);

  it('finds the source files', () => {
    expect(all.length).to.be.greaterThan(30);
  });

  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    it(`${layer}/ imports only from ${allowed.join(', ')}`, () => {
      const bad: string[] = [];
      for (const f of all.filter((x) => layerOf(x) === layer)) {
        for (const spec of imports(f).filter((s) => s.startsWith('.'))) {
          const target = layerOf(resolve(dirname(f), spec));
          if (!allowed.includes(target)) bad.push(`${relative(SRC, f)} → ${spec}`);
        }
      }
      expect(bad).to.deep.equal([]);
    });
  }

  it('the pure layers use no node: modules (no I/O)', () => {
    const bad = all.filter((f) => PURE.includes(layerOf(f)) && imports(f).some((s) => s.startsWith('node:'))).map((f) => relative(SRC, f));
    expect(bad).to.deep.equal([]);
  });

  it('nothing imports main.ts', () => {
    const bad = all.filter((f) => imports(f).some((s) => /(^|\/)main\.ts$/.test(s))).map((f) => relative(SRC, f));
    expect(bad).to.deep.equal([]);
  });
});
