import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeCliEnv, spawnCli, STREAM_JSON_ARGS } from './helpers/cliEnv.ts';
import type { CliMessage, CliSession } from './helpers/cliEnv.ts';
import { fillerText, startFakeModel } from './helpers/fakeModel.ts';
import type { FakeModel } from './helpers/fakeModel.ts';

interface SseEvent {
  event: string;
  data: { type: string; [k: string]: unknown };
}

function parseSse(raw: string): SseEvent[] {
  return raw
    .split('\n\n')
    .filter((b) => b.trim())
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as SseEvent['data'];
      return { event, data };
    });
}

function post(fm: FakeModel, body: unknown, p = '/v1/messages?beta=true'): Promise<Response> {
  return fetch(fm.url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const userBody = (text: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-test',
  max_tokens: 1000,
  stream: true,
  tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  ...extra,
});

describe('fakeModel (HTTP)', () => {
  let fm: FakeModel;
  beforeEach(async () => {
    fm = await startFakeModel();
  });
  afterEach(async () => {
    await fm.close();
  });

  it('streams a text reply as Messages API SSE events', async () => {
    const res = await post(fm, userBody('hello there'));
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/text\/event-stream/);
    const events = parseSse(await res.text());
    const types = events.map((e) => e.data.type).filter((t) => t !== 'ping');
    expect(types).to.deep.equal(['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    for (const e of events) expect(e.event).to.equal(e.data.type);
    const start = events[0]!.data.message as { id: string };
    expect(start.id).to.equal('msg_mock1');
    const delta = events.find((e) => e.data.type === 'content_block_delta')!.data.delta as { type: string; text: string };
    expect(delta).to.deep.equal({ type: 'text_delta', text: 'MOCK REPLY to: hello there' });
    const md = events.find((e) => e.data.type === 'message_delta')!.data as unknown as { delta: { stop_reason: string }; usage: { output_tokens: number } };
    expect(md.delta.stop_reason).to.equal('end_turn');
    expect(md.usage.output_tokens).to.be.greaterThan(0);
    expect(fm.mainRequests()).to.have.length(1);
    expect(fm.mainRequests()[0]!.lastUserText).to.equal('hello there');
  });

  it('takes the prompt after the last interrupt marker (a stopped prompt merged into the next one)', async () => {
    const blocks = [
      { type: 'text', text: 'take your time [[slow: 20000]]' },
      { type: 'text', text: '[Request interrupted by user]' },
      { type: 'text', text: 'still there?' },
    ];
    await (await post(fm, userBody('', { messages: [{ role: 'user', content: blocks }] }))).text();
    await (await post(fm, userBody('', { messages: [{ role: 'user', content: 'old [[slow: 9]]\n[Request interrupted by user]\nnew one' }] }))).text();
    expect(fm.mainRequests().map((r) => r.lastUserText)).to.deep.equal(['still there?', 'new one']);
  });

  it('answers JSON when stream is false, and [[long: N]] gives exactly N characters', async () => {
    const res = await post(fm, userBody('[[long: 1234]]', { stream: false }));
    const msg = (await res.json()) as { content: { type: string; text: string }[]; stop_reason: string };
    expect(msg.stop_reason).to.equal('end_turn');
    expect(msg.content[0]!.text).to.have.length(1234);
    expect(msg.content[0]!.text).to.equal(fillerText(1234));
  });

  it('streams a tool_use for [[bash: ...]] and a thinking block for [[thinking]]', async () => {
    const tool = parseSse(await (await post(fm, userBody('[[bash: echo hi]]'))).text());
    const start = tool.find((e) => e.data.type === 'content_block_start')!.data.content_block as { type: string; id: string; name: string };
    expect(start).to.include({ type: 'tool_use', name: 'Bash' });
    expect(start.id).to.match(/^toolu_\d+$/);
    const json = tool
      .filter((e) => e.data.type === 'content_block_delta')
      .map((e) => (e.data.delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).to.deep.equal({ command: 'echo hi', description: 'run it' });
    expect((tool.find((e) => e.data.type === 'message_delta')!.data.delta as { stop_reason: string }).stop_reason).to.equal('tool_use');

    const think = parseSse(await (await post(fm, userBody('[[thinking]] hm'))).text());
    const deltas = think.filter((e) => e.data.type === 'content_block_delta').map((e) => (e.data.delta as { type: string }).type);
    expect(deltas).to.include.members(['thinking_delta', 'signature_delta', 'text_delta']);
  });

  it('answers [[error: S]] with the Anthropic error body, and 404/count_tokens for other endpoints', async () => {
    const res = await post(fm, userBody('[[error: 529]]'));
    expect(res.status).to.equal(529);
    expect(await res.json()).to.deep.include({ type: 'error', error: { type: 'overloaded_error', message: 'mock error 529' } });
    const ct = await post(fm, userBody('count me'), '/v1/messages/count_tokens?beta=true');
    expect(((await ct.json()) as { input_tokens: number }).input_tokens).to.be.greaterThan(0);
    const nf = await fetch(fm.url + '/v1/nope');
    expect(nf.status).to.equal(404);
    expect(fm.mainRequests()).to.have.length(1);
  });

  it('lets a director override the reply, and close() ends a slow stream at once', async () => {
    fm.setDirector((req) => (req.lastUserText === 'directed' ? { text: 'x'.repeat(100), chunkSize: 1, delayMs: 1000 } : undefined));
    const res = await post(fm, userBody('directed'));
    const reader = res.body!.getReader();
    await reader.read(); // headers and the first events are out
    const t0 = Date.now();
    await fm.close();
    // The stream must end (error or done) promptly instead of running for 100 s.
    await reader.read().then(
      async function drain(r): Promise<void> {
        if (!r.done) return reader.read().then(drain);
      },
      () => undefined,
    );
    expect(Date.now() - t0).to.be.lessThan(2000);
  });
});

describe('fakeModel with the real claude CLI', function () {
  this.timeout(60_000);
  let fm: FakeModel;
  let cleanupEnv: () => Promise<void>;
  let env: NodeJS.ProcessEnv;
  let cwd: string;
  let session: CliSession | undefined;

  before(async () => {
    fm = await startFakeModel();
    const e = await makeCliEnv(fm.url);
    env = e.env;
    cleanupEnv = e.cleanup;
  });
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), 'fakemodel-test-'));
  });
  afterEach(async () => {
    if (session) {
      session.kill();
      await session.exited;
      session = undefined;
    }
    await rm(cwd, { recursive: true, force: true });
  });
  after(async () => {
    await fm.close();
    await cleanupEnv();
  });

  async function oneTurn(text: string, extraArgs: string[] = []): Promise<CliMessage> {
    session = spawnCli({ env, cwd, args: [...STREAM_JSON_ARGS, ...extraArgs] });
    session.sendUser(text);
    const result = await session.waitForResult(1, 45_000);
    session.endInput();
    return result;
  }

  it('returns a plain answer as a result line', async () => {
    const before = fm.mainRequests().length;
    const result = await oneTurn('say hello');
    expect(result.subtype).to.equal('success');
    expect(result.is_error).to.equal(false);
    expect(result.result).to.equal('MOCK REPLY to: say hello');
    expect(fm.mainRequests().length - before).to.equal(1);
    const exit = await session!.exited;
    expect(exit.code).to.equal(0);
  });

  it('runs a Bash tool call and feeds its output back to the model', async () => {
    const result = await oneTurn('[[bash: echo hi-there]]', ['--allowedTools', 'Bash']);
    expect(result.is_error).to.equal(false);
    expect(result.result).to.be.a('string').that.contains('TOOL RESULT:').and.contains('hi-there');
    const toolResult = session!.messages.find((m) => m.type === 'user');
    expect(JSON.stringify(toolResult)).to.contain('hi-there');
  });

  it('reports an API error (400) as a result with is_error true', async () => {
    const result = await oneTurn('[[error: 400]]');
    expect(result.is_error).to.equal(true);
    expect(String(result.result)).to.contain('400');
    const exit = await session!.exited;
    expect(exit.code).to.equal(1);
  });
});
