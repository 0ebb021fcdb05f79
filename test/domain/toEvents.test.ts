// toEvents: recorded CLI lines become the events the front end needs; an invalid line becomes a warning.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseCliLine } from '../../src/protocol/cliLine.ts';
import { toEvents } from '../../src/domain/toEvents.ts';
import type { SessionEvent } from '../../src/domain/events.ts';

const dir = new URL('../../fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, dir), 'utf8').split('\n').filter(Boolean);
const eventsOf = (name: string): SessionEvent[] => fixture(name).flatMap((l) => toEvents(parseCliLine(l)));
const results = (evs: SessionEvent[]) => evs.filter((e): e is Extract<SessionEvent, { kind: 'result' }> => e.kind === 'result');

describe('events from recorded fixtures', () => {
  it('simple: started, text, one successful result', () => {
    const evs = eventsOf('simple.jsonl');
    expect(evs[0]).to.include({ kind: 'started' });
    expect(evs.some((e) => e.kind === 'text')).to.equal(true);
    const [r] = results(evs);
    expect(r).to.include({ isError: false, subtype: 'success' });
    expect(r!.text).to.match(/MOCK REPLY/);
  });

  it('tool-use: a Bash tool use with a summary, its ok result, and the output in the answer', () => {
    const evs = eventsOf('tool-use.jsonl');
    const use = evs.find((e) => e.kind === 'tool_use') as Extract<SessionEvent, { kind: 'tool_use' }>;
    expect(use.name).to.equal('Bash');
    expect(use.summary).to.match(/echo/);
    expect(evs.find((e) => e.kind === 'tool_result')).to.include({ ok: true });
  });

  it('permission-denial: a finished turn that lists the denial', () => {
    const [r] = results(eventsOf('permission-denial.jsonl'));
    expect(r!.isError).to.equal(false);
    expect(r!.denials.map((d) => d.toolName)).to.include('Bash');
  });

  it('permission-prompt: a can_use_tool request becomes a permission request', () => {
    const req = eventsOf('permission-prompt.jsonl').find((e) => e.kind === 'permission_request');
    expect(req).to.include({ toolName: 'Bash' });
  });

  it('api-error-retry: retry notices, then an error result (is_error decides, not subtype)', () => {
    const evs = eventsOf('api-error-retry.jsonl');
    const retries = evs.filter((e) => e.kind === 'api_retry');
    expect(retries.length).to.be.greaterThan(0);
    expect(retries[0]).to.include({ attempt: 1, status: 500 });
    const [r] = results(evs);
    expect(r).to.include({ isError: true, subtype: 'success' });
  });

  it('error-result: a 400 is an error result with its text', () => {
    const [r] = results(eventsOf('error-result.jsonl'));
    expect(r!.isError).to.equal(true);
    expect(r!.text).to.match(/400/);
  });

  it('thinking: a thinking event before the text', () => {
    const kinds = eventsOf('thinking.jsonl').map((e) => e.kind);
    expect(kinds.indexOf('thinking')).to.be.greaterThan(-1);
    expect(kinds.indexOf('thinking')).to.be.lessThan(kinds.lastIndexOf('text'));
  });

  it('partial-messages: text deltas add up to the full text block', () => {
    const evs = eventsOf('partial-messages.jsonl');
    const deltas = evs.filter((e) => e.kind === 'text_delta').map((e) => (e as { text: string }).text).join('');
    const full = evs.filter((e) => e.kind === 'text').map((e) => (e as { text: string }).text).join('');
    expect(deltas.length).to.be.greaterThan(0);
    expect(deltas).to.equal(full);
  });

  it('multi-turn: two results in one process, one session id', () => {
    const rs = results(eventsOf('multi-turn.jsonl'));
    expect(rs).to.have.length(2);
    expect(rs[0]!.sessionId).to.equal(rs[1]!.sessionId);
  });

  it('stale-resume: an error result naming the missing conversation (no result key)', () => {
    const [r] = results(eventsOf('stale-resume.jsonl'));
    expect(r!.isError).to.equal(true);
    expect(r!.text).to.match(/No conversation found with session ID/);
  });

  it('interrupt: the interrupted turn ends with an error result, the next one succeeds', () => {
    const rs = results(eventsOf('interrupt.jsonl'));
    expect(rs.map((r) => r.isError)).to.deep.equal([true, false]);
  });
});

describe('invalid lines', () => {
  it('turns an invalid line into a warning event naming what was received', () => {
    const [w] = toEvents(parseCliLine('{"type":"result","subtype":"success"}'));
    expect(w).to.include({ kind: 'warning' });
    expect((w as { message: string }).message).to.match(/result\/success line failed validation \(is_error/);
  });
});
