// Loads personas/*.json at start-up. An invalid file stops start-up with its name and the zod issue.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { PERSONA_NAME, personaSchema, type Persona } from '../protocol/persona.ts';

export class PersonaError extends Error {}

/** `optional`: a missing directory means no personas (PERSONAS_DIR was not set). */
export function loadPersonas(dir: string, opts: { optional?: boolean } = {}): Map<string, Persona> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    if (opts.optional && (err as { code?: string }).code === 'ENOENT') return new Map();
    throw new PersonaError(`Cannot read the personas directory ${dir}: ${(err as Error).message}. Set PERSONAS_DIR to a folder of <name>.json files.`);
  }
  const out = new Map<string, Persona>();
  for (const file of files) {
    const name = basename(file, '.json');
    const path = join(dir, file);
    if (!PERSONA_NAME.test(name)) throw new PersonaError(`Persona file ${path}: the name "${name}" must be 1-32 letters, digits, - or _.`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new PersonaError(`Persona file ${path} is not valid JSON: ${(err as Error).message}`);
    }
    const r = personaSchema.safeParse(json);
    if (!r.success) {
      const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new PersonaError(`Persona file ${path} is invalid: ${issues}`);
    }
    out.set(name, { name, ...r.data });
  }
  if (out.size === 0 && !opts.optional) throw new PersonaError(`No personas found in ${dir}: add at least one <name>.json (see personas/default.json in the repository).`);
  return out;
}
