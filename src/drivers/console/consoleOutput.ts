// The console chat's output: the app's Telegram operations written to a terminal. The live draft
// streams (tool lines as they start, the text as it grows), final messages print in full with
// their footer, prompts list their answers (y / n / a).
import { map, type Observable } from 'rxjs';
import type { OutOp, Outcome } from '../../domain/telegram.ts';
import type { OpenPrompt } from './consoleInput.ts';

const TOOL_LINE = /^(⏳|✅|❌) /;
const KEYS = ['y', 'n', 'a'];

interface Live {
  tools: Set<string>;
  text: string;
}

export class ConsoleOutput {
  private nextMessageId = 1;
  private readonly live = new Map<number, Live>();
  private readonly refs = new Map<string, number>();
  private midLine = false;

  constructor(
    private readonly write: (s: string) => void,
    private readonly prompts: { promptOpened(p: OpenPrompt): void; promptClosed(messageId: number): void },
    private readonly color: boolean,
  ) {}

  deliver$(ops$: Observable<OutOp>): Observable<Outcome> {
    return ops$.pipe(map((op): Outcome => ({ op, ok: true, attempts: 1, messageId: this.show(op) })));
  }

  private dim = (s: string) => (this.color ? `\x1b[2m${s}\x1b[0m` : s);

  private line(s: string): void {
    if (this.midLine) this.write('\n');
    this.midLine = false;
    this.write(`${s}\n`);
  }

  private show(op: OutOp): number | undefined {
    switch (op.op) {
      case 'draft':
        this.draft(op.draftId, op.text);
        return undefined;
      case 'send': {
        const id = this.nextMessageId++;
        this.refs.set(op.ref, id);
        const buttons = keyboard(op.replyMarkup);
        if (buttons.length) {
          this.line(`\n❓ ${op.text}`);
          this.line(`   ${buttons.map((b, i) => `[${KEYS[i] ?? i + 1}] ${b.text}`).join('   ')}`);
          this.prompts.promptOpened({ messageId: id, data: buttons.map((b) => b.data) });
        } else {
          this.live.clear();
          this.line(`\n${op.text}`);
        }
        return id;
      }
      case 'edit': {
        const id = this.refs.get(op.ref);
        // Only prompts are edited in a private chat: show how they were closed.
        if (id !== undefined && keyboard(op.replyMarkup).length === 0 && /^(perm|stall):/.test(op.ref)) {
          this.prompts.promptClosed(id);
          this.line(`   → ${op.text}`);
        }
        return id;
      }
      default:
        return undefined;
    }
  }

  /** New tool lines, then whatever the streamed text grew by. */
  private draft(draftId: number, text: string): void {
    const l = this.live.get(draftId) ?? { tools: new Set<string>(), text: '' };
    this.live.set(draftId, l);
    const lines = text.split('\n');
    for (const t of lines.filter((x) => TOOL_LINE.test(x))) {
      const key = t.slice(2).trim();
      if (l.tools.has(key)) continue;
      l.tools.add(key);
      this.line(this.dim(`  🔧 ${key}`));
    }
    const body = lines.filter((x) => !TOOL_LINE.test(x) && !x.startsWith('💭') && !x.startsWith('⚠️')).join('\n').trim();
    if (body && body !== '…' && body.startsWith(l.text)) {
      const more = body.slice(l.text.length);
      if (more) {
        this.write(this.dim(more));
        this.midLine = true;
      }
      l.text = body;
    }
  }
}

function keyboard(markup: unknown): { text: string; data: string }[] {
  const rows = (markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return rows.flat().flatMap((b) => (b.callback_data ? [{ text: b.text, data: b.callback_data }] : []));
}
