// A fake Anthropic Messages API for tests: the real `claude` CLI is pointed at it with
// ANTHROPIC_BASE_URL (see cliEnv.ts). It listens on 127.0.0.1 (ephemeral port), records every
// request, and answers `POST /v1/messages` with Server-Sent Events in the Messages API streaming
// format (or plain JSON when `stream` is false).
//
// What the 2.1.330 CLI sends (observed, see fixtures/README.md):
//   - `POST /v1/messages?beta=true` for every model call (`stream: true` in all calls seen). A conversation
//     request has `tools`, a `system` array, and a role:"system" message inside `messages`
//     carrying the "# Environment" block ("Primary working directory: <cwd>"); on the first
//     request it is the LAST message. The user's text is in the last role:"user" message, next to
//     text blocks the CLI adds (`<system-reminder>`, `[Request interrupted by user]`, …), which
//     `lastUserText` leaves out.
//   - A 400 is re-sent up to 5 more times with fewer betas (no api_retry lines); 5xx/429/529 are
//     retried CLAUDE_CODE_MAX_RETRIES times.
//   - Plain `-p` turns make no auxiliary model calls. Seen: a prompt-suggestion fork
//     (`--prompt-suggestions`, from the 2nd turn), a compaction call (`/compact`), subagent calls
//     (Agent tool), and `HEAD /api/hello` when CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC is unset.
//   - With CLAUDE_CODE_GATEWAY_HINT_HEADERS=1 (makeCliEnv sets it) every model call carries
//     `x-claude-code-request-class: main|subagent|auxiliary|compaction|workflow`, which is what
//     `kind`/`isMain` are based on. Without the header a heuristic is used (tools present,
//     max_tokens > 1, no forced JSON format, not a quota probe / suggestion / compaction prompt;
//     subagent calls then count as main).
//
// The director (if any) decides replies for main and subagent requests; auxiliary requests get
// auxiliaryReply(). Default replies are driven by markers in the last user text (first matching
// rule wins, in this order):
//   tool_result in the last user message → `TOOL RESULT: <content>`
//   [[bash: CMD]]            → tool_use Bash {command: CMD, description: 'run it'}
//   [[bgbash: CMD]]          → tool_use Bash {command: CMD, run_in_background: true}
//   [[wakeup: S PROMPT]]     → tool_use ScheduleWakeup {delaySeconds: S, prompt: PROMPT} (the CLI clamps to ≥ 60 s)
//   [[cron: EXPR | PROMPT]]  → tool_use CronCreate {cron: EXPR, prompt: PROMPT, recurring: false}
//   [[limit: S]]             → a usage-limit 429 resetting in S seconds (usageLimitError)
//   a <task-notification>    → `BACKGROUND DONE: <summary>`, streamed over ~2.5 s
//   [[write: PATH CONTENT]]  → tool_use Write {file_path: <cwd>/PATH, content: CONTENT}
//   [[long: N]]              → text of exactly N characters
//   [[error: S]]             → HTTP error S with the Anthropic error body
//   [[slow: MS]]             → `MOCK REPLY to: <text>` in ~10 chunks spread over MS ms
//   [[thinking]]             → a thinking block, then a text block
//   otherwise                → `MOCK REPLY to: <last user text, max 200 chars>`
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';

// ---------------------------------------------------------------------------------------------
// Types

export interface TextBlockParam {
  type: 'text';
  text: string;
  [k: string]: unknown;
}

export interface ContentBlockParam {
  type: string;
  [k: string]: unknown;
}

export interface MessageParam {
  role: string; // 'user' | 'assistant' | 'system' (the CLI sends a role:"system" message too)
  content: string | ContentBlockParam[];
  [k: string]: unknown;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  input_schema?: unknown;
  [k: string]: unknown;
}

/** The parsed JSON body of a Messages API request (open: the CLI sends many more fields). */
export interface MessagesRequestBody {
  model?: string;
  system?: string | ContentBlockParam[];
  messages?: MessageParam[];
  tools?: ToolDefinition[];
  stream?: boolean;
  max_tokens?: number;
  thinking?: unknown;
  metadata?: unknown;
  output_config?: { format?: { type?: string; schema?: unknown }; [k: string]: unknown };
  [k: string]: unknown;
}

