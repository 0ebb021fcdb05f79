// Start-up validation of the environment: messages that say what to do.
import { expect } from 'chai';
import { ConfigError, defaultMaxLive, parseConfig } from '../../src/protocol/config.ts';

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

  it('starts without an allowlist (pairing mode) but names a bad one', () => {
    expect([...parseConfig({ TELEGRAM_BOT_TOKEN: '1:a' }, defaults).allowedUserIds]).to.deep.equal([]);
    expect([...parseConfig({ TELEGRAM_BOT_TOKEN: '1:a', ALLOWED_USER_IDS: ' ' }, defaults).allowedUserIds]).to.deep.equal([]);
    expect(errorOf({ ...good, ALLOWED_USER_IDS: '12,bob' })).to.match(/numeric user ids.*"12,bob"/);
  });

  it('needs no token for the console chat; reads ISOLATION and leaves DEFAULT_PERSONA unset by default', () => {
    const c = parseConfig({}, { ...defaults, console: true });
    expect(c.token).to.equal('');
    expect(c.isolation).to.equal('auto');
    expect(c.defaultPersona).to.equal(undefined);
    expect(c.agentUid).to.equal(10001);
    expect(errorOf({ ...good, ISOLATION: 'maybe' })).to.match(/ISOLATION must be auto, bwrap, user or none/);
  });

  it('names bad numbers and URLs', () => {
    expect(errorOf({ ...good, IDLE_MINUTES: 'soon' })).to.match(/IDLE_MINUTES must be a positive number, got "soon"/);
    expect(errorOf({ ...good, TELEGRAM_API_ROOT: 'not a url' })).to.match(/TELEGRAM_API_ROOT must be a URL/);
  });

  it('reads WARM_SESSIONS (0 allowed: no warming), unset by default, and refuses anything else', () => {
    expect(parseConfig(good, defaults).warmSessions).to.equal(undefined);
    expect(parseConfig({ ...good, WARM_SESSIONS: '0' }, defaults).warmSessions).to.equal(0);
    expect(parseConfig({ ...good, WARM_SESSIONS: '4' }, defaults).warmSessions).to.equal(4);
    expect(errorOf({ ...good, WARM_SESSIONS: 'some' })).to.match(/WARM_SESSIONS must be a whole number/);
  });

  it('defaults the live-process cap from memory (about 200 MiB each, half the RAM)', () => {
    expect(defaultMaxLive(1024 ** 3)).to.equal(2);
    expect(defaultMaxLive(64 * 1024 ** 3)).to.equal(32);
    expect(defaultMaxLive(100 * 1024 ** 2)).to.equal(1);
  });
});
