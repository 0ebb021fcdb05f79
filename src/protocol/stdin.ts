// Lines the bot writes to the CLI's stdin (PROTOCOL.md §4).

/** `uuid` makes the CLI report the message's progress (command_lifecycle) and tag its result (user_message_uuid). */
export const userMessageLine = (text: string, uuid?: string): string =>
  JSON.stringify({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, session_id: '', ...(uuid ? { uuid } : {}) });

export const controlResponseLine = (requestId: string, response: Record<string, unknown>): string =>
  JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } });

export const interruptLine = (requestId: string): string =>
  JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype: 'interrupt' } });
