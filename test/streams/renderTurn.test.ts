// renderTurn$ in virtual time: one turn's events → typing, a live view (draft or edited preview), the final answer.
import { expect } from 'chai';
import type { Entity } from '../../src/domain/render/entities.ts';
import type { ResultEvent, SessionEvent } from '../../src/domain/events.ts';
import type { ChatRef, OutOp } from '../../src/domain/telegram.ts';
import { renderTurn$, toolSummary, type RenderOptions, type TurnContext } from '../../src/streams/renderTurn.ts';
import { testScheduler } from '../helpers/marbles.ts';

const dm: ChatRef = { chatId: 5 };
const group: ChatRef = { chatId: -100, threadId: 3 };
const privateCtx: TurnContext = { reqId: 'r1', chat: dm, privateChat: true, replyTo: 10, draftId: 77 };
const groupCtx: TurnContext = { reqId: 'r1', chat: group, privateChat: false, replyTo: 10, draftId: 77 };
// Live updates at most every 5 ms, typing every 15 ms; cost as the app computes it.
const opts = (ts: RenderOptions['scheduler']): RenderOptions => ({
  scheduler: ts,
  liveEveryMs: 5,
  typingEveryMs: 15,
  costOf: (t) => (t.kind === 'result' ? (t.turnCostUsd ?? t.costUsd) : undefined),
});

const delta = (text: string): SessionEvent => ({ kind: 'text_delta', text, messageId: 'm1' });
const result = (text: string): ResultEvent => ({
  kind: 'result',
  text,
  isError: false,
  subtype: 'success',
  durationMs: 1500,
  turns: 1,
  costUsd: 0.5,
  turnCostUsd: 0.0123,
  usage: {},
  denials: [],
  sessionId: 's1',
});
const FOOT = '⏱ 1.5 s · 1 turn · $0.0123';

const typing = (chat: ChatRef): OutOp => ({ op: 'typing', chat });
const draft = (text: string): OutOp => ({ op: 'draft', chat: dm, draftId: 77, text, entities: [], canStop: true });
const preview = (op: 'send' | 'edit', text: string): OutOp => (op === 'edit' ? { op, ref: 'r1:live', chat: group, text, entities: [], live: true } : { op, ref: 'r1:live', chat: group, text, entities: [] });
/** The body plus its italic footer, as the last (or only) final message shows it. */
const withFooter = (body: string, foot: string): { text: string; entities: Entity[] } => ({
  text: `${body}\n\n${foot}`,
  entities: [{ type: 'italic', offset: body.length + 2, length: foot.length }],
});
const finalSend = (chat: ChatRef, i: number, m: { text: string; entities: Entity[] }, last = true): OutOp => ({
  op: 'send',
  ref: `r1:final:${i}`,
  ...(last ? { answers: 'r1' } : {}),
  chat,
  text: m.text,
  entities: m.entities,
  replyTo: i === 0 ? 10 : undefined,
  important: true,
});

