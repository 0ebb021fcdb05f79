// Inline button payloads (Telegram's callback_data, at most 64 bytes) as typed values, both ways.
// Tokens are `<run id>.<n>`, so a button left from an earlier run of the bot matches nothing.

export type ButtonPress =
  | { kind: 'permission'; token: string; choice: 'allow' | 'deny' | 'session' }
  | { kind: 'stall'; token: string; choice: 'wait' | 'stop' }
  | WorkButton
  /** The Diff button under a turn's answer: the session (by name) whose work tree to show. */
  | { kind: 'diff'; session: string }
  /** Send or Cancel under a voice note's transcript (VOICE_CONFIRM=1). */
  | { kind: 'voice'; token: string; choice: 'send' | 'cancel' };

/** Buttons that stand for a command (app/buttonCommands.ts): they carry its argument, no token. */
export type WorkButton =
  | { kind: 'project'; name: string }
  | { kind: 'model'; name: string }
  | { kind: 'resume'; id: string }
  | { kind: 'removeWorktree'; session: string };

const WORK = { project: ['j', /^[A-Za-z0-9._-]{1,60}$/], model: ['m', /^[A-Za-z0-9._:[\]-]{1,60}$/], resume: ['r', /^[0-9a-f-]{8,36}$/], removeWorktree: ['x', /^[A-Za-z0-9_-]{1,32}$/] } as const;
const workArg = (b: WorkButton): string => (b.kind === 'resume' ? b.id : b.kind === 'removeWorktree' ? b.session : b.name);

/** The button's data, or undefined when its argument cannot be carried (too long, odd characters). */
export function encodeWorkButton(b: WorkButton): string | undefined {
  const [code, re] = WORK[b.kind];
  const arg = workArg(b);
  return re.test(arg) ? `${code}:${arg}` : undefined;
}

function decodeWorkButton(data: string): WorkButton | undefined {
  const m = /^([jmrx]):(.+)$/.exec(data);
  if (!m) return undefined;
  const kind = (Object.keys(WORK) as WorkButton['kind'][]).find((k) => WORK[k][0] === m[1])!;
  const arg = m[2]!;
  if (!WORK[kind][1].test(arg)) return undefined;
  if (kind === 'resume') return { kind, id: arg };
  if (kind === 'removeWorktree') return { kind, session: arg };
  return { kind, name: arg };
}

const PERMISSION = { allow: 'a', deny: 'd', session: 's' } as const;
const STALL = { wait: 'k', stop: 's' } as const;

const invert = <K extends string, V extends string>(o: Record<K, V>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k])) as Record<V, K>;
const PERMISSION_BACK = invert(PERMISSION);
const STALL_BACK = invert(STALL);

export function encodeButton(p: Exclude<ButtonPress, WorkButton>): string {
  if (p.kind === 'diff') return `g:${p.session}`;
  if (p.kind === 'voice') return `v:${p.token}:${p.choice === 'send' ? 's' : 'c'}`;
  return p.kind === 'permission' ? `p:${p.token}:${PERMISSION[p.choice]}` : `w:${p.token}:${STALL[p.choice]}`;
}

/** Undefined for anything this bot did not make. */
export function decodeButton(data: string | undefined): ButtonPress | undefined {
  const work = decodeWorkButton(data ?? '');
  if (work) return work;
  const diff = /^g:([A-Za-z0-9_-]{1,32})$/.exec(data ?? '');
  if (diff) return { kind: 'diff', session: diff[1]! };
  const voice = /^v:([A-Za-z0-9.]{1,40}):([sc])$/.exec(data ?? '');
  if (voice) return { kind: 'voice', token: voice[1]!, choice: voice[2] === 's' ? 'send' : 'cancel' };
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
