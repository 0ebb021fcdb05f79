// The in-process MCP server's wire format (PROTOCOL-TOOLS.md §1): the `initialize` control request
// that registers it, the `mcp_message` control requests the CLI sends, and our answers to them.
import { z } from 'zod';

/** The bot's own MCP server, and the tools it serves (allowed without a prompt: `--allowedTools`). */
export const TELEGRAM_SERVER = 'telegram';
export const SEND_FILE_TOOL = `mcp__${TELEGRAM_SERVER}__send_file`;

export const SEND_FILE = {
  name: 'send_file',
  description:
    'Send a file from disk to the Telegram chat of this session (the user sees it on their phone). ' +
    'An image (png, jpeg, webp, gif) up to 10 MB arrives as a photo, anything else as a document (up to 50 MB). ' +
    'The path is relative to the working directory, or absolute.',
  inputSchema: {
    type: 'object',
    properties: { path: { type: 'string', description: 'The file to send' }, caption: { type: 'string', description: 'A short caption shown under it' } },
    required: ['path'],
  },
  // Without this the CLI defers the tool behind ToolSearch (PROTOCOL-TOOLS.md §1.6).
  _meta: { 'anthropic/alwaysLoad': true },
} as const;

export const initializeLine = (requestId: string, servers: readonly string[]): string =>
  JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype: 'initialize', sdkMcpServers: servers } });

const jsonRpc = z.looseObject({
  jsonrpc: z.literal('2.0').optional(),
  id: z.union([z.number(), z.string()]).optional(),
  method: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
});

const mcpRequestLine = z.looseObject({
  type: z.literal('control_request'),
  request_id: z.string(),
  request: z.looseObject({ subtype: z.literal('mcp_message'), server_name: z.string(), message: jsonRpc }),
});

export interface McpMessage {
  requestId: string;
  server: string;
  id?: number | string;
  method: string;
  params: Record<string, unknown>;
}

/** An `mcp_message` control request from a stdout line, or undefined for any other line. */
export function parseMcpMessage(line: string): McpMessage | undefined {
  if (!line.includes('"mcp_message"')) return undefined; // most lines: no JSON parse here
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const r = mcpRequestLine.safeParse(value);
  if (!r.success) return undefined;
  const { request_id, request } = r.data;
  return { requestId: request_id, server: request.server_name, id: request.message.id, method: request.message.method, params: request.message.params ?? {} };
}

/** The control response carrying a JSON-RPC reply (a result, or an error). */
export function mcpResponseLine(requestId: string, id: number | string | undefined, reply: { result: unknown } | { error: { code: number; message: string } }): string {
  const mcp_response = { jsonrpc: '2.0', id: id ?? 0, ...reply };
  return JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response: { mcp_response } } });
}

/** A tools/call result: text for Claude, flagged as an error when the tool did nothing. */
export const toolResult = (text: string, isError = false) => ({ result: { content: [{ type: 'text', text }], ...(isError ? { isError: true } : {}) } });

export const sendFileInput = z.object({ path: z.string().min(1), caption: z.string().optional() });
