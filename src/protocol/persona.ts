// Persona files (personas/<name>.json), validated at start-up. Compatible with the seed's
// format {"system_prompt": "...", "settings": {"model": "...", "max_turns": N}}.
import { z } from 'zod';

export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'auto', 'dontAsk', 'bypassPermissions'] as const;

export const personaSchema = z.strictObject({
  description: z.string().optional(),
  /** Replaces Claude Code's default system prompt (`--system-prompt`). */
  system_prompt: z.string().min(1).optional(),
  /** Appended to the default (or given) system prompt (`--append-system-prompt`). */
  append_system_prompt: z.string().min(1).optional(),
  settings: z
    .strictObject({
      model: z.string().min(1).optional(),
      max_turns: z.number().int().positive().optional(),
      permission_mode: z.enum(PERMISSION_MODES).optional(),
      /** Ask the Telegram user before tools that need approval (`--permission-prompt-tool stdio`). */
      ask_permissions: z.boolean().optional(),
      allowed_tools: z.array(z.string().min(1)).optional(),
      disallowed_tools: z.array(z.string().min(1)).optional(),
    })
    .default({}),
});

export type PersonaSpec = z.infer<typeof personaSchema>;
export interface Persona extends PersonaSpec {
  name: string;
}

export const PERSONA_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** CLI flags for a persona (PROTOCOL.md §5.2). */
export function personaArgs(p: PersonaSpec): string[] {
  const args: string[] = [];
  const s = p.settings;
  if (p.system_prompt) args.push('--system-prompt', p.system_prompt);
  if (p.append_system_prompt) args.push('--append-system-prompt', p.append_system_prompt);
  if (s.model) args.push('--model', s.model);
  if (s.max_turns) args.push('--max-turns', String(s.max_turns));
  if (s.permission_mode) args.push('--permission-mode', s.permission_mode);
  if (s.ask_permissions) args.push('--permission-prompt-tool', 'stdio');
  if (s.allowed_tools?.length) args.push('--allowedTools', s.allowed_tools.join(','));
  if (s.disallowed_tools?.length) args.push('--disallowedTools', s.disallowed_tools.join(','));
  return args;
}

/** The name sessions use when there is no persona at all: Claude Code's own system prompt. */
export const NO_PERSONA: Persona = { name: 'none', description: "Claude Code's own system prompt, no persona", settings: {} };

/**
 * The persona of new sessions: DEFAULT_PERSONA when set (it must exist), else `default` when
 * there is one, else no persona (added to the map as "none"). An error text when it cannot be.
 */
export function chooseDefaultPersona(personas: Map<string, Persona>, explicit: string | undefined, dir: string): { name: string } | { error: string } {
  if (explicit !== undefined) {
    if (personas.has(explicit)) return { name: explicit };
    return { error: `DEFAULT_PERSONA "${explicit}" is not in ${dir}: there is no ${dir.replace(/\/+$/, '')}/${explicit}.json (have: ${[...personas.keys()].join(', ') || 'none'}). Add that file, or unset DEFAULT_PERSONA to run without a persona.` };
  }
  if (personas.has('default')) return { name: 'default' };
  if (!personas.has(NO_PERSONA.name)) personas.set(NO_PERSONA.name, NO_PERSONA);
  return { name: NO_PERSONA.name };
}

/**
 * The bot's defaults under a persona's own settings: edits in the working directory are accepted
 * (`acceptEdits`), and every other tool that needs approval is asked in the chat (stdio prompts).
 */
export function withBotDefaults(p: Persona): Persona {
  return { ...p, settings: { permission_mode: 'acceptEdits', ask_permissions: true, ...p.settings } };
}
