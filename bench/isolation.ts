// Start-up latency the isolation adds: time from spawn (first user message written at once) to the
// CLI's system/init line, and to the first result, for each launcher; 5 interleaved rounds, medians.
// Usage: npm run -s bench:isolation  (real CLI, fake model on 127.0.0.1)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeModel } from '../test/helpers/fakeModel.ts';
import { claudeBin, makeCliEnv, STREAM_JSON_ARGS } from '../test/helpers/cliEnv.ts';
import { bwrapLauncher, directLauncher, installDirOf, userLauncher, type Launcher } from '../src/drivers/claude/launcher.ts';
import { childEnv } from '../src/drivers/claude/process.ts';
import { chownSync, mkdirSync } from 'node:fs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);

async function once(l: Launcher, env: NodeJS.ProcessEnv, cwd: string): Promise<{ init: number; result: number }> {
  const e = l.wrap({ bin: claudeBin(), args: [...STREAM_JSON_ARGS, '--permission-mode', 'acceptEdits'], cwd, env: childEnv(env) });
  const t0 = performance.now();
  const child = spawn(e.bin, e.args, { cwd: e.cwd, env: e.env, uid: e.uid, gid: e.gid, stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.write(JSON.stringify({ type: 'user', message: { role: 'user', content: 'hello' } }) + '\n');
  let init = 0;
  let buf = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      if (!init && buf.includes('"subtype":"init"')) init = performance.now() - t0;
      if (buf.includes('"type":"result"')) {
        const result = performance.now() - t0;
        child.stdin.end();
        child.once('exit', () => resolve({ init, result }));
      }
    });
    child.once('error', reject);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const model = await startFakeModel({});
  const cli = await makeCliEnv(model.url);
  const sessions = mkdtempSync(join(tmpdir(), 'iso-bench-'));
  const cwd = join(sessions, 'chat1', 'default');
  mkdirSync(cwd, { recursive: true });
  const root = process.geteuid?.() === 0;
  const launchers: [string, Launcher][] = [
    ['none', directLauncher],
    ['bwrap', bwrapLauncher({ hide: [sessions], hideFiles: [], showReadOnly: [], root })],
  ];
  if (root) {
    const ucwd = join(sessions, 'chat2', 'default');
    mkdirSync(ucwd, { recursive: true });
    chownSync(ucwd, 10001, 10001);
    const home = mkdtempSync(join(tmpdir(), 'iso-bench-home-'));
    chownSync(home, 10001, 10001);
    launchers.push(['user', { mode: 'user', wrap: (e) => userLauncher(10001, 10001, home, true).wrap({ ...e, cwd: ucwd }) }]);
  }
  void installDirOf;
  const times: Record<string, { init: number[]; result: number[] }> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, l] of launchers) {
      const t = await once(l, cli.env, cwd);
      (times[name] ??= { init: [], result: [] }).init.push(t.init);
      times[name].result.push(t.result);
    }
  }
  for (const [name, t] of Object.entries(times)) {
    console.log(`${name.padEnd(6)} init median ${median(t.init).toFixed(0)} ms (${t.init.map((x) => x.toFixed(0)).join(', ')}); first result median ${median(t.result).toFixed(0)} ms`);
  }
  await model.close();
  await cli.cleanup();
  rmSync(sessions, { recursive: true, force: true });
}
void main();
