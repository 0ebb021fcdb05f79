// Lines the bot writes to the CLI's stdin (PROTOCOL.md §4).

/** note: a block of context before the user's words (e.g. that a stopped request is cancelled). */
export const userMessageLine = (text: string, note?: string): string =>
  JSON.stringify({
    type: 'user',
    message: { role: 'user', content: note ? [{ type: 'text', text: note }, { type: 'text', text }] : text },
    parent_tool_use_id: null,
    session_id: '',
  });

export const controlResponseLine = (requestId: string, response: Record<string, unknown>): string =>
  JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } });

export const interruptLine = (requestId: string): string =>
  JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype: 'interrupt' } });
