// CLI lines → typed session events. Pure.
import type { CliLine, ResultLine } from '../protocol/cliLine.ts';
import type { ResultEvent, SessionEvent } from './events.ts';

const oneLine = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A short, readable summary of a tool's input, e.g. "npm test" for Bash. */
export function summarizeToolInput(name: string, input: Record<string, unknown>, max = 80): string {
  const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
  const pick =
    str('command') ?? str('file_path') ?? str('path') ?? str('pattern') ?? str('url') ?? str('query') ??
    str('description') ?? str('prompt') ?? str('notebook_path');
  if (pick !== undefined) return oneLine(pick, max);
  const json = JSON.stringify(input);
  return json === '{}' ? '' : oneLine(json, max);
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((b) => (b && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string' ? (b as { text: string }).text : ''))
      .join('');
  }
  return content === undefined ? '' : JSON.stringify(content);
}

export function resultEvent(line: ResultLine): ResultEvent {
  const errors = (line.errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
  return {
    kind: 'result',
    text: line.result ?? errors.join('\n'),
    isError: line.is_error,
    subtype: line.subtype,
    terminalReason: line.terminal_reason,
    durationMs: line.duration_ms,
    turns: line.num_turns,
    costUsd: line.total_cost_usd,
    usage: line.usage,
    denials: line.permission_denials.map((d) => ({ toolName: d.tool_name, toolUseId: d.tool_use_id, input: d.tool_input })),
    sessionId: line.session_id ?? '',
    ...(line.local_command ? { localCommand: line.local_command } : {}),
  };
}

/** Maps one parsed line to zero or more events. Subagent output (parent_tool_use_id set) is not shown. */
export function toEvents(cli: CliLine): SessionEvent[] {
  switch (cli.kind) {
    case 'init':
      return [{ kind: 'started', sessionId: cli.line.session_id, model: cli.line.model, ...(cli.line.slash_commands ? { slashCommands: cli.line.slash_commands } : {}) }];
    case 'api_retry': {
      const l = cli.line;
      return [{ kind: 'api_retry', attempt: l.attempt, max: l.max_retries, delayMs: l.retry_delay_ms, status: l.error_status ?? null, error: l.error ?? 'unknown' }];
    }
    case 'assistant': {
      if (cli.line.parent_tool_use_id) return [];
      const messageId = cli.line.message.id ?? cli.line.uuid ?? '';
      const out: SessionEvent[] = [];
      for (const block of cli.line.message.content) {
        if (block.type === 'text' && typeof block.text === 'string') out.push({ kind: 'text', text: block.text, messageId });
        else if (block.type === 'thinking' && typeof block.thinking === 'string') out.push({ kind: 'thinking', text: block.thinking });
        else if (block.type === 'tool_use') {
          const b = block as { id: string; name: string; input: unknown };
          const input = b.input && typeof b.input === 'object' ? (b.input as Record<string, unknown>) : {};
          out.push({ kind: 'tool_use', id: b.id, name: b.name, summary: summarizeToolInput(b.name, input) });
        }
      }
      return out;
    }
    case 'user': {
      if (cli.line.parent_tool_use_id) return [];
      // A local command's output (/compact: "Compacted") comes as a replayed user line.
      if (typeof cli.line.message.content === 'string') {
        const local = /<local-command-stdout>([\s\S]*?)<\/local-command-stdout>/.exec(cli.line.message.content)?.[1]?.trim();
        return local ? [{ kind: 'text', text: local, messageId: cli.line.uuid ?? 'local-command' }] : [];
      }
      const out: SessionEvent[] = [];
      for (const block of cli.line.message.content) {
        if (block.type === 'tool_result') {
          const b = block as { tool_use_id: string; content?: unknown; is_error?: boolean };
          out.push({ kind: 'tool_result', toolUseId: b.tool_use_id, ok: !b.is_error, preview: oneLine(contentText(b.content), 200) });
        }
      }
      return out;
    }
    case 'result':
      return [resultEvent(cli.line)];
    case 'stream_event': {
      const ev = cli.line.event as { type: string; delta?: { type?: string; text?: string } };
      if (cli.line.parent_tool_use_id) return [];
      if (ev.type === 'content_block_delta' && ev.delta?.type === 'text_delta' && typeof ev.delta.text === 'string') {
        return [{ kind: 'text_delta', text: ev.delta.text, messageId: cli.line.api_message_id ?? '' }];
      }
      return [];
    }
    case 'control_request': {
      const req = cli.line.request as Record<string, unknown>;
      if (req.subtype === 'can_use_tool' && typeof req.tool_name === 'string') {
        const input = (req.input && typeof req.input === 'object' ? req.input : {}) as Record<string, unknown>;
        return [{
          kind: 'permission_request',
          requestId: cli.line.request_id,
          toolName: req.tool_name,
          input,
          toolUseId: typeof req.tool_use_id === 'string' ? req.tool_use_id : undefined,
          summary: summarizeToolInput(req.tool_name, input, 300),
          suggestions: suggestedRules(req.permission_suggestions),
        }];
      }
      return [{ kind: 'unknown', type: 'control_request', subtype: String(req.subtype) }];
    }
    case 'control_response': {
      const r = cli.line.response;
      return [{
        kind: 'control_response',
        requestId: r.request_id ?? '',
        ok: r.subtype === 'success',
        response: (r.subtype === 'success' ? r.response : undefined) ?? {},
        error: r.subtype === 'error' ? (r as { error: string }).error : undefined,
      }];
    }
    case 'system':
      return [{ kind: 'unknown', type: 'system', subtype: cli.line.subtype }];
    case 'unknown':
      return [{ kind: 'unknown', type: cli.type, subtype: cli.subtype }];
    case 'invalid':
      return [{ kind: 'warning', message: `Ignored a malformed line from Claude Code: ${cli.reason}` }];
  }
}

/** The allow rules of a can_use_tool request's permission_suggestions (other kinds are ignored). */
function suggestedRules(raw: unknown): { toolName: string; ruleContent?: string }[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((sug: unknown) => {
    const x = sug as { type?: unknown; behavior?: unknown; rules?: unknown };
    if (x?.type !== 'addRules' || x.behavior !== 'allow' || !Array.isArray(x.rules)) return [];
    return (x.rules as { toolName?: unknown; ruleContent?: unknown }[]).flatMap((r) =>
      typeof r?.toolName === 'string' ? [{ toolName: r.toolName, ...(typeof r.ruleContent === 'string' ? { ruleContent: r.ruleContent } : {}) }] : [],
    );
  });
}
