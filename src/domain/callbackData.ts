// Inline button payloads (Telegram's callback_data, at most 64 bytes) as typed values, both ways.
// Tokens are `<run id>.<n>`, so a button left from an earlier run of the bot matches nothing.

export type ButtonPress =
  | { kind: 'permission'; token: string; choice: 'allow' | 'deny' | 'session' }
  | { kind: 'stall'; token: string; choice: 'wait' | 'stop' };

const PERMISSION = { allow: 'a', deny: 'd', session: 's' } as const;
const STALL = { wait: 'k', stop: 's' } as const;

const invert = <K extends string, V extends string>(o: Record<K, V>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k])) as Record<V, K>;
const PERMISSION_BACK = invert(PERMISSION);
const STALL_BACK = invert(STALL);

export function encodeButton(p: ButtonPress): string {
  return p.kind === 'permission' ? `p:${p.token}:${PERMISSION[p.choice]}` : `w:${p.token}:${STALL[p.choice]}`;
}

/** Undefined for anything this bot did not make. */
export function decodeButton(data: string | undefined): ButtonPress | undefined {
  const m = /^([pw]):([A-Za-z0-9.]{1,40}):([a-z])$/.exec(data ?? '');
  if (!m) return undefined;
  const [, kind, token, code] = m as unknown as [string, string, string, string];
  if (kind === 'p') {
    const choice = PERMISSION_BACK[code as 'a'];
    return choice ? { kind: 'permission', token, choice } : undefined;
  }
  const choice = STALL_BACK[code as 'k'];
  return choice ? { kind: 'stall', token, choice } : undefined;
}
