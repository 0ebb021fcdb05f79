// Admission into a chat's queue: coalescing and dropped typings. Through the outbox, and admit
// directly on a Lane (it is pure on the lane's state).
import { expect } from 'chai';
import { map, of, timer } from 'rxjs';
import type { OutOp } from '../../../src/domain/telegram.ts';
import { admit } from '../../../src/streams/outbox/admit.ts';
import type { ChatOp } from '../../../src/streams/outbox/admit.ts';
import { newJob, newLane } from '../../../src/streams/outbox/lane.ts';
import type { Lane } from '../../../src/streams/outbox/lane.ts';
import { chat, del, draft, edit, ok, outcomeOf, send, simulate, timesOf, typing } from './simulate.ts';

describe('outbox', () => {
  describe('coalescing', () => {
    it('sends only the latest of quick edits; the superseded ones report with it', () => {
      const edits = [1, 2, 3, 4, 5].map((i) => edit('r', `v${i}`));
      const run = simulate([[0, send('r', 'v0')], ...edits.map((e, i): [number, OutOp] => [10 * (i + 1), e])]);
      expect(run.calls.map((c) => [c.t, c.method, c.params['text']])).to.deep.equal([
        [0, 'sendMessage', 'v0'],
        [1000, 'editMessageText', 'v5'],
      ]);
      expect(run.outcomes.slice(1)).to.deep.equal([
        ...edits.slice(0, 4).map((op) => ({ t: 1000, outcome: { op, ok: true, messageId: 100, attempts: 0, coalesced: true } })),
        { t: 1000, outcome: { op: edits[4], ok: true, messageId: 100, attempts: 1 } },
      ]);
    });

    it('keeps at most one edit queued while another is in flight', () => {
      const run = simulate(
        [[0, send('r', 'v0')], [1000, edit('r', 'v1')], [1100, edit('r', 'v2')], [1200, edit('r', 'v3')]],
        (call, n) => (call.method === 'editMessageText' ? timer(500).pipe(map(() => true)) : ok(call, n)),
      );
      expect(run.calls.map((c) => [c.t, c.params['text']])).to.deep.equal([[0, 'v0'], [1000, 'v1'], [2000, 'v3']]);
      expect(run.outcomes).to.have.length(4);
    });

    it('merges an edit into its still-queued send', () => {
      const e = edit('b', 'b-final', 1, { important: true });
      const run = simulate([[0, send('a', 'a')], [0, send('b', 'b-partial')], [10, e]]);
      expect(run.calls.map((c) => [c.t, c.method, c.params['text']])).to.deep.equal([
        [0, 'sendMessage', 'a'],
        [1000, 'sendMessage', 'b-final'],
      ]);
      expect(outcomeOf(run, e)).to.deep.equal({ t: 1000, outcome: { op: e, ok: true, messageId: 101, attempts: 0, coalesced: true } });
    });

    it('makes an edit wait for the message_id of its send in flight', () => {
      const run = simulate([[0, send('r', 'v0')], [100, edit('r', 'v1')]], (call) =>
        call.method === 'sendMessage' ? timer(1500).pipe(map(() => ({ message_id: 77 }))) : of(true),
      );
      expect(run.calls.map((c) => [c.t, c.method, c.params['message_id']])).to.deep.equal([
        [0, 'sendMessage', undefined],
        [1500, 'editMessageText', 77],
      ]);
    });

    it('does not fold an edit past a delete of the same ref', () => {
      const run = simulate([[0, send('x', 'busy')], [0, send('r', 'v0')], [0, del('r')], [0, edit('r', 'v1')]]);
      expect(run.calls.map((c) => c.method)).to.deep.equal(['sendMessage', 'sendMessage', 'deleteMessage', 'sendMessage']);
    });

    it('replaces a queued draft with the same draft_id, not others', () => {
      const d = [draft(1, 'a'), draft(1, 'ab'), draft(1, 'abc'), draft(2, 'z')];
      const run = simulate([[0, d[0]!], [100, d[1]!], [200, d[2]!], [300, d[3]!]]);
      expect(run.calls.map((c) => [c.t, c.params['draft_id'], c.params['text']])).to.deep.equal([
        [0, 1, 'a'],
        [1000, 1, 'abc'],
        [1000, 2, 'z'], // the first draft of another draft_id (a new turn) does not wait for the bucket
      ]);
      expect(outcomeOf(run, d[1]!).outcome).to.include({ ok: true, coalesced: true, attempts: 0 });
    });
  });

  describe('drafts and messages', () => {
    it('drops a queued draft when a message for its chat comes (the message ends the draft)', () => {
      const d = [draft(1, 'a'), draft(1, 'ab')];
      const other = { op: 'draft', chat: chat(1, 9), draftId: 3, text: 'topic' } as OutOp;
      const final = send('f', 'final', 1, { important: true });
      const run = simulate([[0, d[0]!], [100, d[1]!], [100, other], [200, final]]);
      expect(run.calls.map((c) => [c.t, c.method, c.params['text']])).to.deep.equal([
        [0, 'sendMessageDraft', 'a'],
        [200, 'sendMessageDraft', 'topic'], // another thread: its draft stays (FIFO behind 'ab' until then)
        [200, 'sendMessage', 'final'],
      ]);
      expect(outcomeOf(run, d[1]!)).to.deep.equal({ t: 200, outcome: { op: d[1], ok: true, attempts: 0, dropped: true } });
    });
  });

  describe('moot ops', () => {
    it('drops a queued live edit when a delete of its message comes, not an edit of another message', () => {
      const e = edit('p', 'v1', 1, { live: true });
      const keep = edit('q', 'kept', 1, { live: true });
      const run = simulate([[0, send('p', 'v0')], [0, send('q', 'w0')], [100, e], [1100, keep], [1200, { op: 'delete', ref: 'p', chat: chat(1), live: true }]]);
      expect(run.calls.map((c) => [c.method, c.params['text']])).to.deep.equal([['sendMessage', 'v0'], ['sendMessage', 'w0'], ['editMessageText', 'kept'], ['deleteMessage', undefined]]);
      expect(outcomeOf(run, e)).to.deep.equal({ t: 1200, outcome: { op: e, ok: true, attempts: 0, dropped: true } });
    });

    it('drops a typing within 4 s of a draft (the draft shows the bot at work)', () => {
      const t = typing();
      const run = simulate([[0, draft(1, 'a')], [3000, t], [5000, typing()]]);
      expect(run.calls.map((c) => [c.t, c.method])).to.deep.equal([[0, 'sendMessageDraft'], [5000, 'sendChatAction']]);
      expect(outcomeOf(run, t).outcome).to.include({ dropped: true });
    });
  });

  describe('typing', () => {
    it('sends typing to an idle chat at most once per 4 s', () => {
      const run = simulate([[0, typing()], [1000, typing()], [3999, typing()], [4000, typing()]]);
      expect(timesOf(run.calls)).to.deep.equal([0, 4000]);
      expect(run.outcomes.filter((o) => o.outcome.dropped).map((o) => o.t)).to.deep.equal([1000, 3999]);
    });

    it('drops typing when other work waits for the chat', () => {
      const t = typing();
      const run = simulate([[0, send('a', '1')], [0, send('b', '2')], [10, t]]);
      expect(run.calls.map((c) => c.method)).to.deep.equal(['sendMessage', 'sendMessage']);
      expect(outcomeOf(run, t)).to.deep.equal({ t: 10, outcome: { op: t, ok: true, attempts: 0, dropped: true } });
    });
  });
});

