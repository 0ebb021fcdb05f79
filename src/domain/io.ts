// Requests to the local I/O driver (files on disk, git, speech-to-text) and its answers, as plain
// data. Each request carries an id; its answer comes back on the app's io$ source with that id.

/** An entry of a directory listing. */
export interface DirEntry {
  name: string;
  dir: boolean;
  bytes: number;
}

export type IoRequest =
  /**
   * A path (relative to `base`, or absolute) resolved through symlinks and looked at. With
   * `roots`, the real path must stay inside one of them.
   */
  | { kind: 'look'; id: string; path: string; base: string; roots?: string[] }
  /** A file's bytes as base64 (an image for Claude). */
  | { kind: 'read64'; id: string; path: string }
  /** What a git work tree's changes look like now (`undefined` answer: not a work tree). */
  | { kind: 'gitState'; id: string; dir: string }
  /** The work tree's changes as a patch: inline up to `inlineMax` characters, else written to `file`. */
  | { kind: 'gitDiff'; id: string; dir: string; inlineMax: number; file: string }
  /** Speech to text (one at a time: the driver queues them). */
  | { kind: 'transcribe'; id: string; path: string };

export type LookResult =
  | { kind: 'file'; path: string; name: string; bytes: number }
  | { kind: 'dir'; path: string; entries: DirEntry[] }
  | { kind: 'error'; message: string };

export type IoResult =
  | { kind: 'look'; id: string; result: LookResult }
  | { kind: 'read64'; id: string; ok: true; data: string; bytes: number }
  | { kind: 'read64'; id: string; ok: false; message: string }
  | { kind: 'gitState'; id: string; state?: string }
  | { kind: 'gitDiff'; id: string; ok: true; diff: string; file?: undefined }
  | { kind: 'gitDiff'; id: string; ok: true; file: { path: string; bytes: number }; diff?: undefined }
  | { kind: 'gitDiff'; id: string; ok: false; message: string }
  | { kind: 'transcribe'; id: string; ok: true; text: string }
  | { kind: 'transcribe'; id: string; ok: false; message: string };

/** Telegram's limits for uploads by bots (sendPhoto, sendDocument). */
export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

const IMAGE_EXT = /\.(png|jpe?g|webp|gif)$/i;

/** How a file goes to the chat: an image up to 10 MB as a photo, anything else as a document. */
export function uploadKind(name: string, bytes: number): 'photo' | 'document' {
  return IMAGE_EXT.test(name) && bytes <= PHOTO_MAX_BYTES ? 'photo' : 'document';
}

export const formatBytes = (n: number): string =>
  n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;
