// The bot's in-process MCP server `telegram` (PROTOCOL-TOOLS.md §1): it answers the CLI's
// `mcp_message` control requests on every workspace's process output, independent of turns (the
// handshake comes before the first turn). Its one tool, send_file, looks the file up through the
// io driver, uploads it through the outbox (in order with the turn's messages) and tells Claude
// what happened once Telegram answered.
import { EMPTY, filter, map, merge, mergeMap, of, take, type Observable } from 'rxjs';
import type { ClaudeOutput } from '../domain/claude.ts';
import { formatBytes, UPLOAD_MAX_BYTES, uploadKind, type IoResult } from '../domain/io.ts';
import type { Outcome } from '../domain/telegram.ts';
import { chatOfKey, splitWorkspaceKey } from '../domain/turn.ts';
import { mcpResponseLine, parseMcpMessage, SEND_FILE, SEND_FILE_TOOL, sendFileInput, TELEGRAM_SERVER, toolResult, type McpMessage } from '../protocol/mcp.ts';
import { dirOf, type AppConfig } from './config.ts';
import { launchOf } from './launch.ts';
import type { AppState } from './state.ts';
import { claude, telegram, type Effect } from './effects.ts';

export interface McpContext {
  cfg: AppConfig;
  claude$: Observable<ClaudeOutput>;
  io$: Observable<IoResult>;
  outcomes$: Observable<Outcome>;
  /** For the session's working directory (relative paths are resolved there). */
  state$?: Observable<AppState>;
}

/** What a workspace's process needs to serve the bot's tools (a Launch's fields), when enabled. */
export const telegramTools = (cfg: AppConfig) => (cfg.telegramTools ? { sdkMcpServers: [TELEGRAM_SERVER], allowedTools: [SEND_FILE_TOOL] } : {});

const MAX_CAPTION = 1024;

export function mcpEffects(x: McpContext): Observable<Effect> {
  return x.claude$.pipe(
    mergeMap((o) => {
      if (o.kind !== 'proc' || o.out.kind !== 'stdout') return EMPTY;
      const msg = parseMcpMessage(o.out.line);
      return msg && msg.server === TELEGRAM_SERVER ? answer(o.workspace, msg, x) : EMPTY;
    }),
  );
}

function answer(ws: string, msg: McpMessage, x: McpContext): Observable<Effect> {
  const reply = (r: Parameters<typeof mcpResponseLine>[2]) => claude({ kind: 'write', workspace: ws, line: mcpResponseLine(msg.requestId, msg.id, r) });
  if (msg.id === undefined) return of(reply({ result: {} })); // a notification: acknowledged as the SDK does
  switch (msg.method) {
    case 'initialize': {
      const protocolVersion = typeof msg.params.protocolVersion === 'string' ? msg.params.protocolVersion : '2025-06-18';
      return of(reply({ result: { protocolVersion, capabilities: { tools: {} }, serverInfo: { name: TELEGRAM_SERVER, version: '1.0.0' } } }));
    }
    case 'ping':
      return of(reply({ result: {} }));
    case 'tools/list':
      return of(reply({ result: { tools: [SEND_FILE] } }));
    case 'tools/call': {
      if (msg.params.name !== SEND_FILE.name) return of(reply(toolResult(`Unknown tool ${String(msg.params.name)}; this server has send_file.`, true)));
      return sendFile(ws, msg, x, reply);
    }
    default:
      return of(reply({ error: { code: -32601, message: `Method not found: ${msg.method}` } }));
  }
}

type Reply = ReturnType<typeof toolResult>;

function sendFile(ws: string, msg: McpMessage, x: McpContext, reply: (r: Reply) => Effect): Observable<Effect> {
  const input = sendFileInput.safeParse(msg.params.arguments);
  if (!input.success) return of(reply(toolResult('send_file needs {"path": string, "caption"?: string}.', true)));
  const { path, caption } = input.data;
  const id = `mcp:${ws}:${msg.requestId}`;
  const refuse = (text: string) => of(reply(toolResult(`Not sent: ${text}`, true)));
  const looked$ = x.io$.pipe(
    filter((r): r is Extract<IoResult, { kind: 'look' }> => r.kind === 'look' && r.id === id),
    take(1),
    mergeMap(({ result: f }): Observable<Effect> => {
      if (f.kind === 'error') return refuse(f.message);
      if (f.kind === 'dir') return refuse(`${path} is a directory; send_file sends one file (zip it first to send a folder).`);
      if (f.bytes === 0) return refuse(`${f.name} is empty (0 bytes); Telegram does not accept empty files.`);
      if (f.bytes > UPLOAD_MAX_BYTES) return refuse(`${f.name} is ${formatBytes(f.bytes)}, over Telegram's 50 MB upload limit for bots.`);
      const as = uploadKind(f.name, f.bytes);
      const ref = `upload:${id}`;
      const sent$ = x.outcomes$.pipe(
        filter((o) => o.op.op === 'upload' && o.op.ref === ref),
        take(1),
        map((o) => reply(o.ok ? toolResult(`Sent ${f.name} (${formatBytes(f.bytes)}) to the chat as a ${as}.`) : toolResult(`Not sent: ${f.name}: ${o.error?.description ?? 'Telegram refused it'}.`, true))),
      );
      const cap = caption && caption.length > MAX_CAPTION ? `${caption.slice(0, MAX_CAPTION - 1)}…` : caption;
      const chat = chatOfKey(splitWorkspaceKey(ws).chatKey);
      return merge(sent$, of(telegram({ op: 'upload', ref, chat, as, path: f.path, fileName: f.name, ...(cap ? { caption: cap } : {}), important: true })));
    }),
  );
  const base$ = x.state$ ? x.state$.pipe(take(1), map((s) => launchOf(x.cfg, s, ws).dir)) : of(dirOf(x.cfg, ws));
  return base$.pipe(mergeMap((base) => merge(looked$, of<Effect>({ to: 'io', req: { kind: 'look', id, path, base } }))));
}
