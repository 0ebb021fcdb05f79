// Start-up validation: configuration and personas fail with messages that say what to do.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultMaxLive, parseConfig } from '../src/protocol/config.ts';
import { loadPersonas, PersonaError } from '../src/drivers/personas.ts';
import { personaArgs } from '../src/protocol/persona.ts';
import { parseCommand } from '../src/domain/commands.ts';

const defaults = { claudeBin: '/x/claude', totalMemBytes: 8 * 1024 ** 3 };
const good = { TELEGRAM_BOT_TOKEN: '123:abc_DEF-1', ALLOWED_USER_IDS: '42, 7' };
const errorOf = (env: Record<string, string | undefined>) => {
  try {
    parseConfig(env, defaults);
  } catch (e) {
    expect(e).to.be.instanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('reads a valid environment with defaults', () => {
    const c = parseConfig(good, defaults);
    expect([...c.allowedUserIds]).to.deep.equal([42, 7]);
    expect(c.apiRoot).to.equal('https://api.telegram.org');
    expect(c.sessionsDir).to.equal('./sessions');
    expect(c.idleMs).to.equal(15 * 60_000);
    expect(c.maxLiveSessions).to.equal(defaultMaxLive(defaults.totalMemBytes));
    expect(c.claudeBin).to.equal('/x/claude');
  });

  it('explains how to get a token from @BotFather when it is missing', () => {
    expect(errorOf({ ALLOWED_USER_IDS: '1' })).to.match(/TELEGRAM_BOT_TOKEN is missing.*@BotFather.*\/newbot/s);
  });

  it('refuses to run without an allowlist and says how to find an id', () => {
    expect(errorOf({ TELEGRAM_BOT_TOKEN: '1:a' })).to.match(/ALLOWED_USER_IDS is missing.*@userinfobot/s);
    expect(errorOf({ ...good, ALLOWED_USER_IDS: '12,bob' })).to.match(/numeric user ids.*"12,bob"/);
  });

  it('names bad numbers and URLs', () => {
    expect(errorOf({ ...good, IDLE_MINUTES: 'soon' })).to.match(/IDLE_MINUTES must be a positive number, got "soon"/);
    expect(errorOf({ ...good, TELEGRAM_API_ROOT: 'not a url' })).to.match(/TELEGRAM_API_ROOT must be a URL/);
  });

  it('defaults the live-process cap from memory (about 200 MiB each, half the RAM)', () => {
    expect(defaultMaxLive(1024 ** 3)).to.equal(2);
    expect(defaultMaxLive(64 * 1024 ** 3)).to.equal(32);
    expect(defaultMaxLive(100 * 1024 ** 2)).to.equal(1);
  });
});

describe('personas', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'personas-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the shipped personas', () => {
    const p = loadPersonas(new URL('../personas/', import.meta.url).pathname);
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

describe('commands', () => {
  const table: [string, unknown][] = [
    ['/new', { cmd: 'new' }],
    ['/new work-2', { cmd: 'new', name: 'work-2' }],
    ['/new@mybot x', { cmd: 'new', name: 'x' }],
    ['/switch', { cmd: 'invalid', message: 'Usage: /switch <name>. /sessions lists the names.' }],
    ['/stop', { cmd: 'stop', clear: false }],
    ['/stop all', { cmd: 'stop', clear: true }],
    ['/start', { cmd: 'help' }],
  ];
  for (const [text, cmd] of table) it(`${text} → ${JSON.stringify(cmd)}`, () => expect(parseCommand(text, 'mybot')).to.deep.equal(cmd));

  for (const hostile of ['/new ../../x', '/new a/b', '/switch ..', '/new ' + 'x'.repeat(33), '/persona ../etc/passwd', '/new .hidden', '/new a b']) {
    it(`refuses ${hostile.slice(0, 30)}`, () => expect(parseCommand(hostile, 'mybot')).to.include({ cmd: 'invalid' }));
  }

  it('ignores commands addressed to another bot', () => {
    expect(parseCommand('/new@otherbot x', 'mybot')).to.equal(undefined);
  });
});