/**
 * - `main`: the CLI's own conversation turn (`x-claude-code-request-class: main`).
 * - `subagent`: a model call made for a subagent (Agent/Task tool) or a workflow.
 * - `auxiliary`: anything the CLI asks by itself (title, prompt suggestion, quota probe,
 *   cache warm-up, compaction, …).
 * - `other`: not a `POST /v1/messages` call (count_tokens, /api/hello, unknown paths).
 */
export type RequestKind = 'main' | 'subagent' | 'auxiliary' | 'other';

export interface ToolResultInfo {
  tool_use_id: string;
  /** The tool_result content flattened to text. */
  content: string;
  is_error: boolean;
}

export interface ModelRequest {
  /** 1-based arrival order over all requests to this server. */
  seq: number;
  method: string;
  /** Path plus query, as received (e.g. `/v1/messages?beta=true`). */
  url: string;
  /** Path without the query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; `{}` when the body was empty or not JSON. */
  body: MessagesRequestBody;
  /** True for the CLI's real conversation turns (see RequestKind). */
  isMain: boolean;
  kind: RequestKind;
  /** The `x-claude-code-request-class` header, when the CLI sent it. */
  requestClass?: string;
  /**
   * Text blocks of the last role:"user" message joined with '\n', without the blocks the CLI adds
   * itself (`<system-reminder>…`, `[Request interrupted by user]`, slash-command echoes, the
   * post-compaction preamble), unless nothing else is left.
   */
  lastUserText: string;
  /** tool_result blocks of the last role:"user" message. */
  toolResults: ToolResultInfo[];
  /** The CLI's working directory, parsed from its environment block, when found. */
  cwd?: string;
  /** What the server answered (set just before the answer is sent; absent for `other`). */
  reply?: Reply;
}

export type Reply =
  | { text: string; chunkSize?: number; delayMs?: number }
  | { toolUse: { name: string; input: Record<string, unknown> }; text?: string }
  | { thinking: string; text: string }
  | { error: { status: number; type?: string; message?: string; headers?: Record<string, string> } };

/**
 * Decides the reply for a conversation request (kind `main` or `subagent`). Return undefined to
 * fall through to the marker-driven default. Auxiliary requests never reach the director.
 */
export type Director = (req: ModelRequest) => Reply | undefined;

export interface FakeModel {
  /** Base URL for ANTHROPIC_BASE_URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every request received, in order (including auxiliary and non-messages requests). */
  requests: ModelRequest[];
  /** Only the conversation requests (`isMain`). */
  mainRequests(): ModelRequest[];
  setDirector(d: Director | undefined): void;
  /** Stops listening and destroys open sockets (in-flight slow streams end at once). */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Request analysis

// Text blocks the CLI puts into a user message by itself (not the user's words): reminders,
// interrupt markers, slash-command echoes, the post-compaction summary preamble.
const CLI_INJECTED_RE = [
  /^\s*<system-reminder>/,
  /^\s*\[Request interrupted by user[^\]]*\]\s*$/,
  /^\s*<local-command-caveat>/,
  /^\s*<command-name>/,
  /^\s*<command-message>/,
  /^\s*<local-command-std(out|err)>/,
  /^This session is being continued from a previous conversation/,
];
const INTERRUPT_RE = /\[Request interrupted by user[^\]]*\]/;
const INTERRUPT_SPLIT_RE = /\[Request interrupted by user[^\]]*\]/g;
const isInjected = (t: string) => CLI_INJECTED_RE.some((re) => re.test(t));
// Prompts of auxiliary requests that look like conversation requests (same tools, same limits).
const SUGGESTION_RE = /^\s*\[SUGGESTION MODE/;
const COMPACTION_RE = /^\s*CRITICAL: Respond with TEXT ONLY/;
const CWD_RE = /Primary working directory:\s*(\S[^\n]*)/;

function blocksOf(content: MessageParam['content'] | undefined): ContentBlockParam[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

/** Flattens a tool_result `content` (string or blocks) to text. */
export function contentToText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((b) => {
        if (b && typeof b === 'object' && (b as { type?: unknown }).type === 'text') return String((b as { text?: unknown }).text ?? '');
        if (b && typeof b === 'object') return `[${String((b as { type?: unknown }).type ?? 'block')}]`;
        return String(b);
      })
      .join('\n');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

function lastUserMessage(body: MessagesRequestBody): MessageParam | undefined {
  const msgs = Array.isArray(body.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === 'user') return msgs[i];
  return undefined;
}

function userTextOf(msg: MessageParam | undefined): string {
  if (!msg) return '';
  const all = blocksOf(msg.content)
    .filter((b): b is TextBlockParam => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text);
  // A prompt stopped before its answer is merged, marked interrupted, into the next user
  // message: the prompt is what follows the last interrupt marker (a block, or inside one).
  const cut = all.findLastIndex((t) => INTERRUPT_RE.test(t));
  const texts = cut < 0 ? all : [all[cut]!.split(INTERRUPT_SPLIT_RE).at(-1)!.trimStart(), ...all.slice(cut + 1)].filter((t) => t.trim());
  const own = texts.filter((t) => !isInjected(t));
  return (own.length ? own : texts).join('\n');
}

function toolResultsOf(msg: MessageParam | undefined): ToolResultInfo[] {
  if (!msg) return [];
  return blocksOf(msg.content)
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({
      tool_use_id: String(b.tool_use_id ?? ''),
      content: contentToText(b.content),
      is_error: b.is_error === true,
    }));
}

function allTexts(body: MessagesRequestBody): string[] {
  const out: string[] = [];
  const sys = body.system;
  if (typeof sys === 'string') out.push(sys);
  else if (Array.isArray(sys)) for (const b of sys) if (typeof b.text === 'string') out.push(b.text);
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    if (m.role === 'assistant') continue;
    for (const b of blocksOf(m.content)) if (b.type === 'text' && typeof b.text === 'string') out.push(b.text);
  }
  return out;
}

