// One turn's events → Telegram operations: a live view while it runs (a draft in private chats,
// an edited preview message elsewhere), tool progress, retry notices, and the final answer as
// real messages with a compact footer.
import { throttleTime, connect, defaultIfEmpty, defer, filter, last, map, merge, mergeMap, of, scan, share, subscribeOn, take, takeUntil, timer, asyncScheduler, from, type Observable, type SchedulerLike } from 'rxjs';
import { isTerminal, type SessionEvent } from '../domain/events.ts';
import type { Rendered } from '../domain/render/entities.ts';
import { plain } from '../domain/render/entities.ts';
import { renderMarkdown } from '../domain/render/markdown.ts';
import { truncateRendered } from '../domain/render/split.ts';
import { joinRendered, styled } from '../domain/render/compose.ts';
import type { ChatRef, OutOp } from '../domain/telegram.ts';
import { messageRef } from '../domain/messageRef.ts';
import { answerDocument, finalMessages } from './finalAnswer.ts';

export { answerDocument, answerText, CANCELLED_TEXT, finalMessages, footer, toolSummary } from './finalAnswer.ts';

export interface TurnContext {
  reqId: string;
  chat: ChatRef;
  privateChat: boolean;
  /** The user's message, so the answer replies to it. */
  replyTo?: number;
  /** Numeric id for sendMessageDraft (non-zero). */
  draftId: number;
  /** First line of the answer (a turn nobody typed says what started it). */
  header?: string;
}

interface ToolLine {
  id: string;
  name: string;
  line: string;
  ok?: boolean;
}

export interface TurnView {
  tools: ToolLine[];
  text: string;
  sawDelta: boolean;
  lastMessageId: string;
  notes: string[];
  thinking: boolean;
  terminal?: SessionEvent;
}

export const emptyView = (): TurnView => ({ tools: [], text: '', sawDelta: false, lastMessageId: '', notes: [], thinking: false });

const addText = (v: TurnView, text: string, messageId: string): TurnView => ({
  ...v,
  text: v.text && messageId !== v.lastMessageId ? `${v.text}\n\n${text}` : v.text + text,
  lastMessageId: messageId,
  thinking: false,
});

export function reduceView(v: TurnView, e: SessionEvent): TurnView {
  switch (e.kind) {
    case 'text_delta':
      return { ...addText(v, e.text, e.messageId), sawDelta: true };
    case 'text':
      // With partial messages the deltas already carried this block (PROTOCOL.md gotcha 6).
      return v.sawDelta ? v : addText(v, e.text, e.messageId);
    case 'thinking':
      return { ...v, thinking: true };
    case 'tool_use':
      return { ...v, thinking: false, tools: [...v.tools, { id: e.id, name: e.name, line: e.summary ? `${e.name}: ${e.summary}` : e.name }] };
    case 'tool_result':
      return { ...v, tools: v.tools.map((t) => (t.id === e.toolUseId ? { ...t, ok: e.ok } : t)) };
    case 'api_retry': {
      const what = e.status ? `API error ${e.status}` : `API error (${e.error})`;
      const note = `${what}, retry ${e.attempt}/${e.max} in ${Math.max(1, Math.round(e.delayMs / 1000))} s`;
      return { ...v, notes: [...v.notes.filter((n) => !n.startsWith('API error')), note] };
    }
    case 'status':
      return { ...v, notes: [...v.notes, e.message] };
    case 'result':
    case 'failure':
      return { ...v, terminal: e };
    default:
      return v;
  }
}

const LIVE_TAIL = 1500;
/** Answers up to this many characters are rendered on the tick their turn ends. */
const RENDER_AT_ONCE = 2000;

const toolText = (t: ToolLine) => `${t.ok === undefined ? '⏳' : t.ok ? '✅' : '❌'} ${t.line}`;

/** The live view: last tools, notes, and the tail of the streamed text, within one message. */
export function liveView(v: TurnView, max = 4096): Rendered {
  const tools = v.tools.slice(-6);
  const head = [
    ...(v.tools.length > tools.length ? [plain(`… ${v.tools.length - tools.length} earlier tool calls`)] : []),
    ...tools.map((t) => plain(toolText(t))),
    ...v.notes.slice(-3).map((n) => styled(`⚠️ ${n}`, 'italic')),
    ...(v.thinking ? [styled('💭 thinking…', 'italic')] : []),
  ];
  const headR = joinRendered(head);
  // The tail of the text is enough for a live view and keeps its rendering cheap.
  const room = Math.min(LIVE_TAIL, Math.max(200, max - headR.text.length - 8));
  let tail = v.text;
  if (tail.length > room) {
    let cut = tail.length - room;
    if (/[\uDC00-\uDFFF]/.test(tail[cut] ?? '')) cut++;
    tail = `…${tail.slice(cut)}`;
  }
  const body = tail.trim() ? renderMarkdown(tail) : plain(v.tools.length || v.notes.length ? '' : '…');
  const view = joinRendered([headR, body], '\n\n');
  return view.text.length > max ? truncateRendered(view, max) : view.text.length ? view : plain('…');
}


