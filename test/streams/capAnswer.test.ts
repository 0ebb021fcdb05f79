// Huge answers stay cheap: at most a few messages, the whole text as a document; /stop drops
// queued chunks. capAnswer, renderTurn$ over a huge answer, and the outbox's document and cancel ops.
import { expect } from 'chai';
import { of } from 'rxjs';
import type { ResultEvent } from '../../src/domain/events.ts';
import type { OutOp } from '../../src/domain/telegram.ts';
import { capAnswer, HEAD_CHARS, MAX_ANSWER_MESSAGES } from '../../src/streams/capAnswer.ts';
import { renderTurn$ } from '../../src/streams/renderTurn.ts';
import { testScheduler } from '../helpers/marbles.ts';
import { DEFAULT_PACING, send, simulate } from './outbox/simulate.ts';

const result = (text: string): ResultEvent => ({
  kind: 'result', text, isError: false, subtype: 'success', durationMs: 1500, turns: 1, costUsd: 0.5, turnCostUsd: 0.01, usage: {}, denials: [], sessionId: 's1',
});

describe('capAnswer', () => {
  it('leaves a short answer alone and cuts a long one at a line break near the limit', () => {
    expect(capAnswer('short')).to.deep.equal({ head: 'short' });
    const text = `${'a'.repeat(60)}\n${'b'.repeat(50)}\n${'c'.repeat(50)}`;
    const c = capAnswer(text, 100);
    expect(c.head).to.equal('a'.repeat(60));
    expect(c.whole).to.equal(text);
  });

  it('cuts hard when there is no line break, never inside a surrogate pair', () => {
    const text = `${'x'.repeat(99)}😀${'y'.repeat(50)}`;
    const c = capAnswer(text, 100);
    expect(c.head).to.equal('x'.repeat(99));
  });
});

describe('renderTurn$ with a huge answer', () => {
  it('sends at most a few messages and the whole answer as a document that answers the turn', () => {
    const ts = testScheduler();
    const text = 'line of a huge answer\n'.repeat(500_000); // 11 MB
    const ops: OutOp[] = [];
    let took = 0;
    ts.run(({ cold }) => {
      const started = performance.now();
      renderTurn$(cold('(r|)', { r: result(text) }), { reqId: 'r1', chat: { chatId: 5 }, privateChat: true, draftId: 7 }, { scheduler: ts }).subscribe((op) => ops.push(op));
      ts.flush();
      took = performance.now() - started;
    });
    const sends = ops.filter((o): o is Extract<OutOp, { op: 'send' }> => o.op === 'send');
    const docs = ops.filter((o): o is Extract<OutOp, { op: 'document' }> => o.op === 'document');
    expect(sends.length).to.be.within(1, MAX_ANSWER_MESSAGES);
    expect(sends.every((s) => s.answers === undefined)).to.equal(true);
    expect(sends.map((s) => s.text).join('')).to.contain('more characters: the whole answer is in answer.md below');
    expect(docs).to.have.length(1);
    expect(docs[0]).to.deep.include({ fileName: 'answer.md', answers: 'r1', important: true, ref: `r1:final:${sends.length}` });
    expect(docs[0]!.content).to.equal(text);
    expect(took, 'rendering a huge answer must stay cheap').to.be.below(2000);
  });

  it('a short answer has no document', () => {
    const ts = testScheduler();
    const ops: OutOp[] = [];
    ts.run(({ cold }) => {
      renderTurn$(cold('(r|)', { r: result('x'.repeat(HEAD_CHARS)) }), { reqId: 'r1', chat: { chatId: 5 }, privateChat: true, draftId: 7 }, { scheduler: ts }).subscribe((op) => ops.push(op));
    });
    expect(ops.filter((o) => o.op === 'document')).to.have.length(0);
    expect(ops.filter((o) => o.op === 'send').at(-1)).to.deep.include({ answers: 'r1' });
  });
});

describe('outbox: document and cancel ops', () => {
  it('uploads a document as sendDocument with plain data the driver turns into a file', () => {
    const doc: OutOp = { op: 'document', ref: 'r1:final:3', chat: { chatId: 5, threadId: 2 }, fileName: 'answer.md', content: 'all of it', caption: 'The whole answer', replyTo: 9, important: true, answers: 'r1' };
    const run = simulate([[0, doc]], () => of({ message_id: 44 }), DEFAULT_PACING);
    expect(run.calls).to.deep.equal([{
      t: 0,
      method: 'sendDocument',
      params: { chat_id: 5, message_thread_id: 2, document: { fileName: 'answer.md', content: 'all of it' }, caption: 'The whole answer', reply_parameters: { message_id: 9, allow_sending_without_reply: true } },
    }]);
    expect(run.outcomes[0]!.outcome).to.deep.include({ ok: true, messageId: 44, attempts: 1 });
  });

  it('a cancel drops the queued chunks of the chat (not other chats, not the one in flight), each with an Outcome', () => {
    const chunks: OutOp[] = [0, 1, 2, 3, 4, 5].map((i) => send(`t1:final:${i}`, `chunk ${i}`, 1, { important: true }));
    const other = send('t9:final:0', 'other chat', 2, { important: true });
    const reply = send('reply:u7', 'Nothing is running.');
    const cancel: OutOp = { op: 'cancel', chat: { chatId: 1 }, refIncludes: ':final:' };
    const run = simulate([...chunks.map((c): [number, OutOp] => [0, c]), [0, other], [1500, cancel], [1500, reply]], undefined, DEFAULT_PACING);
    // A burst of 3 at 0, the 4th at 1100; the cancel at 1500 drops chunks 4 and 5.
    expect(run.calls.map((c) => c.params['text'])).to.deep.equal(['chunk 0', 'chunk 1', 'chunk 2', 'other chat', 'chunk 3', 'Nothing is running.']);
    const dropped = run.outcomes.filter((o) => o.outcome.dropped).map((o) => ('ref' in o.outcome.op ? o.outcome.op.ref : o.outcome.op.op));
    expect(dropped).to.deep.equal(['t1:final:4', 't1:final:5', 'cancel']);
    expect(run.outcomes).to.have.length(9);
  });
});
