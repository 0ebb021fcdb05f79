// Lines the bot writes to the CLI's stdin (PROTOCOL.md §4).

/**
 * A user message. With images or a note, content blocks: the note (context before the user's
 * words, e.g. that a stopped request is cancelled), each image, then the text. `uuid` makes the CLI
 * report the message's progress (command_lifecycle) and tag its result (user_message_uuid).
 */
export const userMessageLine = (text: string, opts: { images?: readonly { mediaType: string; data: string }[]; uuid?: string; note?: string } = {}): string => {
  const { images, uuid, note } = opts;
  const blocks = [
    ...(note ? [{ type: 'text', text: note }] : []),
    ...(images ?? []).map((i) => ({ type: 'image', source: { type: 'base64', media_type: i.mediaType, data: i.data } })),
  ];
  const content = blocks.length ? [...blocks, { type: 'text', text }] : text;
  return JSON.stringify({ type: 'user', message: { role: 'user', content }, parent_tool_use_id: null, session_id: '', ...(uuid ? { uuid } : {}) });
};

export const controlResponseLine = (requestId: string, response: Record<string, unknown>): string =>
  JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } });

export const interruptLine = (requestId: string): string =>
  JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype: 'interrupt' } });

/** A control request of ours (initialize, set_model…): answered by a control_response with the same id. */
export const controlRequestLine = (requestId: string, request: { subtype: string; [k: string]: unknown }): string =>
  JSON.stringify({ type: 'control_request', request_id: requestId, request });
