// Claude Code working when nobody types, in virtual time: a turn the CLI starts by itself is shown
// as its own message (marked), a message typed during it waits visibly and is answered after it;
// a usage limit holds the queue and resumes by itself at the reset time; /stop all cancels the hold;
// an unreadable reset time means hourly retries.
import { expect } from 'chai';
import { filter, NEVER, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { Update } from 'node-telegram-bot-api';
import type { OutOp } from '../../src/domain/telegram.ts';
import { appLoop } from '../helpers/appLoop.ts';
import { initLine, resultLine, textLine } from '../helpers/lines.ts';
import { testScheduler } from '../helpers/marbles.ts';
import { scriptedCli, withFields } from '../helpers/scriptedCli.ts';

let updateId = 0;
const message = (text: string, messageId: number): Update =>
  ({ update_id: ++updateId, message: { message_id: messageId, date: 0, chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'o' }, text } }) as Update;

type Send = Extract<OutOp, { op: 'send' }>;
/** `<frame> <replied-to message or -> <first line>` of every message sent, until `untilFrame`. */
function collect(ts: TestScheduler, ops$: Observable<OutOp>, untilFrame: number): string[] {
  const seen: string[] = [];
  const sub = ops$.pipe(filter((o): o is Send => o.op === 'send')).subscribe((o) => seen.push(`${ts.now()} ${o.replyTo ?? '-'} ${o.text.split('\n')[0]}`));
  ts.schedule(() => sub.unsubscribe(), untilFrame);
  return seen;
}

describe('Claude working between turns (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = testScheduler();
    updateId = 0;
  });

  it('a turn the CLI starts by itself is its own message; a message typed during it waits, visibly, and is answered after it', () => {
    ts.run(({ hot, expectObservable }) => {
      const cli = scriptedCli(ts);
      const loop = appLoop(ts, { updates$: hot<Update>('a 29ms b', { a: message('start', 10), b: message('during', 11) }), spawn: cli.spawn });
      // At 20 the background task ends: the CLI runs a turn of its own until 50.
      ts.schedule(() => {
        cli.busyUntil(50);
        cli.push([
          JSON.stringify({ type: 'system', subtype: 'task_notification', task_id: 'b1', status: 'completed', summary: 'Background command "sleep" completed (exit code 0)' }),
          initLine('sess-1'),
          textLine('BACKGROUND DONE', 'msg_auto'),
        ]);
      }, 20);
      ts.schedule(() => cli.push([withFields(resultLine('BACKGROUND DONE'), { origin: { kind: 'task-notification' } })]), 50);
      const seen = collect(ts, loop.ops$, 300);
      ts.flush();
      expect(seen).to.deep.equal([
        '5 10 re:start',
        '30 11 ⏳ Claude Code is busy with a turn it started by itself; your message is queued and answered right after it.',
        '50 - 🔔 Background task finished: Background command "sleep" completed (exit code 0)',
        '55 11 re:during',
      ]);
      // The message typed during the CLI's own turn was written only after it: nothing attributed wrongly.
      expect(cli.written.map((w) => `${w.at} ${w.text}`)).to.deep.equal(['0 start', '50 during']);
      expect(loop.state().runtime['5/default']!.unprompted).to.equal(undefined);
    });
  });

  const HOUR = 3_600_000;
  /** The first answer to "limited" is a usage-limit error (with a rate_limit_event), later ones succeed. */
  const limitedOnce = (result: string, resetsAt?: number) => {
    let hit = false;
    return (t: string) => {
      if (t !== 'limited' || hit) return [textLine(`re:${t}`), resultLine(`re:${t}`)];
      hit = true;
      return [
        ...(resetsAt ? [JSON.stringify({ type: 'rate_limit_event', rate_limit_info: { status: 'rejected', resetsAt, rateLimitType: 'five_hour' } })] : []),
        resultLine(result, { isError: true }),
      ];
    };
  };

  it('a usage limit holds the queue until the reset time, says so, then answers by itself, in order', () => {
    ts.run(({ hot }) => {
      const cli = scriptedCli(ts, limitedOnce("You've hit your limit · resets 1am (UTC)", 3600));
      const loop = appLoop(ts, { updates$: hot<Update>('a 999ms b', { a: message('limited', 10), b: message('second', 11) }), spawn: cli.spawn, idleMs: 10 * HOUR });
      const seen = collect(ts, loop.ops$, 2 * HOUR);
      ts.flush();
      expect(seen).to.deep.equal([
        `5 10 ⏸ Claude's usage limit is reached: "You've hit your limit · resets 1am (UTC)". This session's queue is on hold until 01:00 UTC (in 60 min); your message stays queued and is answered then, automatically. /stop all cancels.`,
        `${HOUR} 10 ▶️ The usage limit has reset: answering your message now.`,
        `${HOUR + 5} 10 re:limited`,
        `${HOUR + 11} 11 re:second`,
      ]);
      // Written again only at the reset time, with a fresh uuid; the second message after it.
      expect(cli.written.map((w) => `${w.at} ${w.text}`)).to.deep.equal(['0 limited', `${HOUR} limited`, `${HOUR + 5} second`]);
      expect(new Set(cli.written.map((w) => w.uuid)).size).to.equal(3);
      const holds = loop.writes.filter((w) => w.kind === 'claudeWork').map((w) => ('limit' in w ? (w.limit ? w.limit.until : 'cleared') : 'schedules'));
      expect(holds).to.deep.equal([HOUR, 'cleared']);
      // The limited message's journal entry stays until it is really answered.
      expect(seen[0]).to.not.match(/re:limited/);
    });
  });

  it('/stop all cancels the hold and drops the held message', () => {
    ts.run(({ hot }) => {
      const cli = scriptedCli(ts, limitedOnce("You've hit your limit · resets 1am (UTC)", 3600));
      const loop = appLoop(ts, { updates$: hot<Update>('a 99ms b', { a: message('limited', 10), b: message('/stop all', 11) }), spawn: cli.spawn, idleMs: 10 * HOUR });
      const seen = collect(ts, loop.ops$, 2 * HOUR);
      ts.flush();
      // Both in the same frame (a short final answer is rendered on the tick its turn ends).
      expect([...seen.slice(1)].sort()).to.deep.equal(['100 - Nothing is running. The usage-limit hold is cancelled. Dropped 1 queued message.', '100 10 ⏹ Dropped from the queue by /stop.']);
      expect(cli.written.map((w) => w.text)).to.deep.equal(['limited']);
      expect(loop.state().runtime['5/default']!.limit).to.equal(undefined);
    });
  });

  it('an unreadable reset time: retries every hour, and says so', () => {
    ts.run(({ hot }) => {
      const cli = scriptedCli(ts, limitedOnce("You've hit your limit · resets soon"));
      const loop = appLoop(ts, { updates$: hot<Update>('a', { a: message('limited', 10) }), spawn: cli.spawn, idleMs: 10 * HOUR });
      const seen = collect(ts, loop.ops$, 2 * HOUR);
      ts.flush();
      expect(seen[0]).to.match(/I could not read when it resets, so this session retries every hour, next at 01:00 UTC/);
      // The hold started with the error result at frame 5: the retry is an hour after it.
      expect(seen.slice(1)).to.deep.equal([`${HOUR + 5} 10 ▶️ Retrying after the usage limit (hourly retry): answering your message now.`, `${HOUR + 10} 10 re:limited`]);
    });
  });
});

