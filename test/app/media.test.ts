// Files and voice through the app in virtual time: the MCP handshake and send_file over a
// scripted process, a voice transcript awaiting Send (VOICE_CONFIRM), an album collected across
// seconds into one turn.
import { expect } from 'chai';
import { filter, map, Observable, of } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { Update } from 'node-telegram-bot-api';
import type { ClaudeCommand, ProcOut } from '../../src/domain/claude.ts';
import type { IoRequest, IoResult } from '../../src/domain/io.ts';
import type { OutOp } from '../../src/domain/telegram.ts';
import type { ProcessSpec } from '../../src/drivers/claude/process.ts';
import { cliArgs } from '../../src/drivers/claude/claudeDriver.ts';
import { appLoop } from '../helpers/appLoop.ts';
import { resultLine } from '../helpers/lines.ts';
import { testScheduler } from '../helpers/marbles.ts';

const out = (line: string): ProcOut => ({ kind: 'stdout', line });
const mcp = (rid: string, message: Record<string, unknown>) => out(JSON.stringify({ type: 'control_request', request_id: rid, request: { subtype: 'mcp_message', server_name: 'telegram', message } }));
const writes = (cmds: ClaudeCommand[]) => cmds.filter((c): c is Extract<ClaudeCommand, { kind: 'write' }> => c.kind === 'write').map((c) => JSON.parse(c.line));
const from5 = { id: 5, is_bot: false, first_name: 'o' };
let updateId = 0;
const msg = (fields: Record<string, unknown>, messageId = 10): Update =>
  ({ update_id: ++updateId, message: { message_id: messageId, date: 0, chat: { id: 5, type: 'private' }, from: from5, ...fields } }) as unknown as Update;

/** A process that answers each user line at once with its content as the result. */
const echo = (_spec: () => ProcessSpec, stdin$: Observable<string>) =>
  new Observable<ProcOut>((sub) => {
    sub.next({ kind: 'spawned', pid: 9 });
    return stdin$.subscribe((l) => {
      const m = JSON.parse(l);
      if (m.type === 'user') sub.next(out(resultLine(`re:${typeof m.message.content === 'string' ? m.message.content : JSON.stringify(m.message.content)}`)));
    });
  });

