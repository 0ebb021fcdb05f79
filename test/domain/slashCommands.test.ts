// Claude Code's own commands, from fixtures recorded from the real CLI (scripts/slashScenarios.ts):
// local command output is shown, /compact says it compacted, /clear gives a new conversation id,
// the init line carries the command list; and the chat menu built from that list.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseCliLine } from '../../src/protocol/cliLine.ts';
import { toEvents } from '../../src/domain/toEvents.ts';
import type { SessionEvent } from '../../src/domain/events.ts';
import { emptyView, finalMessages, reduceView } from '../../src/streams/renderTurn.ts';
import { menuFor } from '../../src/app/menus.ts';

const dir = new URL('../../fixtures/', import.meta.url);
const eventsOf = (name: string): SessionEvent[] =>
  readFileSync(new URL(name, dir), 'utf8').split('\n').filter(Boolean).flatMap((l) => toEvents(parseCliLine(l)));
const results = (evs: SessionEvent[]) => evs.filter((e): e is Extract<SessionEvent, { kind: 'result' }> => e.kind === 'result');
/** The answer a turn's events render to (events after the previous result). */
const answerOf = (evs: SessionEvent[]) => finalMessages(evs.reduce(reduceView, emptyView())).map((m) => m.text).join('\n');
const lastTurn = (evs: SessionEvent[]) => evs.slice(evs.findLastIndex((e, i) => e.kind === 'result' && i < evs.length - 1) + 1);

describe('Claude Code commands from recorded fixtures', () => {
  it('slash-local: /context and /cost are local results, and their text is the answer', () => {
    const evs = eventsOf('slash-local.jsonl');
    expect(results(evs).map((r) => r.localCommand)).to.deep.equal(['context', 'cost']);
    expect(answerOf(evs.slice(0, evs.findIndex((e) => e.kind === 'result') + 1))).to.match(/Context Usage/);
    expect(answerOf(lastTurn(evs))).to.match(/cost/i);
  });

  it('slash-compact: the <local-command-stdout> becomes the answer ("Compacted")', () => {
    const turn = lastTurn(eventsOf('slash-compact.jsonl'));
    const [r] = results(turn);
    expect(r).to.include({ localCommand: 'compact', text: '' });
    expect(answerOf(turn)).to.match(/^Compacted/);
  });

  it('slash-clear: a new session id arrives inside the /clear turn, and the answer says a new conversation started', () => {
    const evs = eventsOf('slash-clear.jsonl');
    const started = evs.filter((e): e is Extract<SessionEvent, { kind: 'started' }> => e.kind === 'started').map((e) => e.sessionId);
    expect(new Set(started).size).to.equal(2);
    const rs = results(evs);
    expect(rs[1]).to.include({ localCommand: 'clear', sessionId: started[1] });
    expect(rs[1]!.sessionId).to.not.equal(rs[0]!.sessionId);
    const clearTurn = evs.slice(evs.indexOf(rs[0]!) + 1, evs.indexOf(rs[1]!) + 1);
    expect(clearTurn.find((e) => e.kind === 'started')).to.include({ sessionId: rs[1]!.sessionId });
    expect(answerOf(clearTurn)).to.match(/\/clear: Claude Code started a new conversation/);
  });

  it('slash-custom: init lists the custom command among slash_commands', () => {
    const started = eventsOf('slash-custom.jsonl').find((e) => e.kind === 'started') as Extract<SessionEvent, { kind: 'started' }>;
    expect(started.slashCommands).to.include.members(['greet-user', 'compact', 'clear', 'code-review']);
  });

  it('control-model: initialize and set_model are answered as control responses', () => {
    const evs = eventsOf('control-model.jsonl').filter((e) => e.kind === 'control_response');
    expect(evs.map((e) => (e as { requestId: string }).requestId)).to.deep.equal(['init_1', 'model_1']);
    expect(JSON.stringify((evs[0] as { response: unknown }).response)).to.contain('"models"');
  });
});

describe('menuFor: the chat menu', () => {
  it('the bot\'s commands first, then Claude\'s with - as _, without clashes, internals or names Telegram refuses', () => {
    const menu = menuFor(['compact', 'code-review', 'status', 'help', '__remote-workflow', 'plugin:cmd', 'model', 'x'.repeat(40)]);
    const names = menu.map((m) => m.command);
    expect(names.slice(0, 3)).to.deep.equal(['new', 'sessions', 'switch']);
    expect(names).to.include.members(['compact', 'code_review']);
    expect(names.filter((n) => n === 'status' || n === 'help' || n === 'model')).to.have.length(3); // the bot's own, once each
    expect(names.some((n) => n.startsWith('__') || n.includes(':') || n.length > 32)).to.equal(false);
    for (const m of menu) expect(m.command).to.match(/^[a-z0-9_]{1,32}$/);
  });
  it('never more than 100 entries', () => {
    expect(menuFor(Array.from({ length: 200 }, (_, i) => `c${i}`))).to.have.length(100);
  });
});