function findCwd(body: MessagesRequestBody): string | undefined {
  for (const t of allTexts(body)) {
    const m = CWD_RE.exec(t);
    if (m?.[1]) return m[1].trim();
  }
  return undefined;
}

function headerValue(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function classify(method: string, p: string, headers: IncomingHttpHeaders, body: MessagesRequestBody): { kind: RequestKind; requestClass?: string } {
  if (method !== 'POST' || p !== '/v1/messages') return { kind: 'other' };
  const requestClass = headerValue(headers, 'x-claude-code-request-class');
  if (requestClass !== undefined) {
    if (requestClass === 'main') return { kind: 'main', requestClass };
    if (requestClass === 'subagent' || requestClass === 'workflow') return { kind: 'subagent', requestClass };
    return { kind: 'auxiliary', requestClass };
  }
  // Heuristic when the hint header is absent.
  const tools = Array.isArray(body.tools) ? body.tools : [];
  const forcedFormat = body.output_config?.format !== undefined;
  const lastText = userTextOf(lastUserMessage(body)).trim();
  const probe = (body.max_tokens ?? 2) <= 1 || lastText === 'quota';
  const fork = SUGGESTION_RE.test(lastText) || COMPACTION_RE.test(lastText);
  if (tools.length > 0 && !forcedFormat && !probe && !fork) return { kind: 'main' };
  return { kind: 'auxiliary' };
}

// ---------------------------------------------------------------------------------------------
// Default replies

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function errorTypeFor(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

const FILLER =
  'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. ' +
  'Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.\n';

/** Deterministic filler text of exactly n characters. */
export function fillerText(n: number): string {
  if (n <= 0) return '';
  return FILLER.repeat(Math.ceil(n / FILLER.length)).slice(0, n);
}

function echo(text: string): string {
  return `MOCK REPLY to: ${text.slice(0, 200)}`;
}

/** The built-in marker-driven reply for a conversation request. */
export function defaultReply(req: ModelRequest): Reply {
  if (req.toolResults.length > 0) {
    return { text: `TOOL RESULT: ${req.toolResults.map((r) => r.content).join('\n')}` };
  }
  const t = req.lastUserText;
  let m: RegExpExecArray | null;
  if ((m = /\[\[bash:\s*([\s\S]*?)\s*\]\]/.exec(t))) {
    return { toolUse: { name: 'Bash', input: { command: m[1] ?? '', description: 'run it' } } };
  }
  if ((m = /\[\[bgbash:\s*([\s\S]*?)\s*\]\]/.exec(t))) {
    return { toolUse: { name: 'Bash', input: { command: m[1] ?? '', description: 'background job', run_in_background: true } } };
  }
  if ((m = /\[\[wakeup:\s*(\d+)\s+([\s\S]*?)\s*\]\]/.exec(t))) {
    return { toolUse: { name: 'ScheduleWakeup', input: { delaySeconds: Number(m[1]), reason: 'asked to check back', prompt: m[2] ?? '', noop: false } } };
  }
  if ((m = /\[\[cron:\s*([^|\]]+?)\s*\|\s*([\s\S]*?)\s*\]\]/.exec(t))) {
    return { toolUse: { name: 'CronCreate', input: { cron: m[1] ?? '', prompt: m[2] ?? '', recurring: false } } };
  }
  if ((m = /\[\[limit:\s*(\d+)\s*\]\]/.exec(t))) {
    return { error: usageLimitError(Number(m[1])) };
  }
  if ((m = /<task-notification>[\s\S]*?<summary>([\s\S]*?)<\/summary>/.exec(t))) {
    // The CLI's own follow-up turn for a finished background task; slow enough to type into.
    const text = `BACKGROUND DONE: ${m[1] ?? ''}`;
    return { text, chunkSize: Math.max(1, Math.ceil(text.length / 10)), delayMs: 250 };
  }
  if ((m = /\[\[write:\s*(\S+)(?:\s([\s\S]*?))?\]\]/.exec(t))) {
    const rel = m[1] ?? '';
    const filePath = path.isAbsolute(rel) || !req.cwd ? rel : path.join(req.cwd, rel);
    return { toolUse: { name: 'Write', input: { file_path: filePath, content: m[2] ?? '' } } };
  }
  if ((m = /\[\[long:\s*(\d+)\s*\]\]/.exec(t))) {
    return { text: fillerText(Number(m[1])) };
  }
  if ((m = /\[\[error:\s*(\d{3})\s*\]\]/.exec(t))) {
    return { error: { status: Number(m[1]) } };
  }
  if ((m = /\[\[slow:\s*(\d+)\s*\]\]/.exec(t))) {
    const text = echo(t);
    return { text, chunkSize: Math.max(1, Math.ceil(text.length / 10)), delayMs: Math.round(Number(m[1]) / 10) };
  }
  if (/\[\[thinking\]\]/.test(t)) {
    return { thinking: 'Let me think about this. The user asked something; I will answer it.', text: echo(t) };
  }
  return { text: echo(t) };
}

/**
 * A usage-limit 429 as a gateway sends it (the `anthropic-ratelimit-unified-*` headers the CLI reads,
 * retry disabled), resetting `resetsInS` seconds from now. With an API key the CLI prints
 * `API Error: Request rejected (429) · <message>`; subscription logins compose their own text.
 */
export function usageLimitError(resetsInS: number): { status: number; type: string; message: string; headers: Record<string, string> } {
  const reset = Math.round(Date.now() / 1000) + resetsInS;
  return {
    status: 429,
    type: 'rate_limit_error',
    message: `usage limit reached · resets at ${reset}`,
    headers: {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': String(reset),
      'retry-after': String(resetsInS),
      'x-should-retry': 'false',
    },
  };
}

/** Builds a value that satisfies a (simple) JSON schema, for forced-JSON auxiliary requests. */
function sampleFromSchema(schema: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 6) return 'mock';
  const s = schema as Record<string, unknown>;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ('const' in s) return s.const;
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(props)) out[k] = sampleFromSchema(v, depth + 1);
      return out;
    }
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'string':
      return 'Mock title';
    default:
      if (Array.isArray(s.anyOf) && s.anyOf.length) return sampleFromSchema(s.anyOf[0], depth + 1);
      if (Array.isArray(s.oneOf) && s.oneOf.length) return sampleFromSchema(s.oneOf[0], depth + 1);
      return 'mock';
  }
}

