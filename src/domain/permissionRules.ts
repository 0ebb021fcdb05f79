// "Allow for this session" approves what Claude Code suggested (permission_suggestions), never a
// whole tool: approving `ls` must not let a later `grep … /proc/<pid>/environ` run unasked.
// Rules are strings like Claude Code's own: `Bash(npm test:*)` (a prefix), `Bash(touch a.txt)`
// (exactly that command), `WebFetch(domain:example.com)`.

export interface Suggestion {
  toolName: string;
  ruleContent?: string;
}

const ruleText = (toolName: string, content?: string): string => (content === undefined ? toolName : `${toolName}(${content})`);

// A prefix rule must not cover a chained or redirected command ("ls; cat .env" starts with "ls").
const SHELL_CONTROL = /[;&|<>`$\n\r(){}]/;

/** The rules "Allow for this session" adds for a request: its suggestions, narrowed; else the exact input. */
export function sessionRules(toolName: string, input: Record<string, unknown>, suggestions: readonly Suggestion[] = []): string[] {
  const exact = toolName === 'Bash' && typeof input.command === 'string' ? ruleText('Bash', input.command) : ruleText(toolName, JSON.stringify(input));
  const rules = suggestions
    .filter((s) => s.toolName === toolName)
    // A suggestion without content would allow the whole tool: narrow it to this input.
    .map((s) => (s.ruleContent === undefined || s.ruleContent === '' ? exact : ruleText(s.toolName, s.ruleContent)));
  return rules.length ? [...new Set(rules)] : [exact];
}

/** A short label for the rules, for the button and the closed prompt. */
export function rulesLabel(rules: readonly string[]): string {
  const one = rules[0] ?? '';
  const short = one.length > 40 ? `${one.slice(0, 39)}…` : one;
  return rules.length > 1 ? `${short} +${rules.length - 1}` : short;
}

/** Whether a request is covered by rules allowed earlier in the session. */
export function allowedByRules(rules: readonly string[], toolName: string, input: Record<string, unknown>, suggestions: readonly Suggestion[] = []): boolean {
  if (!rules.length) return false;
  const own = new Set(sessionRules(toolName, input, suggestions));
  const command = typeof input.command === 'string' ? input.command : undefined;
  return rules.some((rule) => {
    if (toolName === 'Bash' && command !== undefined && rule.startsWith('Bash(') && rule.endsWith(')')) {
      const content = rule.slice(5, -1);
      if (content.endsWith(':*')) {
        const prefix = content.slice(0, -2);
        return !SHELL_CONTROL.test(command) && (command === prefix || command.startsWith(`${prefix} `));
      }
      return command === content;
    }
    // Other tools: the same rule the CLI suggests for this request, or this exact input.
    return own.has(rule);
  });
}
