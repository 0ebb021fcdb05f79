// An optional timing hook for `npm run bench` (CLAUDE_TG_TIMING=1): the bot logs when an update
// arrives, when a line goes to a CLI's stdin, when a CLI prints streamed text, and when a Telegram
// call leaves, so the bench can measure the bridge's own share. Off, it costs one check per event.
import type { Update } from 'node-telegram-bot-api';
import type { ClaudeCommand, ClaudeOutput } from '../domain/claude.ts';
import type { ApiCall } from '../domain/telegram.ts';

export const TIMING_ENV = 'CLAUDE_TG_TIMING';

export interface TimingHooks {
  update(u: Update): void;
  command(c: ClaudeCommand): void;
  output(o: ClaudeOutput): void;
  call(c: ApiCall): void;
}

const now = () => (performance.timeOrigin + performance.now()).toFixed(3);

export function timingHooks(env: NodeJS.ProcessEnv, print: (line: string) => void): TimingHooks | undefined {
  if (env[TIMING_ENV] !== '1') return undefined;
  // The lines are printed after the event's work (a write to a pipe is synchronous): the
  // measurement does not add its own cost to what it measures.
  const queued: string[] = [];
  const log = (line: string) => {
    if (queued.push(line) === 1) setImmediate(() => queued.splice(0).forEach(print));
  };
  const chatOfWs = (ws: string) => ws.slice(0, ws.indexOf('/')).split('_')[0];
  return {
    update: (u) => {
      if ('message' in u && u.message) log(`timing update ${u.message.chat.id} ${now()}`);
    },
    command: (c) => {
      if (c.kind === 'write' && c.line.startsWith('{"type":"user"')) log(`timing stdin ${chatOfWs(c.workspace)} ${now()}`);
    },
    output: (o) => {
      if (o.kind !== 'proc' || o.out.kind !== 'stdout') return;
      if (o.out.line.includes('"text_delta"')) log(`timing stdout ${chatOfWs(o.workspace)} ${now()}`);
      else if (o.out.line.includes('"type":"result"')) log(`timing result ${chatOfWs(o.workspace)} ${now()}`);
    },
    call: (c) => {
      if (typeof c.params['chat_id'] === 'number') log(`timing call ${c.params['chat_id']} ${c.method} ${now()}`);
    },
  };
}