describe('renderTurn$ (virtual time)', () => {
  it('private chat: typing, drafts of the streamed text, then the answer replying to the user with a footer', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ev = cold('a 9ms b 9ms (r|)', { a: delta('Hello'), b: delta(' world'), r: result('Hello world') });
      // Typing at 0 and 15; a draft per delta (0, 10); the turn ends at 20 and typing with it.
      expectObservable(renderTurn$(ev, privateCtx, opts(ts))).toBe('(ta) 6ms b 4ms t 4ms (f|)', {
        t: typing(dm),
        a: draft('Hello'),
        b: draft('Hello world'),
        f: finalSend(dm, 0, withFooter('Hello world', FOOT)),
      });
      expectSubscriptions(ev.subscriptions).toBe('^ 19ms !');
    });
  });

  it('throttles the live view: the first view at once, the latest one when the window closes', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const ev = cold('abc 17ms (r|)', { a: delta('a'), b: delta('b'), c: delta('c'), r: result('abc') });
      expectObservable(renderTurn$(ev, privateCtx, opts(ts))).toBe('(tA) 1ms C 9ms t 4ms (f|)', {
        t: typing(dm),
        A: draft('a'),
        C: draft('abc'),
        f: finalSend(dm, 0, withFooter('abc', FOOT)),
      });
    });
  });

  it('drops a live view still waiting in the throttle when the turn ends', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      // b at 2 waits for the window to close at 5; the turn ends at 4.
      const ev = cold('a-b-(r|)', { a: delta('a'), b: delta('b'), r: result('ab') });
      expectObservable(renderTurn$(ev, privateCtx, opts(ts))).toBe('(tA)(f|)', {
        t: typing(dm),
        A: draft('a'),
        f: finalSend(dm, 0, withFooter('ab', FOOT)),
      });
    });
  });

  it('group chat: a preview message, edited, deleted once the answer is there (no tools ran)', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const ev = cold('a 9ms b 9ms (r|)', { a: delta('Hello'), b: delta(' world'), r: result('Hello world') });
      expectObservable(renderTurn$(ev, groupCtx, opts(ts))).toBe('(ts) 6ms e 4ms t 4ms (df|)', {
        t: typing(group),
        s: preview('send', 'Hello'),
        e: preview('edit', 'Hello world'),
        d: { op: 'delete', ref: 'r1:live', chat: group, live: true },
        f: finalSend(group, 0, withFooter('Hello world', FOOT)),
      });
    });
  });

  it('group chat with tools: the preview is kept as the tool log, the footer counts the tools', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const events: Record<string, SessionEvent> = {
        u: { kind: 'tool_use', id: 't1', name: 'Bash', summary: 'ls' },
        k: { kind: 'tool_result', toolUseId: 't1', ok: true, preview: 'a.txt' },
        a: delta('Done'),
        r: result('Done'),
      };
      const ev = cold('u 9ms k 9ms a 9ms (r|)', events);
      expectObservable(renderTurn$(ev, groupCtx, opts(ts))).toBe('(ts) 6ms k 4ms t 4ms a 9ms (lf|)', {
        t: typing(group),
        s: preview('send', '⏳ Bash: ls'),
        k: preview('edit', '✅ Bash: ls'),
        a: preview('edit', '✅ Bash: ls\n\nDone'),
        l: preview('edit', '✅ Bash: ls'),
        f: finalSend(group, 0, withFooter('Done', `${FOOT} · 🔧 Bash`)),
      });
    });
  });

  it('a long answer: several messages, the first replies to the user, only the last answers the turn', () => {
    const ts = testScheduler();
    const [x, y] = ['x'.repeat(3000), 'y'.repeat(3000)];
    ts.run(({ cold, expectObservable }) => {
      const ev = cold('(r|)', { r: result(`${x}\n\n${y}`) });
      expectObservable(renderTurn$(ev, privateCtx, opts(ts))).toBe('(tab|)', {
        t: typing(dm),
        a: finalSend(dm, 0, { text: x, entities: [] }, false),
        b: finalSend(dm, 1, withFooter(y, FOOT)),
      });
    });
  });

  it('a shutdown notice does not answer the turn (it stays in the journal); a crash notice does', () => {
    for (const [reason, answers] of [['shutdown', false], ['crash', true]] as const) {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const ev = cold('(f|)', { f: { kind: 'failure', reason, message: 'Stopped by the bot.' } as SessionEvent });
        expectObservable(renderTurn$(ev, privateCtx, opts(ts))).toBe('(tf|)', {
          t: typing(dm),
          f: finalSend(dm, 0, { text: '⚠️ Stopped by the bot.', entities: [] }, answers),
        });
      });
    }
  });

  it('never: typing goes on, no live view, no final, until unsubscribed', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ev = cold<SessionEvent>('-');
      expectObservable(renderTurn$(ev, privateCtx, opts(ts)), '^ 49ms !').toBe('t 14ms t 14ms t 14ms t', { t: typing(dm) });
      expectSubscriptions(ev.subscriptions).toBe('^ 49ms !');
    });
  });

  it('empty: the final of an empty view is nothing; typing stops only with a terminal event or unsubscribe', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ev = cold<SessionEvent>('|');
      // Behaviour as it is: without a result or failure, done$ never fires, so typing continues.
      expectObservable(renderTurn$(ev, privateCtx, opts(ts)), '^ 19ms !').toBe('t 14ms t', { t: typing(dm) });
      expectSubscriptions(ev.subscriptions).toBe('(^!)');
    });
  });

  it('error: the error passes through, typing and the live view stop, no final', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ev = cold('a 19ms #', { a: delta('Hi') }, new Error('boom'));
      expectObservable(renderTurn$(ev, privateCtx, opts(ts))).toBe('(ta) 11ms t 4ms #', { t: typing(dm), a: draft('Hi') }, new Error('boom'));
      expectSubscriptions(ev.subscriptions).toBe('^ 19ms !');
    });
  });

  it('early unsubscribe stops typing and the live view and unsubscribes the events', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ev = cold('a 29ms b 9ms (r|)', { a: delta('Hi'), b: delta(' there'), r: result('Hi there') });
      expectObservable(renderTurn$(ev, privateCtx, opts(ts)), '^ 19ms !').toBe('(ta) 11ms t', { t: typing(dm), a: draft('Hi') });
      expectSubscriptions(ev.subscriptions).toBe('^ 19ms !');
    });
  });

  it('the operations are plain data (no answers key unless the turn is answered)', () => {
    const ts = testScheduler();
    const seen: OutOp[] = [];
    ts.run(({ cold }) => {
      const ev = cold('(f|)', { f: { kind: 'failure', reason: 'shutdown', message: 'x' } as SessionEvent });
      renderTurn$(ev, privateCtx, opts(ts)).subscribe((op) => seen.push(op));
    });
    const sends = seen.filter((o) => o.op === 'send');
    expect(sends).to.have.length(1);
    expect(Object.keys(sends[0]!)).to.not.include('answers');
  });

  it('a fast tool turn still names its tools in the footer, though no live view showed them', () => {
    const ts = testScheduler();
    const seen: OutOp[] = [];
    ts.run(({ cold }) => {
      const use = (id: string, name: string): SessionEvent => ({ kind: 'tool_use', id, name, summary: 'x', input: {} } as SessionEvent);
      // All within one throttle window: the live view shows only the first tool.
      const ev = cold('(abcr|)', { a: use('t1', 'Bash'), b: use('t2', 'Edit'), c: use('t3', 'Bash'), r: result('Done') });
      renderTurn$(ev, privateCtx, { ...opts(ts), liveEveryMs: 1000 }).subscribe((op) => seen.push(op));
    });
    const final = seen.find((o) => o.op === 'send');
    expect(final && 'text' in final ? final.text : '').to.equal(`Done\n\n${FOOT} · 🔧 Bash ×2, Edit`);
  });
});

describe('toolSummary', () => {
  it('names each tool once, most used first, with its count', () => {
    expect(toolSummary(['Read', 'Bash', 'Edit', 'Bash'])).to.equal('Bash ×2, Read, Edit');
    expect(toolSummary(['Bash'])).to.equal('Bash');
    expect(toolSummary([])).to.equal('');
  });

  it('folds a long list after five names', () => {
    const names = ['A', 'A', 'A', 'B', 'B', 'C', 'D', 'E', 'F', 'G', 'G', 'H'];
    expect(toolSummary(names)).to.equal('A ×3, B ×2, G ×2, C, D, +3 more (3 calls)');
  });
});