/** The built-in reply for an auxiliary request (the director never sees these). */
export function auxiliaryReply(req: ModelRequest): Reply {
  const fmt = req.body.output_config?.format;
  if (fmt?.type === 'json_schema') return { text: JSON.stringify(sampleFromSchema(fmt.schema)) };
  if (req.requestClass === 'compaction' || COMPACTION_RE.test(req.lastUserText)) {
    return { text: '<analysis>Mock analysis.</analysis>\n<summary>MOCK SUMMARY of the conversation so far.</summary>' };
  }
  if (SUGGESTION_RE.test(req.lastUserText)) return { text: 'MOCK SUGGESTION' };
  return { text: 'MOCK AUX REPLY' };
}

// ---------------------------------------------------------------------------------------------
// Responses

interface OutBlock {
  type: 'text' | 'thinking' | 'tool_use';
  text?: string;
  thinking?: string;
  signature?: string;
  id?: string;
  name?: string;
  input?: Record<string, unknown>;
}

function chunks(s: string, size: number): string[] {
  if (s.length === 0) return [''];
  const out: string[] = [];
  const step = Math.max(1, Math.floor(size));
  for (let i = 0; i < s.length; i += step) out.push(s.slice(i, i + step));
  return out;
}

function roughTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

function inputChars(body: MessagesRequestBody): number {
  let n = 0;
  for (const m of Array.isArray(body.messages) ? body.messages : []) {
    for (const b of blocksOf(m.content)) {
      if (typeof b.text === 'string') n += b.text.length;
      else if (b.type === 'tool_result') n += contentToText(b.content).length;
      else if (b.type === 'tool_use') n += JSON.stringify(b.input ?? {}).length;
      else if (typeof b.thinking === 'string') n += b.thinking.length;
    }
  }
  return n;
}

