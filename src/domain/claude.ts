// The Claude driver's language, as plain data: commands the app sends it, and what comes back.
import type { Persona } from '../protocol/persona.ts';
import type { WindowTag } from './window.ts';

/** What one CLI process prints and how it ends. */
export type ProcOut =
  | { kind: 'spawned'; pid: number }
  /** `window`: which turn of the continuous output the line belongs to (streams/windows.ts). */
  | { kind: 'stdout'; line: string; window?: WindowTag }
  | { kind: 'stderr'; line: string }
  | {
      kind: 'exit';
      code: number | null;
      signal: string | null;
      stderrTail: string;
      spawnError?: string;
      sawStdout: boolean;
      /** Ended by a kill command (eviction, persona change, interrupt timeout), not by itself. */
      killed?: boolean;
    };

/** How to start a workspace's process when none is live. */
export interface Launch {
  dir: string;
  persona: Persona;
  /** The conversation to resume (`--resume`). */
  sessionId?: string;
  /** More directories Claude's tools may use (`--add-dir`): a project session's own folder. */
  addDirs?: string[];
  /** Overrides the persona's model (`--model`), chosen with /model. */
  model?: string;
  /** In-process MCP servers the bot serves over the control protocol (an `initialize` at spawn). */
  sdkMcpServers?: readonly string[];
  /** Tools allowed without a prompt (`--allowedTools`), besides the persona's. */
  allowedTools?: readonly string[];
}

export type ClaudeCommand =
  /** Makes sure the workspace has a live process (started with `launch` if not). */
  | { kind: 'spawn'; workspace: string; launch: Launch }
  /** A stream-json line to the live process's stdin (dropped if none is live: its exit is reported). */
  | { kind: 'write'; workspace: string; line: string }
  | { kind: 'interrupt'; workspace: string; requestId: string }
  /** Ends the workspace's process now; its exit comes back with `killed: true`. */
  | { kind: 'kill'; workspace: string }
  /** A turn holds the process (never reaped or evicted) until released; then the idle timer runs.
   *  `by` names the holder (default 'turn'): the process is held while any holder holds it. */
  | { kind: 'hold'; workspace: string; held: boolean; by?: string }
  /** Asks for a snapshot of live processes, answered by a `processes` output with the same id. */
  | { kind: 'processes'; id: string };

export interface ProcessInfo {
  workspace: string;
  pid: number;
  rssBytes: number;
  held: boolean;
  /** When its last turn let it go (epoch ms), while idle. */
  idleSince?: number;
}

export type ClaudeOutput = { kind: 'proc'; workspace: string; out: ProcOut } | { kind: 'processes'; id: string; list: ProcessInfo[] };
