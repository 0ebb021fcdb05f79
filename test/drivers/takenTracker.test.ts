// The poller's gate: a batch is confirmed to Telegram only once every update of it was taken in.
import { expect } from 'chai';
import { takenTracker } from '../../src/drivers/takenTracker.ts';

describe('takenTracker', () => {
  it('resolves a wait once every id is done, in any order, before or after the wait began', async () => {
    const t = takenTracker();
    t.done(3);
    let resolved = false;
    const w = t.wait([1, 2, 3]).then(() => (resolved = true));
    t.done(1);
    await Promise.resolve();
    expect(resolved, 'still waiting for 2').to.equal(false);
    t.done(2);
    await w;
    expect(resolved).to.equal(true);
  });

  it('an empty batch is taken in at once; waits do not share ids', async () => {
    const t = takenTracker();
    await t.wait([]);
    let second = false;
    void t.wait([5]).then(() => (second = true));
    t.done(4);
    await Promise.resolve();
    expect(second).to.equal(false);
    t.done(5);
    await Promise.resolve();
    await Promise.resolve();
    expect(second).to.equal(true);
  });
});