export async function startFakeModel(opts?: { director?: Director }): Promise<FakeModel> {
  let director: Director | undefined = opts?.director;
  const requests: ModelRequest[] = [];
  const sockets = new Set<Socket>();
  let closed = false;
  let seq = 0;
  let msgSeq = 0;
  let toolSeq = 0;
  // Pending stream delays, so close() can end them at once.
  const timers = new Map<NodeJS.Timeout, () => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.set(t, resolve);
    });

  const sendJson = (res: ServerResponse, status: number, obj: unknown, extra?: Record<string, string>) => {
    const data = JSON.stringify(obj);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...extra });
    res.end(data);
  };

  const buildBlocks = (reply: Exclude<Reply, { error: unknown }>): OutBlock[] => {
    if ('toolUse' in reply) {
      const blocks: OutBlock[] = [];
      if (reply.text) blocks.push({ type: 'text', text: reply.text });
      toolSeq++;
      blocks.push({ type: 'tool_use', id: `toolu_${String(toolSeq).padStart(6, '0')}`, name: reply.toolUse.name, input: reply.toolUse.input });
      return blocks;
    }
    if ('thinking' in reply) {
      return [
        { type: 'thinking', thinking: reply.thinking, signature: Buffer.from(`mock-signature-${msgSeq}`).toString('base64') },
        { type: 'text', text: reply.text },
      ];
    }
    return [{ type: 'text', text: reply.text }];
  };

  const answer = async (req: ModelRequest, reply: Reply, res: ServerResponse) => {
    req.reply = reply;
    const requestId = `req_mock${req.seq}`;
    if ('error' in reply) {
      const type = reply.error.type ?? errorTypeFor(reply.error.status);
      sendJson(res, reply.error.status, { type: 'error', error: { type, message: reply.error.message ?? `mock error ${reply.error.status}` }, request_id: requestId }, { 'request-id': requestId, ...reply.error.headers });
      return;
    }
    msgSeq++;
    const id = `msg_mock${msgSeq}`;
    const model = req.body.model ?? 'claude-mock';
    const blocks = buildBlocks(reply);
    const hasTool = blocks.some((b) => b.type === 'tool_use');
    const stopReason = hasTool ? 'tool_use' : 'end_turn';
    const inputTokens = roughTokens(inputChars(req.body));
    const outChars = blocks.reduce((n, b) => n + (b.text?.length ?? 0) + (b.thinking?.length ?? 0) + (b.input ? JSON.stringify(b.input).length : 0), 0);
    const outputTokens = roughTokens(outChars);
    const usage = { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

    if (req.body.stream !== true) {
      const content = blocks.map((b) =>
        b.type === 'text'
          ? { type: 'text', text: b.text ?? '' }
          : b.type === 'thinking'
            ? { type: 'thinking', thinking: b.thinking ?? '', signature: b.signature ?? '' }
            : { type: 'tool_use', id: b.id, name: b.name, input: b.input ?? {} },
      );
      sendJson(res, 200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage }, { 'request-id': requestId });
      return;
    }

    const chunkSize = 'chunkSize' in reply && reply.chunkSize ? reply.chunkSize : 200;
    const delayMs = 'delayMs' in reply && reply.delayMs ? reply.delayMs : 0;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'request-id': requestId,
    });
    res.flushHeaders();
    const alive = () => !closed && !res.destroyed && !res.writableEnded;
    const send = (type: string, data: Record<string, unknown>) => {
      if (alive()) res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    };
    send('message_start', {
      message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
    });
    send('ping', {});
    let first = true;
    const pace = async () => {
      if (delayMs > 0 && !first) await sleep(delayMs);
      first = false;
    };
    for (const [index, b] of blocks.entries()) {
      if (!alive()) return;
      if (b.type === 'text') {
        send('content_block_start', { index, content_block: { type: 'text', text: '' } });
        for (const piece of chunks(b.text ?? '', chunkSize)) {
          await pace();
          if (!alive()) return;
          send('content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
        }
      } else if (b.type === 'thinking') {
        send('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        for (const piece of chunks(b.thinking ?? '', chunkSize)) {
          await pace();
          if (!alive()) return;
          send('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: piece } });
        }
        send('content_block_delta', { index, delta: { type: 'signature_delta', signature: b.signature ?? '' } });
      } else {
        send('content_block_start', { index, content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} } });
        const json = JSON.stringify(b.input ?? {});
        for (const piece of chunks(json, Math.max(8, Math.ceil(json.length / 3)))) {
          await pace();
          if (!alive()) return;
          send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
        }
      }
      send('content_block_stop', { index });
    }
    send('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
    send('message_stop', {});
    if (alive()) res.end();
  };

  const handle = async (rq: IncomingMessage, res: ServerResponse) => {
    const chunksIn: Buffer[] = [];
    for await (const c of rq) chunksIn.push(c as Buffer);
    const raw = Buffer.concat(chunksIn).toString('utf8');
    let body: MessagesRequestBody = {};
    if (raw.length) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as MessagesRequestBody;
      } catch {
        /* not JSON: keep {} */
      }
    }
    const url = rq.url ?? '/';
    const p = url.split('?')[0] ?? '/';
    const method = rq.method ?? 'GET';
    const { kind, requestClass } = classify(method, p, rq.headers, body);
    const last = lastUserMessage(body);
    const req: ModelRequest = {
      seq: ++seq,
      method,
      url,
      path: p,
      headers: rq.headers,
      body,
      isMain: kind === 'main',
      kind,
      lastUserText: userTextOf(last),
      toolResults: toolResultsOf(last),
    };
    if (requestClass !== undefined) req.requestClass = requestClass;
    const cwd = findCwd(body);
    if (cwd !== undefined) req.cwd = cwd;
    requests.push(req);

    if (kind === 'other') {
      if (p === '/v1/messages/count_tokens' && method === 'POST') {
        sendJson(res, 200, { input_tokens: roughTokens(inputChars(body) + JSON.stringify(body.system ?? '').length) });
      } else if (p === '/api/hello') {
        if (method === 'HEAD') {
          res.writeHead(200);
          res.end();
        } else sendJson(res, 200, { message: 'hello' });
      } else if (p === '/v1/models' && method === 'GET') {
        sendJson(res, 200, {
          data: [{ type: 'model', id: 'claude-mock', display_name: 'Claude Mock', created_at: '2026-01-01T00:00:00Z' }],
          has_more: false,
          first_id: 'claude-mock',
          last_id: 'claude-mock',
        });
      } else {
        sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `Not found: ${method} ${p}` } });
      }
      return;
    }

    let reply: Reply | undefined;
    if (kind === 'auxiliary') reply = auxiliaryReply(req);
    else {
      try {
        reply = director?.(req);
      } catch (err) {
        reply = { error: { status: 500, message: `director threw: ${String(err)}` } };
      }
      reply ??= defaultReply(req);
    }
    await answer(req, reply, res);
  };

  const server = http.createServer((rq, res) => {
    handle(rq, res).catch((err: unknown) => {
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { type: 'error', error: { type: 'api_error', message: String(err) } });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    mainRequests: () => requests.filter((r) => r.isMain),
    setDirector: (d) => {
      director = d;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      for (const [t, resolve] of timers) {
        clearTimeout(t);
        resolve();
      }
      timers.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await done;
    },
  };
}
