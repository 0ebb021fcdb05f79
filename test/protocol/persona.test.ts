// Personas: the shipped ones load, the seed's format becomes CLI flags, bad files stop start-up naming the problem.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPersonas, PersonaError } from '../../src/drivers/personas.ts';
import { personaArgs } from '../../src/protocol/persona.ts';

describe('personas', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'personas-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the shipped personas', () => {
    const p = loadPersonas(new URL('../../personas/', import.meta.url).pathname);
    expect([...p.keys()]).to.include.members(['default', 'terse', 'careful', 'reviewer']);
  });

  it("accepts the seed's format and turns it into CLI flags", () => {
    writeFileSync(join(dir, 'seed.json'), JSON.stringify({ system_prompt: 'Be kind.', settings: { model: 'opus', max_turns: 5 } }));
    const p = loadPersonas(dir).get('seed')!;
    expect(personaArgs(p)).to.deep.equal(['--system-prompt', 'Be kind.', '--model', 'opus', '--max-turns', '5']);
  });

  it('maps the optional fields', () => {
    writeFileSync(join(dir, 'x.json'), JSON.stringify({ append_system_prompt: 'More.', settings: { permission_mode: 'plan', ask_permissions: true, allowed_tools: ['Read', 'Bash(git *)'], disallowed_tools: ['Write'] } }));
    expect(personaArgs(loadPersonas(dir).get('x')!)).to.deep.equal([
      '--append-system-prompt', 'More.', '--permission-mode', 'plan', '--permission-prompt-tool', 'stdio', '--allowedTools', 'Read,Bash(git *)', '--disallowedTools', 'Write',
    ]);
  });

  it('stops start-up naming the file and the zod issue', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ settings: { max_turns: 'ten' } }));
    expect(() => loadPersonas(dir)).to.throw(PersonaError, /bad\.json is invalid: settings\.max_turns: .*number/);
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    expect(() => loadPersonas(dir)).to.throw(PersonaError, /bad\.json is not valid JSON/);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ settings: { permission_mode: 'yolo' } }));
    expect(() => loadPersonas(dir)).to.throw(PersonaError, /settings\.permission_mode/);
  });
});
