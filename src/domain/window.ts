// The CLI's output is one continuous stream; a *window* is the run of lines of one model turn.
// User turns are matched to the user message that started them (its uuid, PROTOCOL.md §3.7
// command_lifecycle); the CLI also starts turns by itself (PROTOCOL-TOOLS.md §4).

/** Why the CLI started a turn nobody typed. */
export type WindowCause =
  /** A background task finished (`task_notification`, then a result with origin task-notification). */
  | { kind: 'task'; summary: string; taskId?: string }
  /** A ScheduleWakeup (`loop_wakeup`) or a cron job (`schedule_wakeup`) fired. */
  | { kind: 'wakeup'; source: string; scheduledFor?: number }
  | { kind: 'unknown' };

export type WindowOwner =
  /** The turn of a user message; no uuid: a CLI without command_lifecycle, the waiting user turn. */
  | { kind: 'user'; uuid?: string }
  | { kind: 'auto'; id: string; cause: WindowCause };

export interface WindowTag {
  /** Undefined: between turns (task progress, lifecycle bookkeeping). */
  owner?: WindowOwner;
  opens?: boolean;
  closes?: boolean;
  /** A command_lifecycle line: its state for its command. */
  lifecycle?: string;
}

/** The first line of an unprompted turn's message. */
export function causeHeader(cause: WindowCause): string {
  switch (cause.kind) {
    case 'task':
      return `🔔 Background task finished: ${cause.summary}`;
    case 'wakeup':
      return cause.source === 'schedule_wakeup' ? '⏰ Scheduled (a cron job Claude set up fired)' : '⏰ Scheduled (a wakeup Claude set up fired)';
    case 'unknown':
      return '🤖 Claude Code started this turn by itself';
  }
}
