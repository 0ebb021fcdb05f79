// Usage-limit shapes: recorded (fixtures/usage-limit.jsonl, the CLI with an API key against a
// gateway-style 429) and hand-written from PROTOCOL.md, the Agent SDK types and Claude Code issue
// threads (fixtures/hand-written/): what counts as a limit, and when it resets.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { holdFor, isUsageLimit, resetTimeOf } from '../../src/domain/usageLimit.ts';

const lines = (p: string) => readFileSync(new URL(`../../fixtures/${p}.jsonl`, import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const resultOf = (p: string) => lines(p).find((l) => l.type === 'result') as { result: string; api_error_status?: number };
const NOW = Date.UTC(2026, 11, 4, 12, 0);

describe('usage limits', () => {
  it('recorded: an API-key 429 from a gateway ("API Error: Request rejected (429) · … resets at <epoch>")', () => {
    const r = resultOf('usage-limit');
    expect(r.result).to.match(/^API Error: Request rejected \(429\) · usage limit reached · resets at \d{10}$/);
    expect(isUsageLimit(r.result, r.api_error_status, false)).to.equal(true);
    expect(resetTimeOf(r.result, NOW)).to.equal(Number(/(\d{10})$/.exec(r.result)![1]) * 1000);
  });

  it('hand-written: a subscription login (rate_limit_event rejected + "You\'ve hit your limit · resets 8pm (Australia/Sydney)")', () => {
    const all = lines('hand-written/usage-limit-subscription');
    const ev = all.find((l) => l.type === 'rate_limit_event') as { rate_limit_info: { resetsAt: number } };
    const r = resultOf('hand-written/usage-limit-subscription');
    expect(isUsageLimit(r.result, undefined, true)).to.equal(true);
    expect(holdFor(r.result, NOW, ev.rate_limit_info.resetsAt)).to.deep.equal({ until: 1796403600_000, text: r.result, hourly: false });
    // Without the event: 8pm in Sydney (UTC+11 in December) after 12:00 UTC is 09:00 UTC the next day.
    expect(new Date(resetTimeOf(r.result, NOW)!).toISOString()).to.equal('2026-12-05T09:00:00.000Z');
  });

  it('hand-written: an older CLI ("Claude AI usage limit reached|<epoch>")', () => {
    const r = resultOf('hand-written/usage-limit-legacy');
    expect(isUsageLimit(r.result, undefined, false)).to.equal(true);
    expect(resetTimeOf(r.result, NOW)).to.equal(1750708800_000);
  });

  it('"Limit reached · resets 11:30am (Asia/Calcutta)" and a time without a zone (UTC)', () => {
    expect(new Date(resetTimeOf('Limit reached · resets 11:30am (Asia/Calcutta) · /upgrade to Max', NOW)!).toISOString()).to.equal('2026-12-05T06:00:00.000Z');
    expect(new Date(resetTimeOf("You've hit your limit · resets 3pm", NOW)!).toISOString()).to.equal('2026-12-04T15:00:00.000Z');
  });

  it('unreadable reset times fall back to an hourly retry; other errors are not limits', () => {
    expect(holdFor("You've hit your limit · resets soon", NOW)).to.deep.equal({ until: NOW + 3_600_000, text: "You've hit your limit · resets soon", hourly: true });
    expect(holdFor('usage limit reached · resets 9pm (Mars/Olympus)', NOW).hourly).to.equal(true);
    expect(isUsageLimit('API Error: 500 boom', 500, false)).to.equal(false);
    expect(isUsageLimit('API Error: 400 bad', null, false)).to.equal(false);
  });
});
