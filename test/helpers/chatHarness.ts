// Runs the console chat exactly as `npm run chat` does (node --import tsx src/chat.ts), its stdin a
// pipe, against the real CLI and the fake model. No Telegram anywhere.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeBin, makeCliEnv, REPO_ROOT } from './cliEnv.ts';
import type { FakeModel } from './fakeModel.ts';

const TSX_LOADER = import.meta.resolve('tsx');

export interface ChatRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Writes `lines` (each after the output matched `waitFor[i]`, if given), closes stdin, waits for exit. */
export async function runChat(model: FakeModel, lines: string[], opts: { sessionsDir?: string; env?: Record<string, string>; home?: string; keepHome?: boolean; timeoutMs?: number; sigintWhen?: RegExp } = {}): Promise<ChatRun & { sessionsDir: string; home: string }> {
  const sessionsDir = opts.sessionsDir ?? (await mkdtemp(join(tmpdir(), 'chat-sessions-')));
  const cwd = await mkdtemp(join(tmpdir(), 'chat-cwd-'));
  const cli = await makeCliEnv(model.url);
  const home = opts.home ?? cli.home;
  const env = { ...cli.env, HOME: home, SESSIONS_DIR: sessionsDir, PERSONAS_DIR: join(REPO_ROOT, 'personas'), CLAUDE_BIN: claudeBin(), ...opts.env };
  const child = spawn(process.execPath, ['--import', TSX_LOADER, join(REPO_ROOT, 'src', 'chat.ts')], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    // Ctrl-C: the terminal sends SIGINT (stdin stays open meanwhile).
    if (opts.sigintWhen && !signalled && opts.sigintWhen.test(stdout)) {
      signalled = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  for (const l of lines) child.stdin.write(`${l}\n`);
  if (!opts.sigintWhen) child.stdin.end();
  const code = await new Promise<number | null>((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the console chat did not exit within ${opts.timeoutMs ?? 60_000} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.once('exit', (c) => (clearTimeout(t), resolve(c)));
  });
  await rm(cwd, { recursive: true, force: true });
  if (!opts.home && !opts.keepHome) await cli.cleanup();
  else if (opts.home) await cli.cleanup();
  return { code, stdout, stderr, sessionsDir, home };
}
