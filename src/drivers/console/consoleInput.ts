// The console chat's input: each typed line becomes a Telegram-shaped message update in chat
// "console"; y / n / a answer the oldest open prompt (permission, stall) as a button press would.
// At end of input it waits until the app is idle, denying prompts nobody can answer any more.
import { createInterface } from 'node:readline';
import { Observable, filter, take, type Subscription } from 'rxjs';
import type { Update } from 'node-telegram-bot-api';
import { CONSOLE_CHAT_ID } from '../../domain/turn.ts';

export const CONSOLE_USER_ID = 1;
export const MAX_LINE = 64 * 1024;

export interface OpenPrompt {
  messageId: number;
  /** callback_data of its buttons, in order (Allow, Deny, Allow for session / Keep waiting, Stop). */
  data: string[];
}

const ANSWERS: Record<string, number> = { y: 0, yes: 0, n: 1, no: 1, a: 2, always: 2, '1': 0, '2': 1, '3': 2 };

// Control characters (binary on stdin) would garble the prompt and the terminal: dropped.
const clean = (line: string): string => line.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');

export class ConsoleInput {
  private readonly prompts: OpenPrompt[] = [];
  private readonly held: number[] = [];
  private emit?: (u: Update) => void;
  private eof = false;
  private nextId = Date.now(); // message ids never repeat across runs (turn ids are chat:message)

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly say: (text: string) => void,
  ) {}

  /** A prompt with buttons was shown: an answer held back, or the end of input, answers it now. */
  promptOpened(p: OpenPrompt): void {
    this.prompts.push(p);
    const held = this.held.shift();
    if (held !== undefined) return this.answer(held);
    if (this.eof) {
      this.say('(end of input: answering no)');
      this.answer(1);
    }
  }

  /** A prompt was closed (answered, timed out, expired). */
  promptClosed(messageId: number): void {
    const i = this.prompts.findIndex((p) => p.messageId === messageId);
    if (i >= 0) this.prompts.splice(i, 1);
  }

  /** `idle$`: whether the app has nothing left to do (no turn pending, no open question). */
  updates$(idle$: Observable<boolean>, onInterrupt: () => void): Observable<Update> {
    return new Observable<Update>((subscriber) => {
      this.emit = (u) => subscriber.next(u);
      const rl = createInterface({ input: this.input, crlfDelay: Infinity, terminal: false });
      let idleSub: Subscription | undefined;
      rl.on('line', (raw) => {
        if (raw.length > MAX_LINE) return this.say(`That line is ${raw.length} characters long; the limit is ${MAX_LINE}. Put long text in a file in the session directory and name it instead.`);
        const line = clean(raw).trim();
        if (!line) return;
        const answer = ANSWERS[line.toLowerCase()];
        if (answer !== undefined && this.prompts.length) return this.answer(answer);
        // Typed ahead (or piped): kept for the next question.
        if (answer !== undefined && /^(y|n|a|yes|no|always)$/i.test(line)) {
          this.held.push(answer);
          return this.say('(no question is open: this answers the next one)');
        }
        this.message(line);
      });
      rl.on('close', () => {
        this.eof = true;
        // Everything typed has reached the app; end once it has nothing left to do.
        idleSub = idle$.pipe(filter(Boolean), take(1)).subscribe(() => {
          if (this.held.length) this.say(`(${this.held.length} answer(s) left over: no question asked for them)`);
          subscriber.complete();
        });
      });
      rl.on('SIGINT', onInterrupt);
      return () => {
        idleSub?.unsubscribe();
        rl.close();
      };
    });
  }

  private message(text: string): void {
    const message_id = ++this.nextId;
    this.emit?.({
      update_id: message_id,
      message: { message_id, date: Math.floor(Date.now() / 1000), chat: { id: CONSOLE_CHAT_ID, type: 'private', first_name: 'console' }, from: { id: CONSOLE_USER_ID, is_bot: false, first_name: 'console' }, text },
    } as Update);
  }

  private answer(choice: number): void {
    const p = this.prompts[0];
    if (!p) return;
    const data = p.data[Math.min(choice, p.data.length - 1)];
    const id = ++this.nextId;
    this.emit?.({
      update_id: id,
      callback_query: { id: String(id), from: { id: CONSOLE_USER_ID, is_bot: false, first_name: 'console' }, chat_instance: 'console', data, message: { message_id: p.messageId, date: 0, chat: { id: CONSOLE_CHAT_ID, type: 'private' } } },
    } as unknown as Update);
  }
}
