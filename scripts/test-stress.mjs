// npm run test:stress: the whole `npm test`, RUNS times (default 5), while two busy loops keep
// both cores of a 2-core machine loaded (BUSY_LOOPS to change). Reports each run's failures and
// exits non-zero if any run failed. Not part of npm test.
import { spawn } from 'node:child_process';

const runs = Number(process.env.RUNS ?? 5);
const loops = Number(process.env.BUSY_LOOPS ?? 2);
const busy = Array.from({ length: loops }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
);
const stopBusy = () => {
  for (const b of busy) if (b.exitCode === null && b.signalCode === null) b.kill('SIGKILL');
};
process.on('exit', stopBusy);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

function runOnce(i) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', ['test', '--silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const passing = /(\d+) passing/.exec(out)?.[1] ?? '?';
      const failing = Number(/(\d+) failing/.exec(out)?.[1] ?? (code === 0 ? 0 : 1));
      // mocha's summary lists each failure as "  N) suite … title"; keep those lines.
      const titles = out.split('\n').filter((l) => /^\s+\d+\) /.test(l)).slice(0, 40);
      console.log(`run ${i}: exit ${code}, ${passing} passing, ${failing} failing, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      for (const t of titles) console.log(`   ${t.trim()}`);
      resolve(failing);
    });
  });
}

console.log(`test:stress: ${runs} runs of npm test with ${loops} busy loop(s)`);
let failures = 0;
for (let i = 1; i <= runs; i++) failures += await runOnce(i);
stopBusy();
console.log(`test:stress: ${failures} failure(s) in ${runs} runs`);
process.exit(failures ? 1 : 0);
