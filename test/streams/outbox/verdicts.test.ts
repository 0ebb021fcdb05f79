// What a failed call means (pure): verdict, backoff, and the error shapes drivers throw.
import { expect } from 'chai';
import type { ApiCall } from '../../../src/domain/telegram.ts';
import { backoff, toApiError, verdict } from '../../../src/streams/outbox/verdicts.ts';
import { bold, e400, e429, e502 } from './simulate.ts';

const sendCall: ApiCall = { method: 'sendMessage', params: { chat_id: 1, text: 'x' } };
const sendWithEntities: ApiCall = { method: 'sendMessage', params: { chat_id: 1, text: 'x', entities: bold } };
const editCall: ApiCall = { method: 'editMessageText', params: { chat_id: 1, message_id: 2, text: 'x' } };
const editWithEntities: ApiCall = { method: 'editMessageText', params: { chat_id: 1, message_id: 2, text: 'x', entities: bold } };
const deleteCall: ApiCall = { method: 'deleteMessage', params: { chat_id: 1, message_id: 2 } };
const draftCall: ApiCall = { method: 'sendMessageDraft', params: { chat_id: 1, draft_id: 1, text: 'x', entities: bold } };

describe('verdict', () => {
  it('holds on 429, whatever the call', () => {
    for (const call of [sendCall, editCall, deleteCall, draftCall]) expect(verdict(call, e429(3), false)).to.equal('hold');
  });

  it('counts an unchanged edit and an already deleted message as done', () => {
    expect(verdict(editCall, e400('message is not modified: specified new message content'), false)).to.equal('done');
    expect(verdict(deleteCall, e400('message to delete not found'), false)).to.equal('done');
    expect(verdict(sendCall, e400('message is not modified'), false)).to.equal('fail');
  });

  it('falls back to plain text when a text call with entities has them rejected', () => {
    expect(verdict(sendWithEntities, e400("can't parse entities: Unsupported start tag"), false)).to.equal('plain');
    expect(verdict(editWithEntities, e400('Entities are wrong'), false)).to.equal('plain');
    expect(verdict(sendCall, e400("can't parse entities"), false)).to.equal('fail'); // already plain
    expect(verdict(draftCall, e400("can't parse entities"), false)).to.equal('fail');
  });

  it('sends an edit anew when its message is gone, or when a final answer cannot be edited', () => {
    expect(verdict(editCall, e400('message to edit not found'), false)).to.equal('asSend');
    expect(verdict(editCall, e400("message can't be edited"), true)).to.equal('asSend');
    expect(verdict(editCall, e400("message can't be edited"), false)).to.equal('fail');
    expect(verdict(sendCall, e400('chat not found'), true)).to.equal('fail');
  });

  it('retries network errors and 5xx, fails other codes', () => {
    expect(verdict(sendCall, { code: 0, description: 'ETIMEDOUT' }, false)).to.equal('retry');
    expect(verdict(sendCall, e502, false)).to.equal('retry');
    expect(verdict(sendCall, { code: 500, description: 'Internal' }, false)).to.equal('retry');
    expect(verdict(sendCall, { code: 403, description: 'Forbidden: bot was blocked by the user' }, true)).to.equal('fail');
    expect(verdict(sendCall, { code: 499, description: 'odd' }, false)).to.equal('fail');
  });
});

describe('backoff', () => {
  it('doubles from the base with each failure and caps at 30 s', () => {
    expect([1, 2, 3, 4, 6, 7, 20].map((n) => backoff(500, n))).to.deep.equal([500, 1000, 2000, 4000, 16_000, 30_000, 30_000]);
    expect(backoff(0, 5)).to.equal(0);
  });
});

describe('toApiError', () => {
  it('keeps an ApiError as it is', () => {
    expect(toApiError(e429(4))).to.deep.equal(e429(4));
  });

  it("reads Telegram's error_code and parameters.retry_after", () => {
    const err = { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 7 } };
    expect(toApiError(err)).to.deep.equal({ code: 429, description: 'Too Many Requests', retryAfter: 7 });
  });

  it("reads ntba's errorCode past its string code, and an Error's message", () => {
    const ntba = Object.assign(new Error('ETELEGRAM: 502'), { code: 'ETELEGRAM', errorCode: 502 });
    expect(toApiError(ntba)).to.deep.equal({ code: 502, description: 'ETELEGRAM: 502' });
  });

  it('makes anything else a network error (code 0) that says what it was', () => {
    expect(toApiError(new Error('socket hang up'))).to.deep.equal({ code: 0, description: 'socket hang up' });
    expect(toApiError('boom')).to.deep.equal({ code: 0, description: 'boom' });
    expect(toApiError(null)).to.deep.equal({ code: 0, description: 'null' });
    expect(toApiError({ weird: 1 })).to.deep.equal({ code: 0, description: '{"weird":1}' });
  });
});