describe('after a restart (virtual time)', () => {
  let ts: TestScheduler;
  beforeEach(() => {
    ts = testScheduler();
  });
  const HOUR = 3_600_000;

  it('re-creates a pending wakeup and one-shot cron (run on time, marked), and names the recurring cron it dropped', () => {
    ts.run(() => {
      const cli = scriptedCli(ts);
      const schedules = [
        { kind: 'wakeup' as const, id: 'toolu_1', prompt: 'check the build', recurring: false, at: 1000 },
        { kind: 'cron' as const, id: 'c1', prompt: 'daily report', cron: '0 9 * * *', recurring: true, human: 'Every day at 9:00' },
      ];
      const loop = appLoop(ts, { updates$: NEVER, spawn: cli.spawn, saved: { limits: {}, schedules: { '5/default': schedules } } });
      const seen = collect(ts, loop.ops$, 5000);
      ts.flush();
      expect(seen[0]).to.match(/^0 - ♻️ The bot restarted\. It re-created 1 scheduled job .*\n?/);
      expect(seen[1]).to.match(/^0 - ⚠️ The bot restarted, and Claude Code forgets scheduled jobs when it stops\. These could not be re-created and were dropped:/);
      expect(seen.slice(2)).to.deep.equal(['1005 - ⏰ Scheduled (re-created by the bot after a restart): wakeup at 1970-01-01 00:00 UTC: "check the build".']);
      expect(cli.written.map((w) => `${w.at} ${w.text}`)).to.deep.equal(['1000 check the build']);
      // On disk: first only the re-created one is kept, then nothing once it ran.
      const disk = loop.writes.filter((w) => w.kind === 'claudeWork').map((w) => ('schedules' in w ? (w.schedules ?? []).map((sc) => sc.id).join(',') : 'limit'));
      expect(disk).to.deep.equal(['toolu_1', '']);
    });
  });

  it('a hold pending at the restart: the recovered message waits for the reset time, then is answered', () => {
    ts.run(() => {
      const cli = scriptedCli(ts);
      const turn = { id: '5:10', workspace: '5/default', prompt: 'limited before the restart', origin: { chat: { chatId: 5 }, privateChat: true, replyTo: 10, draftId: 3, userId: 5 }, generation: 0 };
      const loop = appLoop(ts, { updates$: NEVER, spawn: cli.spawn, recovered: [turn], saved: { limits: { '5/default': { until: HOUR, text: "You've hit your limit · resets 1am (UTC)", hourly: false } }, schedules: {} } });
      const seen = collect(ts, loop.ops$, 2 * HOUR);
      ts.flush();
      expect(seen.filter((l) => !l.includes('♻️'))).to.deep.equal([
        `0 10 ⏸ Claude's usage limit is reached: "You've hit your limit · resets 1am (UTC)". This session's queue is on hold until 01:00 UTC (in 60 min); your message stays queued and is answered then, automatically. /stop all cancels.`,
        `${HOUR} 10 ▶️ The usage limit has reset: answering your message now.`,
        `${HOUR + 5} 10 re:limited before the restart`,
      ]);
      expect(cli.written.map((w) => w.at)).to.deep.equal([HOUR]);
    });
  });
});
