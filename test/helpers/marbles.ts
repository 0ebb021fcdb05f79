// The one TestScheduler every marble test uses: deep equality through chai.
import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';

export const testScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
