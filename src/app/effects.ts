// What app handlers return: plain data for each sink, plus reducers of the app's state. The app
// splits one stream of these into its sinks.
import type { Update } from 'node-telegram-bot-api';
import type { ClaudeCommand } from '../domain/claude.ts';
import type { IoRequest } from '../domain/io.ts';
import type { FileRequest, StoreWrite } from '../domain/store.ts';
import type { OutOp } from '../domain/telegram.ts';
import type { Turn } from '../domain/turn.ts';
import type { WorkdirRequest } from '../domain/workdir.ts';
import type { AppState } from './state.ts';
import type { AlbumPart } from './media.ts';

export type Reducer = (s: AppState) => AppState;

export type Effect =
  | { to: 'telegram'; op: OutOp }
  | { to: 'claude'; cmd: ClaudeCommand }
  | { to: 'store'; write: StoreWrite }
  | { to: 'log'; line: string }
  | { to: 'files'; req: FileRequest }
  | { to: 'state'; reduce: Reducer }
  /** Into the workspace's queue. */
  | { to: 'turn'; turn: Turn; refused?: boolean }
  /** Stop the running turn of a workspace. */
  | { to: 'stop'; workspace: string }
  /** Projects, git worktrees, command files, recorded conversations (answered on the workdir source). */
  | { to: 'workdir'; req: WorkdirRequest }
  /** Local I/O (files, git, speech to text); the answer comes back on io$ with the request's id. */
  | { to: 'io'; req: IoRequest }
  /** A part of an album, for the stage that makes one prompt of the whole album. */
  | { to: 'albumPart'; part: AlbumPart };

export const telegram = (op: OutOp): Effect => ({ to: 'telegram', op });
export const claude = (cmd: ClaudeCommand): Effect => ({ to: 'claude', cmd });
export const store = (write: StoreWrite): Effect => ({ to: 'store', write });
export const log = (line: string): Effect => ({ to: 'log', line });
export const reduce = (r: Reducer): Effect => ({ to: 'state', reduce: r });
export const io = (req: IoRequest): Effect => ({ to: 'io', req });

export type { FileRequest, StoreWrite, Update };
