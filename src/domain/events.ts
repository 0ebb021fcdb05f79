// The typed events one session emits. Everything the front end shows comes from these.

export interface PermissionDenial {
  toolName: string;
  toolUseId: string;
  input: Record<string, unknown>;
}

export interface ResultEvent {
  kind: 'result';
  text: string;
  isError: boolean;
  subtype: string;
  terminalReason?: string;
  durationMs: number;
  turns: number;
  /** Running total for the CLI process (PROTOCOL.md gotcha 26): read the latest, never add. */
  costUsd: number;
  /** This turn's share of costUsd (difference from the session's previous result). */
  turnCostUsd?: number;
  usage: Record<string, unknown>;
  denials: PermissionDenial[];
  sessionId: string;
  /** Set when the turn ended because the user stopped it. */
  stopped?: boolean;
  /** A Claude Code command that ran without the model (`local_command`: context, compact, clear…). */
  localCommand?: string;
}

export type SessionEvent =
  | { kind: 'running' }
  | { kind: 'started'; sessionId: string; model: string; slashCommands?: string[] }
  | { kind: 'text'; text: string; messageId: string }
  | { kind: 'thinking'; text: string }
  | { kind: 'text_delta'; text: string; messageId: string }
  | { kind: 'tool_use'; id: string; name: string; summary: string }
  | { kind: 'tool_result'; toolUseId: string; ok: boolean; preview: string }
  | { kind: 'api_retry'; attempt: number; max: number; delayMs: number; status: number | null; error: string }
  | ResultEvent
  | {
      kind: 'permission_request';
      requestId: string;
      toolName: string;
      input: Record<string, unknown>;
      toolUseId?: string;
      summary: string;
      /** The allow rules Claude Code suggests for "always" (permission_suggestions), e.g. Bash `npm test:*`. */
      suggestions?: { toolName: string; ruleContent?: string }[];
    }
  | { kind: 'control_response'; requestId: string; ok: boolean; response: Record<string, unknown>; error?: string }
  | { kind: 'warning'; message: string }
  /** A rate_limit_event (subscription logins): `rejected` means the usage limit is reached. */
  | { kind: 'rate_limit'; status: string; resetsAt?: number }
  | { kind: 'status'; message: string }
  | { kind: 'failure'; message: string; reason: FailureReason }
  | { kind: 'unknown'; type: string; subtype?: string };

export type FailureReason = 'crash' | 'startup' | 'stopped' | 'refused' | 'cancelled' | 'shutdown' | 'limit';

export type SessionEventKind = SessionEvent['kind'];

/** A turn's completion: exactly one of these ends every turn. */
export const isTerminal = (e: SessionEvent): boolean => e.kind === 'result' || e.kind === 'failure';
