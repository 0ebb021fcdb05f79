// A scripted Claude Code for virtual-time app tests that speaks the 2.1.330 turn protocol: each
// user message gets command_lifecycle queued/started, init, the reply and a result carrying its
// uuid, one turn at a time; `push` emits lines of a turn the CLI starts by itself.
import { Observable, Subject, type Subscriber } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { ProcOut } from '../../src/domain/claude.ts';
import type { ProcessSpec } from '../../src/drivers/claude/process.ts';
import { initLine, resultLine, textLine } from './lines.ts';

export const lifecycle = (uuid: string, state: string, extra: Record<string, unknown> = {}) => JSON.stringify({ type: 'command_lifecycle', command_uuid: uuid, state, ...extra, uuid: 'x', session_id: 'sess-1' });
export const withFields = (line: string, fields: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(line), ...fields });

export interface ScriptedCli {
  spawn: (spec: () => ProcessSpec, stdin$: Observable<string>) => Observable<ProcOut>;
  /** Emits lines now (a turn the CLI starts by itself, task progress). */
  push(lines: string[]): void;
  /** When the CLI is free again after a turn it started by itself (the queued messages run then). */
  busyUntil(frame: number): void;
  written: { at: number; text: string; uuid?: string }[];
}

/** `reply(text)`: the lines of the answer (default: text "re:<text>" and a success result). */
export function scriptedCli(ts: TestScheduler, reply: (text: string) => string[] = (t) => [textLine(`re:${t}`), resultLine(`re:${t}`)], delay = 5): ScriptedCli {
  let sub: Subscriber<ProcOut> | undefined;
  let free = 0;
  const emit = (line: string) => sub?.next({ kind: 'stdout', line });
  const cli: ScriptedCli = {
    written: [],
    push: (lines) => lines.forEach(emit),
    busyUntil: (frame) => (free = frame),
    spawn: (_spec, stdin$) =>
      new Observable<ProcOut>((s) => {
        sub = s;
        s.next({ kind: 'spawned', pid: 9 });
        const done = new Subject<void>();
        const inner = stdin$.subscribe((l) => {
          const m = JSON.parse(l) as { type: string; uuid?: string; message?: { content: string } };
          if (m.type !== 'user') return;
          const text = String(m.message?.content);
          cli.written.push({ at: ts.now(), text, uuid: m.uuid });
          if (m.uuid) emit(lifecycle(m.uuid, 'queued'));
          // One turn at a time: after the CLI's own turn (busyUntil) and after earlier messages.
          const start = Math.max(ts.now(), free) + delay;
          free = start + 1;
          ts.schedule(() => {
            if (m.uuid) emit(lifecycle(m.uuid, 'started'));
            emit(initLine('sess-1'));
            for (const line of reply(text)) emit(line.includes('"type":"result"') && m.uuid ? withFields(line, { user_message_uuid: m.uuid, user_message_uuids: [m.uuid] }) : line);
            if (m.uuid) emit(lifecycle(m.uuid, 'completed'));
          }, start - ts.now());
        });
        return () => (inner.unsubscribe(), done.next());
      }),
  };
  return cli;
}
