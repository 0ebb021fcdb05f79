// zod schemas for every stdout line of `claude -p --output-format stream-json --verbose`
// (../shared/PROTOCOL.md §3). Objects are loose: new fields never break parsing. Unknown
// types and subtypes become `unknown` lines; anything else that fails becomes `invalid`.
import { z } from 'zod';

const loose = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

export const textBlock = loose({ type: z.literal('text'), text: z.string() });
export const thinkingBlock = loose({ type: z.literal('thinking'), thinking: z.string() });
export const redactedThinkingBlock = loose({ type: z.literal('redacted_thinking') });
export const toolUseBlock = loose({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()).catch({}),
});
export const toolResultBlock = loose({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: z.unknown().optional(),
  is_error: z.boolean().optional(),
});
// Blocks are checked by their own schema, chosen by `type` (no union to try one by one);
// types we do not know stay as they are.
const blockSchemas: Record<string, z.ZodType> = {
  text: textBlock,
  thinking: thinkingBlock,
  redacted_thinking: redactedThinkingBlock,
  tool_use: toolUseBlock,
  tool_result: toolResultBlock,
};
export type ContentBlock =
  | z.infer<typeof textBlock>
  | z.infer<typeof thinkingBlock>
  | z.infer<typeof toolUseBlock>
  | z.infer<typeof toolResultBlock>
  | { type: string; [k: string]: unknown };
export const contentBlock = z.custom<ContentBlock>((v) => {
  if (typeof v !== 'object' || v === null || typeof (v as { type?: unknown }).type !== 'string') return false;
  const schema = blockSchemas[(v as { type: string }).type];
  return schema ? schema.safeParse(v).success : true;
}, 'a content block with a type (and the fields of its type)');

const envelope = { uuid: z.string().optional(), session_id: z.string().optional() };

export const systemInit = loose({
  type: z.literal('system'),
  subtype: z.literal('init'),
  session_id: z.string(),
  model: z.string().catch('unknown'),
  cwd: z.string().optional(),
  tools: z.array(z.string()).optional(),
  permissionMode: z.string().optional(),
  claude_code_version: z.string().optional(),
  slash_commands: z.array(z.string()).optional().catch(undefined),
  uuid: z.string().optional(),
});

export const systemApiRetry = loose({
  type: z.literal('system'),
  subtype: z.literal('api_retry'),
  attempt: z.number(),
  max_retries: z.number(),
  retry_delay_ms: z.number(),
  error_status: z.number().nullable().optional(),
  error: z.string().optional(),
  ...envelope,
});

export const systemOther = loose({ type: z.literal('system'), subtype: z.string(), ...envelope });

export const assistantLine = loose({
  type: z.literal('assistant'),
  message: loose({
    id: z.string().optional(),
    model: z.string().optional(),
    content: z.array(contentBlock),
  }),
  parent_tool_use_id: z.string().nullable().optional(),
  error: z.string().optional(),
  aborted: z.boolean().optional(),
  ...envelope,
});

export const userLine = loose({
  type: z.literal('user'),
  message: loose({ role: z.string().optional(), content: z.union([z.string(), z.array(contentBlock)]) }),
  parent_tool_use_id: z.string().nullable().optional(),
  isReplay: z.boolean().optional(),
  ...envelope,
});

const denial = loose({
  tool_name: z.string(),
  tool_use_id: z.string().catch(''),
  tool_input: z.record(z.string(), z.unknown()).catch({}),
});

// `is_error` decides success, never `subtype` (PROTOCOL.md gotcha 2); error subtypes have no `result` (gotcha 3).
export const resultLine = loose({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean(),
  result: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
  duration_ms: z.number().catch(0),
  num_turns: z.number().catch(0),
  total_cost_usd: z.number().catch(0),
  usage: z.record(z.string(), z.unknown()).catch({}),
  permission_denials: z.array(denial).catch([]),
  terminal_reason: z.string().optional(),
  api_error_status: z.number().nullable().optional(),
  stop_reason: z.string().nullable().optional(),
  /** Set when a slash command ran locally (/context, /compact, /clear…). */
  local_command: z.string().optional().catch(undefined),
  ...envelope,
});

