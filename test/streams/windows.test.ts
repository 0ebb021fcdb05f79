// The turn-window logic over recorded CLI streams (fixtures/background-task.jsonl, wakeup.jsonl,
// usage-limit.jsonl; CLI 2.1.330 against the fake model), and one user turn over a stream where a
// turn Claude started by itself ends while the user's message waits (virtual time).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { filter, from, map, NEVER, of, toArray } from 'rxjs';
import type { ClaudeOutput, ProcOut } from '../../src/domain/claude.ts';
import type { WindowOwner } from '../../src/domain/window.ts';
import { messageUuid, turn$, type TurnOut } from '../../src/streams/turn.ts';
import { tagWindows } from '../../src/streams/windows.ts';
import { testScheduler } from '../helpers/marbles.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}.jsonl`, import.meta.url), 'utf8').trim().split('\n');
const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

const tagged = (lines: string[]) => {
  let out: ClaudeOutput[] = [];
  from([{ kind: 'proc', workspace: 'w', out: { kind: 'spawned', pid: 1 } } as ClaudeOutput, ...lines.map((line): ClaudeOutput => ({ kind: 'proc', workspace: 'w', out: { kind: 'stdout', line } }))])
    .pipe(tagWindows(), toArray())
    .subscribe((all) => (out = all));
  return out.slice(1).map((o) => {
    const p = (o as { out: Extract<ProcOut, { kind: 'stdout' }> }).out;
    const j = JSON.parse(p.line) as { type: string; subtype?: string; state?: string };
    return { what: j.type === 'system' ? `system/${j.subtype}` : j.type === 'command_lifecycle' ? `lifecycle/${j.state}` : j.type, tag: p.window! };
  });
};
const taggedOuts = (lines: string[]): ProcOut[] => {
  let out: ClaudeOutput[] = [];
  from(lines.map((line): ClaudeOutput => ({ kind: 'proc', workspace: 'w', out: { kind: 'stdout', line } })))
    .pipe(tagWindows(), toArray())
    .subscribe((all) => (out = all));
  return out.map((o) => (o as { out: ProcOut }).out);
};
const who = (o?: WindowOwner) => (!o ? '-' : o.kind === 'user' ? `user:${o.uuid === U1 ? 1 : o.uuid === U2 ? 2 : o.uuid}` : `auto:${o.cause.kind}`);

