// The lane's plain state: which ops count as important, and the bounded memory of message_ids.
import { expect } from 'chai';
import { newJob, newLane, remember } from '../../../src/streams/outbox/lane.ts';
import { draft, edit, send } from './simulate.ts';

describe('newJob', () => {
  it('is important only for a send or edit marked so', () => {
    expect([send('r', 'x', 1, { important: true }), edit('r', 'x', 1, { important: true }), send('r', 'x'), draft(1, 'x')].map((op) => newJob(op).important))
      .to.deep.equal([true, true, false, false]);
  });
});

describe('remember', () => {
  it('keeps the latest message_id per ref', () => {
    const lane = newLane(true, false);
    remember(lane, 'r', 1);
    remember(lane, 'r', 2);
    expect([...lane.messageIds]).to.deep.equal([['r', 2]]);
  });

  it('forgets the least recently sent ref beyond 10,000', () => {
    const lane = newLane(true, false);
    for (let i = 0; i < 10_000; i++) remember(lane, `r${i}`, i);
    remember(lane, 'r0', 0); // sent again: now the most recent
    remember(lane, 'new', 1);
    expect(lane.messageIds.size).to.equal(10_000);
    expect([lane.messageIds.has('r0'), lane.messageIds.has('r1'), lane.messageIds.get('new')]).to.deep.equal([true, false, 1]);
  });
});
