// How a CLI process is started so that its tools cannot read the bot's secrets
// (shared/ISOLATION.md): inside bubblewrap (own PID namespace, the bot's files not mounted), or as
// a separate unprivileged user. `none` starts it directly.
import { existsSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';

export type IsolationMode = 'bwrap' | 'user' | 'none';

/** What to exec: the launcher rewrites bin/args and may set a uid. */
export interface Exec {
  bin: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

export interface Launcher {
  mode: IsolationMode;
  wrap(e: Exec): Exec;
}

export const directLauncher: Launcher = { mode: 'none', wrap: (e) => e };

export interface BwrapOptions {
  /** Directories to hide entirely (the bot's checkout, SESSIONS_DIR): replaced by empty tmpfs. */
  hide: string[];
  /** Files to hide (each .env): a read of them gives nothing. */
  hideFiles: string[];
  /** Directories to show read-only again inside hidden ones (the CLI's install). */
  showReadOnly: string[];
  /** The bot runs as root: also unshare the user namespace and drop every capability. */
  root: boolean;
}

/** bubblewrap around the whole CLI: the user's files as usual, the bot's own files not there. */
export function bwrapArgs(o: BwrapOptions, cwd: string): string[] {
  const args = ['--die-with-parent', '--new-session', '--unshare-pid', '--unshare-ipc', '--unshare-uts'];
  // As root without these, the agent could mount the host disk and read anything.
  if (o.root) args.push('--unshare-user', '--cap-drop', 'ALL');
  args.push('--bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/run');
  if (existsSync('/run/systemd/resolve')) args.push('--ro-bind', '/run/systemd/resolve', '/run/systemd/resolve');
  for (const d of o.hide) args.push('--tmpfs', d);
  for (const d of o.showReadOnly) args.push('--ro-bind', d, d);
  for (const f of o.hideFiles) if (existsSync(f)) args.push('--ro-bind', '/dev/null', f);
  // The session's own directory is the one place under SESSIONS_DIR it sees (and may write).
  args.push('--bind', cwd, cwd, '--chdir', cwd);
  return args;
}

export function bwrapLauncher(o: BwrapOptions, bwrapBin = 'bwrap'): Launcher {
  return {
    mode: 'bwrap',
    wrap: (e) => ({ ...e, bin: bwrapBin, args: [...bwrapArgs(o, e.cwd), '--', realBin(e.bin), ...e.args] }),
  };
}

/** The CLI as another uid: as root through Node's uid/gid; otherwise through setpriv (needs CAP_SETUID/SETGID). */
export function userLauncher(uid: number, gid: number, home: string, asRoot: boolean): Launcher {
  return {
    mode: 'user',
    wrap: (e) => {
      const env = { ...e.env, HOME: home };
      if (asRoot) return { ...e, env, uid, gid };
      // Never plain {uid} with ambient capabilities: they would be inherited (ISOLATION.md §4.1).
      return { ...e, env, bin: 'setpriv', args: [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--', e.bin, ...e.args] };
    },
  };
}

/** A symlink such as node_modules/.bin/claude, resolved (bwrap execs the path inside the sandbox). */
export function realBin(bin: string): string {
  try {
    return realpathSync(bin);
  } catch {
    return bin;
  }
}

/** The directory to show read-only so the CLI can run when it is installed under a hidden one. */
export const installDirOf = (bin: string): string => dirname(dirname(realBin(bin)));