describe('turn windows over recorded streams', () => {
  it('background task: the user turn, the CLI\'s own turn for the notification, then the message typed during it', () => {
    const t = tagged(fixture('background-task'));
    const results = t.filter((x) => x.what === 'result');
    expect(results.map((r) => who(r.tag.owner))).to.deep.equal(['user:1', 'auto:task', 'user:2']);
    const auto = results[1]!.tag.owner as Extract<WindowOwner, { kind: 'auto' }>;
    expect(auto.cause).to.deep.include({ kind: 'task', summary: 'Background command "background job" completed (exit code 0)' });
    // Task progress between the turns belongs to no turn; the message's `queued` line comes during the auto turn.
    expect(t.filter((x) => x.what === 'system/task_updated').map((x) => who(x.tag.owner))).to.deep.equal(['-']);
    const queued2 = t.findIndex((x) => x.what === 'lifecycle/queued' && who(x.tag.owner) === 'user:2');
    const autoOpen = t.findIndex((x) => x.tag.opens && who(x.tag.owner) === 'auto:task');
    expect(queued2).to.be.greaterThan(autoOpen).and.lessThan(t.indexOf(results[1]!));
    // Every line of a window has the window's owner; exactly one result closes each window.
    expect(t.filter((x) => x.tag.closes).length).to.equal(3);
  });

  it('a transcript note between turns (set_model\'s local-command-stdout user line) opens no window', () => {
    // As CLI 2.1.330 prints it after a set_model control request in a session with history.
    const lines = [
      JSON.stringify({ type: 'command_lifecycle', command_uuid: U1, state: 'started' }),
      JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'ok', user_message_uuid: U1 }),
      JSON.stringify({ type: 'command_lifecycle', command_uuid: U1, state: 'completed' }),
      JSON.stringify({ type: 'user', message: { role: 'user', content: '<local-command-stdout>Set model to `sonnet (claude-sonnet-5-5)`</local-command-stdout>' }, uuid: 'x' }),
      JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: 'm1', response: { model: 'claude-sonnet-5-5' } } }),
      JSON.stringify({ type: 'command_lifecycle', command_uuid: U2, state: 'started' }),
      JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'ok', user_message_uuid: U2 }),
    ];
    const t = tagged(lines);
    expect(t.map((x) => `${x.what} ${who(x.tag.owner)}${x.tag.opens ? ' opens' : ''}`)).to.deep.equal([
      'lifecycle/started user:1 opens',
      'result user:1',
      'lifecycle/completed user:1',
      'user -',
      'control_response -',
      'lifecycle/started user:2 opens',
      'result user:2',
    ]);
  });

  it('wakeup: the fired wakeup is its own window, with its source and time', () => {
    const t = tagged(fixture('wakeup'));
    const owners = t.filter((x) => x.what === 'result').map((r) => r.tag.owner!);
    expect(who(owners[0])).to.match(/^user:/);
    expect(owners[1]).to.deep.include({ kind: 'auto', cause: { kind: 'wakeup', source: 'loop_wakeup', scheduledFor: (JSON.parse(fixture('wakeup').find((l) => l.includes('loop_wakeup'))!) as { scheduled_for: number }).scheduled_for } });
  });

  it('usage limit: the error result closes the user\'s window; the cancelled lifecycle after it changes nothing', () => {
    const t = tagged(fixture('usage-limit'));
    expect(t.map((x) => `${x.what}:${who(x.tag.owner)}`)).to.deep.equal([
      'lifecycle/queued:user:44444444-4444-4444-8444-444444444444',
      'lifecycle/started:user:44444444-4444-4444-8444-444444444444',
      'system/init:user:44444444-4444-4444-8444-444444444444',
      'assistant:user:44444444-4444-4444-8444-444444444444',
      'result:user:44444444-4444-4444-8444-444444444444',
      'lifecycle/cancelled:user:44444444-4444-4444-8444-444444444444',
    ]);
  });

  it('a second result while a user turn is queued ends the CLI\'s own turn, not the user\'s (virtual time)', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const lines = fixture('background-task');
      // From the notification on; the user's message is written at frame 0, so its uuid is the turn's.
      const from0 = lines.findIndex((l) => l.includes('"task_updated"'));
      const mine = messageUuid('t-during', 1);
      // The app tags the process output from its start (one continuous stream); the turn sees the tail.
      const all = lines.map((l) => l.split(U2).join(mine));
      const tags = taggedOuts(all).slice(from0);
      const tail = all.slice(from0);
      const values = Object.fromEntries(tags.map((o, i) => [String.fromCharCode(97 + i), o]));
      const procs$ = hot(`-${Object.keys(values).join('-')}`, values);
      const turn = { id: 't-during', workspace: 'w', prompt: 'typed during the notification turn', origin: { chat: { chatId: 1 }, privateChat: true, draftId: 1, userId: 1 }, generation: 0 };
      const out$ = turn$(turn, { procs$, context$: of({ launch: { dir: '/d', persona: { name: 'default', settings: {} } } }), stop$: NEVER, drain$: NEVER }, { scheduler: ts, maxRespawns: 1, backoffMs: () => 10, interruptTimeoutMs: 50 });
      const shown$ = out$.pipe(
        filter((o): o is Extract<TurnOut, { kind: 'event' }> => o.kind === 'event'),
        map((o) => (o.event.kind === 'result' ? `result:${o.event.text}` : o.event.kind === 'text' ? `text:${o.event.text}` : o.event.kind)),
      );
      const frameOf = (pred: (l: string) => boolean, after = -1) => 1 + 2 * tail.findIndex((l, k) => k > after && pred(l));
      const started = tail.findIndex((l) => l.includes('"state":"started"') && l.includes(mine));
      const fInit = frameOf((l) => l.includes('"subtype":"init"'), started);
      const fText = frameOf((l) => l.includes('MOCK REPLY to: typed during') && l.includes('"assistant"'));
      const fResult = frameOf((l) => l.includes('"type":"result"') && l.includes(mine));
      const r = 'MOCK REPLY to: typed during the notification turn';
      // running at once; nothing of the CLI's own turn (its text, its result); then its own init, text and result.
      expectObservable(shown$.pipe(map((v) => `${ts.now()} ${v}`), toArray())).toBe(`${fResult}ms (x|)`, { x: ['0 running', `${fInit} started`, `${fText} text:${r}`, `${fResult} result:${r}`] });
    });
  });
});