describe('admit', () => {
  const as = (op: OutOp) => op as ChatOp;
  const queued = (lane: Lane) => lane.queue.map((job) => ({ primary: job.primary, carried: job.carried, content: job.content, important: job.important }));

  it('queues an op as a new job in arrival order', () => {
    const lane = newLane(true, false);
    const a = send('a', '1');
    const b = del('b');
    expect(admit(lane, as(a), 0)).to.deep.equal([]);
    expect(admit(lane, as(b), 0)).to.deep.equal([]);
    expect(lane.queue.map((job) => job.primary)).to.deep.equal([a, b]);
  });

  it('drops a typing while a job runs or waits, or within 4 s of the last typing', () => {
    const t = typing();
    const busy = Object.assign(newLane(true, false), { current: newJob(send('a', '1')) });
    expect(admit(busy, as(t), 0)).to.deep.equal([{ op: t, ok: true, attempts: 0, dropped: true }]);
    expect(busy.queue).to.deep.equal([]);
    const recent = Object.assign(newLane(true, false), { lastTypingAt: 1000 });
    expect(admit(recent, as(t), 4999)).to.have.length(1);
    expect(admit(recent, as(t), 5000)).to.deep.equal([]);
    expect(recent.queue.map((job) => job.primary)).to.deep.equal([t]);
  });

  it('drops a queued typing when other work arrives', () => {
    const lane = newLane(true, false);
    const t = typing();
    const s = send('a', '1');
    admit(lane, as(t), 0);
    expect(admit(lane, as(s), 0)).to.deep.equal([{ op: t, ok: true, attempts: 0, dropped: true }]);
    expect(lane.queue.map((job) => job.primary)).to.deep.equal([s]);
  });

  it('merges an edit into its queued send: the send stays primary (answers and all) with the edit content', () => {
    const lane = newLane(true, false);
    const s = send('r', 'partial', 1, { answers: 'turn-7' });
    const e = edit('r', 'final', 1, { important: true, replyMarkup: { k: 1 } });
    admit(lane, as(s), 0);
    admit(lane, as(e), 0);
    expect(queued(lane)).to.deep.equal([
      { primary: s, carried: [s, e], content: { text: 'final', entities: undefined, replyMarkup: { k: 1 } }, important: true },
    ]);
  });

  it('replaces a queued edit with a newer edit of the same ref, not of another', () => {
    const lane = newLane(true, false);
    const [e1, e2, other] = [edit('r', 'v1'), edit('r', 'v2'), edit('q', 'v1')];
    for (const op of [e1, e2, other]) admit(lane, as(op), 0);
    expect(queued(lane)).to.deep.equal([
      { primary: e2, carried: [e1, e2], content: undefined, important: false },
      { primary: other, carried: [other], content: undefined, important: false },
    ]);
  });

  it('does not fold an edit into a job before a delete of its ref', () => {
    const lane = newLane(true, false);
    const ops = [send('r', 'v0'), del('r'), edit('r', 'v1')];
    for (const op of ops) admit(lane, as(op), 0);
    expect(lane.queue.map((job) => job.primary)).to.deep.equal(ops);
  });

  it('folds a draft only into a queued draft with the same chat, thread and draft_id', () => {
    const lane = newLane(true, false);
    const d1 = draft(1, 'a');
    const otherThread: OutOp = { op: 'draft', chat: chat(1, 9), draftId: 1, text: 'b' };
    const d2 = draft(1, 'ab');
    for (const op of [d1, otherThread, d2]) admit(lane, as(op), 0);
    expect(queued(lane).map((job) => [job.primary, job.carried])).to.deep.equal([
      [d2, [d1, d2]],
      [otherThread, [otherThread]],
    ]);
  });
});