// The most frequent line with partial messages: the raw API event is checked, not copied.
const typedObject = z.custom<{ type: string; [k: string]: unknown }>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string',
  'an object with a string type',
);

export const streamEventLine = loose({
  type: z.literal('stream_event'),
  event: typedObject,
  parent_tool_use_id: z.string().nullable().optional(),
  api_message_id: z.string().optional(),
  ...envelope,
});

export const controlRequestLine = loose({
  type: z.literal('control_request'),
  request_id: z.string(),
  request: loose({ subtype: z.string() }),
});

export const controlResponseLine = loose({
  type: z.literal('control_response'),
  response: z.union([
    loose({ subtype: z.literal('success'), request_id: z.string().optional(), response: z.record(z.string(), z.unknown()).optional() }),
    loose({ subtype: z.literal('error'), request_id: z.string().optional(), error: z.string().catch('unknown error') }),
  ]),
});

export const canUseToolRequest = loose({
  subtype: z.literal('can_use_tool'),
  tool_name: z.string(),
  input: z.record(z.string(), z.unknown()).catch({}),
  tool_use_id: z.string().optional(),
});

export type SystemInit = z.infer<typeof systemInit>;
export type SystemApiRetry = z.infer<typeof systemApiRetry>;
export type SystemOther = z.infer<typeof systemOther>;
export type AssistantLine = z.infer<typeof assistantLine>;
export type UserLine = z.infer<typeof userLine>;
export type ResultLine = z.infer<typeof resultLine>;
export type StreamEventLine = z.infer<typeof streamEventLine>;
export type ControlRequestLine = z.infer<typeof controlRequestLine>;
export type ControlResponseLine = z.infer<typeof controlResponseLine>;

export type CliLine =
  | { kind: 'init'; line: SystemInit }
  | { kind: 'api_retry'; line: SystemApiRetry }
  | { kind: 'system'; line: SystemOther }
  | { kind: 'assistant'; line: AssistantLine }
  | { kind: 'user'; line: UserLine }
  | { kind: 'result'; line: ResultLine }
  | { kind: 'stream_event'; line: StreamEventLine }
  | { kind: 'control_request'; line: ControlRequestLine }
  | { kind: 'control_response'; line: ControlResponseLine }
  | { kind: 'unknown'; type: string; subtype?: string; raw: Record<string, unknown> }
  | { kind: 'invalid'; reason: string; raw: string };

const known = {
  assistant: assistantLine,
  user: userLine,
  result: resultLine,
  stream_event: streamEventLine,
  control_request: controlRequestLine,
  control_response: controlResponseLine,
} as const;

const preview = (raw: string) => (raw.length > 120 ? `${raw.slice(0, 120)}… (${raw.length} chars)` : raw);

function issueText(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
}

/** Parses one stdout line. Never throws. */
export function parseCliLine(raw: string): CliLine {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { kind: 'invalid', reason: `not JSON: ${preview(raw)}`, raw };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string') {
    return { kind: 'invalid', reason: `not a typed JSON object: ${preview(raw)}`, raw };
  }
  const obj = value as Record<string, unknown> & { type: string; subtype?: unknown };
  const subtype = typeof obj.subtype === 'string' ? obj.subtype : undefined;
  const fail = (e: z.ZodError): CliLine => ({ kind: 'invalid', reason: `${obj.type}${subtype ? `/${subtype}` : ''} line failed validation (${issueText(e)}): ${preview(raw)}`, raw });

  if (obj.type === 'system') {
    const schema = subtype === 'init' ? systemInit : subtype === 'api_retry' ? systemApiRetry : systemOther;
    const r = schema.safeParse(obj);
    if (!r.success) return fail(r.error);
    if (subtype === 'init') return { kind: 'init', line: r.data as SystemInit };
    if (subtype === 'api_retry') return { kind: 'api_retry', line: r.data as SystemApiRetry };
    return { kind: 'system', line: r.data as SystemOther };
  }
  if (obj.type in known) {
    const kind = obj.type as keyof typeof known;
    const r = known[kind].safeParse(obj);
    if (!r.success) return fail(r.error);
    return { kind, line: r.data } as CliLine;
  }
  return { kind: 'unknown', type: obj.type, subtype, raw: obj };
}