export interface RenderOptions {
  scheduler?: SchedulerLike;
  /** Minimum ms between live view updates handed to the outbox (the outbox coalesces too). */
  liveEveryMs?: number;
  typingEveryMs?: number;
  /** Cost of this turn (the CLI reports a running total; the caller computes the difference). */
  costOf?: (e: SessionEvent) => number | undefined;
  /** Buttons for the answer's last message, known only after the turn (the Diff button); awaited. */
  finalMarkup$?: Observable<unknown>;
}

export function renderTurn$(events$: Observable<SessionEvent>, ctx: TurnContext, opts: RenderOptions = {}): Observable<OutOp> {
  const scheduler = opts.scheduler ?? asyncScheduler;
  const liveRef = messageRef.live(ctx.reqId);
  return events$.pipe(
    connect((shared$) => {
      const views$ = shared$.pipe(scan(reduceView, emptyView()), share());
      const done$ = shared$.pipe(filter(isTerminal));
      let previewSent = false;
      const live$ = views$.pipe(
        filter((v) => !v.terminal && (v.text.length > 0 || v.tools.length > 0 || v.notes.length > 0 || v.thinking)),
        // The first view goes out at once, then the latest one at most every liveEveryMs: Markdown
        // rendering costs ~5 µs a character, and the outbox paces each chat to ~1 call a second anyway.
        throttleTime(opts.liveEveryMs ?? 1000, scheduler, { leading: true, trailing: true }),
        takeUntil(done$),
        map((v): OutOp => {
          const view = liveView(v);
          if (ctx.privateChat) return { op: 'draft', chat: ctx.chat, draftId: ctx.draftId, text: view.text, entities: view.entities, canStop: true };
          const op: OutOp = previewSent
            ? { op: 'edit', ref: liveRef, chat: ctx.chat, text: view.text, entities: view.entities, live: true }
            : { op: 'send', ref: liveRef, chat: ctx.chat, text: view.text, entities: view.entities };
          previewSent = true;
          return op;
        }),
      );
      const typing$ = timer(0, opts.typingEveryMs ?? 4000, scheduler).pipe(
        takeUntil(done$),
        map((): OutOp => ({ op: 'typing', chat: ctx.chat })),
      );
      const final$ = views$.pipe(
        last(undefined, emptyView()),
        // The final message's keyboard (the Diff button) when the caller has one to wait for.
        mergeMap((v) => (opts.finalMarkup$ ?? of(undefined)).pipe(take(1), defaultIfEmpty(undefined), map((markup) => ({ v, markup })))),
        // A long answer is rendered on a later tick of the scheduler (the event loop serves other
        // chats first); a short one (under ~10 ms of rendering) at once, not a timer tick later.
        mergeMap(({ v, markup }) => {
          const ops$ = defer(() => finalOps(v, markup));
          return v.text.length > RENDER_AT_ONCE ? ops$.pipe(subscribeOn(scheduler)) : ops$;
        }),
      );
      const finalOps = (v: TurnView, markup: unknown): Observable<OutOp> => {
          const ops: OutOp[] = [];
          if (previewSent) {
            // The preview keeps the tool log; without tools it is noise once the answer is there.
            if (v.tools.length) {
              const log = joinRendered(v.tools.slice(-20).map((t) => plain(toolText(t))));
              ops.push({ op: 'edit', ref: liveRef, chat: ctx.chat, text: log.text, entities: log.entities, live: true });
            } else ops.push({ op: 'delete', ref: liveRef, chat: ctx.chat, live: true });
          }
          const cost = v.terminal ? opts.costOf?.(v.terminal) : undefined;
          // The last message's delivery answers the turn (its journal entry goes); a shutdown notice does not.
          // A usage-limit hold keeps it too: the message runs again at the reset.
          const kept = v.terminal?.kind === 'failure' && (v.terminal.reason === 'shutdown' || v.terminal.reason === 'limit');
          const doc = answerDocument(v);
          finalMessages(v, cost, ctx.header).forEach((m, i, all) => {
            ops.push({
              op: 'send',
              ref: messageRef.final(ctx.reqId, i),
              ...(i === all.length - 1 && !kept && doc === undefined ? { answers: ctx.reqId } : {}),
              chat: ctx.chat,
              text: m.text,
              entities: m.entities,
              replyTo: i === 0 ? ctx.replyTo : undefined,
              ...(i === all.length - 1 && markup !== undefined ? { replyMarkup: markup } : {}),
              important: true,
            });
          });
          if (doc !== undefined) {
            const ref = messageRef.final(ctx.reqId, ops.length);
            ops.push({ op: 'document', ref, chat: ctx.chat, fileName: 'answer.md', content: doc, caption: `The whole answer (${doc.length.toLocaleString('en-US')} characters).`, important: true, ...(!kept ? { answers: ctx.reqId } : {}) });
          }
          return from(ops);
      };
      return merge(typing$, live$, final$);
    }),
  );
}