describe('files and voice in the app (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = testScheduler();
    updateId = 0;
  });

  it('serves the telegram MCP server: initialize first, handshake answers, send_file uploads and reports', () => {
    const looked: IoRequest[] = [];
    const stdin: string[] = [];
    let loop!: ReturnType<typeof appLoop>;
    ts.run(({ cold, hot, expectObservable }) => {
      const V: Record<string, ProcOut> = {
        s: { kind: 'spawned', pid: 7 },
        a: mcp('r1', { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25' } }),
        b: mcp('r2', { jsonrpc: '2.0', method: 'notifications/initialized' }),
        c: mcp('r3', { jsonrpc: '2.0', id: 1, method: 'tools/list' }),
        d: mcp('r4', { jsonrpc: '2.0', id: 2, method: 'resources/list' }),
        e: mcp('r5', { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'send_file', arguments: { path: 'out/a.png', caption: 'look' } } }),
        f: mcp('r6', { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'send_file', arguments: { path: 'gone.txt' } } }),
        r: out(resultLine('done')),
      };
      loop = appLoop(ts, {
        updates$: hot<Update>('a', { a: msg({ text: 'send it' }) }),
        spawn: (_spec, stdin$) => {
          stdin$.subscribe((l) => stdin.push(l));
          return cold('sabcdef 5ms r', V);
        },
        config: { telegramTools: true },
        io: (req) => {
          looked.push(req);
          if (req.kind !== 'look') return of();
          const result = req.path === 'gone.txt' ? { kind: 'error' as const, message: 'gone.txt does not exist.' } : { kind: 'file' as const, path: `/s/chat5/default/${req.path}`, name: 'a.png', bytes: 2048 };
          return of<IoResult>({ kind: 'look', id: req.id, result });
        },
        outcome: (op) => (op.op === 'upload' ? { op, ok: true, attempts: 1, messageId: 99 } : undefined),
      });
      const uploads$ = loop.ops$.pipe(filter((o): o is Extract<OutOp, { op: 'upload' }> => o.op === 'upload'), map((o) => `${o.as} ${o.path} ${o.caption}`));
      expectObservable(uploads$, '^ 50ms !').toBe('-----x', { x: 'photo /s/chat5/default/out/a.png look' });
    });
    const w = writes(loop.commands);
    expect(JSON.parse(stdin[0]!)).to.deep.equal({ type: 'control_request', request_id: 'init-5/default', request: { subtype: 'initialize', sdkMcpServers: ['telegram'] } });
    expect(JSON.parse(stdin[1]!).type).to.equal('user');
    const spawn = loop.commands.find((c): c is Extract<ClaudeCommand, { kind: 'spawn' }> => c.kind === 'spawn')!;
    expect(cliArgs(spawn.launch, false).join(' ')).to.contain('--allowedTools mcp__telegram__send_file');
    // A persona's own allow list and the bot's tool share one flag.
    const withPersona = cliArgs({ ...spawn.launch, persona: { name: 'p', settings: { allowed_tools: ['Bash(git *)'] } } }, false);
    expect(withPersona.filter((a) => a === '--allowedTools')).to.have.length(1);
    expect(withPersona).to.include('Bash(git *),mcp__telegram__send_file');
    const answers = Object.fromEntries(w.filter((l) => l.type === 'control_response').map((l) => [l.response.request_id, l.response.response.mcp_response]));
    expect(answers.r1.result).to.deep.include({ protocolVersion: '2025-11-25', capabilities: { tools: {} } });
    expect(answers.r2).to.deep.equal({ jsonrpc: '2.0', id: 0, result: {} });
    expect(answers.r3.result.tools[0]).to.deep.include({ name: 'send_file', _meta: { 'anthropic/alwaysLoad': true } });
    expect(answers.r4.error.code).to.equal(-32601);
    expect(answers.r5.result).to.deep.equal({ content: [{ type: 'text', text: 'Sent a.png (2 KB) to the chat as a photo.' }] });
    expect(answers.r6.result).to.deep.equal({ content: [{ type: 'text', text: 'Not sent: gone.txt does not exist.' }], isError: true });
    expect(looked.map((r) => r.kind === 'look' && r.base)).to.deep.equal(['/s/chat5/default', '/s/chat5/default']);
  });

  it('VOICE_CONFIRM: the transcript waits under Send/Cancel; Send makes it the prompt', () => {
    let loop!: ReturnType<typeof appLoop>;
    ts.run(({ hot, expectObservable }) => {
      const voice = msg({ voice: { file_id: 'v1', file_unique_id: 'u', duration: 2, file_size: 100 }, caption: 'note' });
      const press = { update_id: 99, callback_query: { id: 'cb1', from: from5, chat_instance: 'x', data: 'v:run1.1:s', message: { message_id: 1, date: 0, chat: { id: 5, type: 'private' } } } } as unknown as Update;
      loop = appLoop(ts, {
        updates$: hot<Update>('a 50ms b', { a: voice, b: press }),
        spawn: echo,
        config: { transcriber: true, voiceConfirm: true },
        download: (req) => of({ ok: true, name: req.name, bytes: 100 }),
        io: (req) => (req.kind === 'transcribe' ? of<IoResult>({ kind: 'transcribe', id: req.id, ok: true, text: 'buy milk' }) : of()),
      });
      const shown$ = loop.ops$.pipe(
        filter((o) => (o.op === 'send' || o.op === 'edit') && !o.ref.includes(':final:')),
        map((o) => `${o.op}:${(o as { text: string }).text}:${JSON.stringify((o as { replyMarkup?: unknown }).replyMarkup ?? null).includes('v:run1.1:s')}`),
      );
      expectObservable(shown$, '^ 100ms !').toBe('a 50ms b', { a: 'send:🎙 Send this to Claude?\nbuy milk:true', b: 'edit:🎙 Sent:\nbuy milk:false' });
    });
    const user = writes(loop.commands).filter((l) => l.type === 'user');
    expect(user).to.have.length(1);
    expect(user[0].message.content).to.match(/^note\n\nbuy milk\n\n\(Transcribed from a voice note/);
  });

  it('an album whose parts arrive seconds apart becomes one turn naming every file, with the caption', () => {
    let loop!: ReturnType<typeof appLoop>;
    ts.run(({ hot, expectObservable }) => {
      const part = (n: number, caption?: string) => msg({ media_group_id: 'g1', photo: [{ file_id: `p${n}`, file_unique_id: `u${n}`, width: 10, height: 10, file_size: 50 }], ...(caption ? { caption } : {}) }, 10 + n);
      loop = appLoop(ts, {
        updates$: hot<Update>('a 1s b 1500ms c', { a: part(1, 'which is best?'), b: part(2), c: part(3) }),
        spawn: echo,
        config: { albumWaitMs: 2000 },
        download: (req) => of({ ok: true, name: req.name, bytes: 50 }),
      });
      const finals$ = loop.ops$.pipe(filter((o): o is Extract<OutOp, { op: 'send' }> => o.op === 'send' && o.ref.includes(':final:')), map((o) => o.text.split('\n')[0]));
      expectObservable(finals$, '^ 10s !').toBe('4502ms x', { x: 're:The user sent an album of 3 files, saved in the working directory:' });
    });
    const prompt = writes(loop.commands).find((l) => l.type === 'user')!.message.content as string;
    for (const n of [11, 12, 13]) expect(prompt).to.contain(`"photo-${n}.jpg" (photo, 50 bytes)`);
    expect(prompt).to.match(/which is best\?$/);
  });
});
