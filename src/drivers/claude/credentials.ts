// At start-up: does Claude Code have a login it can use? Logged for the operator, with what to do.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const HOW = 'run `claude setup-token` and put CLAUDE_CODE_OAUTH_TOKEN=<token> in .env, or set ANTHROPIC_API_KEY there (or log in once with `npx claude` as the user the CLI runs as)';

/** Log lines saying where the CLI's credentials come from (names only, never values). */
export function credentialsReport(env: NodeJS.ProcessEnv): string[] {
  const vars = ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN'].filter((k) => (env[k] ?? '').trim() !== '');
  if (vars.length) return [`Claude Code credentials: ${vars.join(', ')} from the environment`];
  if (env.CLAUDE_CODE_USE_BEDROCK || env.CLAUDE_CODE_USE_VERTEX) return ['Claude Code credentials: Bedrock/Vertex (cloud credentials)'];
  const configDir = env.CLAUDE_CONFIG_DIR ?? (env.HOME ? join(env.HOME, '.claude') : undefined);
  if (configDir && existsSync(join(configDir, '.credentials.json'))) return [`Claude Code credentials: a login in ${configDir}`];
  return [`⚠ Claude Code has no credentials (no ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN, no login in ${configDir ?? '$HOME/.claude'}): every message will be answered "not logged in". To fix: ${HOW}.`];
}

/** A log line for a CLI that ended abnormally (EACCES and the like spelled out), or undefined. */
export function exitReport(workspace: string, exit: { code: number | null; signal: string | null; spawnError?: string; stderrTail: string; killed?: boolean }, crashes: number): string | undefined {
  if (exit.killed || (exit.code === 0 && !exit.spawnError)) return undefined;
  const tail = exit.stderrTail.trim().split('\n').slice(-2).join(' | ').slice(0, 300);
  const why = exit.spawnError ?? (exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`);
  const hint = /EACCES|permission denied/i.test(`${why} ${tail}`) ? ' (permission denied: check that the CLI binary, HOME and the session directory are accessible to the user Claude Code runs as)' : '';
  const again = crashes > 1 ? ` — ${crashes} abnormal exits of this session in 10 min` : '';
  return `Claude Code for ${workspace} ended: ${why}${tail ? `; stderr: ${tail}` : ''}${hint}${again}`;
}
