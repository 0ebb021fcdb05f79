// Builders for stream-json lines in the shapes the real CLI prints (see fixtures/).
export const initLine = (sessionId = 'sess-1', model = 'claude-test') =>
  JSON.stringify({ type: 'system', subtype: 'init', session_id: sessionId, model, cwd: '/tmp', tools: [], uuid: 'u-init' });

export const textLine = (text: string, id = 'msg_1') =>
  JSON.stringify({ type: 'assistant', message: { id, role: 'assistant', content: [{ type: 'text', text }] }, parent_tool_use_id: null, session_id: 'sess-1', uuid: 'u-t' });

export const resultLine = (text: string, opts: { isError?: boolean; sessionId?: string; errors?: string[]; subtype?: string } = {}) =>
  JSON.stringify({
    type: 'result',
    subtype: opts.subtype ?? 'success',
    is_error: opts.isError ?? false,
    ...(opts.errors ? { errors: opts.errors } : { result: text }),
    num_turns: 1,
    duration_ms: 12,
    total_cost_usd: 0.001,
    usage: { input_tokens: 3, output_tokens: 4 },
    permission_denials: [],
    session_id: opts.sessionId ?? 'sess-1',
    uuid: 'u-r',
  });

/** Marble values for one CLI process's output: spawned, init, text, result, a crash exit. */
export const stdoutOf = (line: string) => ({ kind: 'stdout' as const, line });
export const PROC = {
  s: { kind: 'spawned' as const, pid: 4242 },
  i: stdoutOf(initLine('sess-1')),
  t: stdoutOf(textLine('hello')),
  r: stdoutOf(resultLine('hello')),
  x: { kind: 'exit' as const, code: 1, signal: null, stderrTail: '', sawStdout: true },
};
