// Where a workspace's Claude Code starts and with which arguments: the session folder by default;
// a project or worktree with the session folder as --add-dir; the /model choice over the persona's.
import { expect } from 'chai';
import { asyncScheduler } from 'rxjs';
import { launchOf } from '../../src/app/launch.ts';
import { initialState } from '../../src/app/state.ts';
import type { AppConfig } from '../../src/app/config.ts';
import { cliArgs } from '../../src/drivers/claude/claudeDriver.ts';
import { parseConfig } from '../../src/protocol/config.ts';
import { parseChats } from '../../src/protocol/chats.ts';

const persona = { name: 'p', settings: { model: 'opus' } } as unknown as AppConfig['personas'] extends ReadonlyMap<string, infer P> ? P : never;
const cfg = { sessionsDir: '/s', personas: new Map([['p', persona]]), defaultPersona: 'p', scheduler: asyncScheduler } as unknown as AppConfig;

describe('launch: working directory, --add-dir and --model', () => {
  it('a plain session works in its own folder, with the persona\'s model', () => {
    const s = initialState({ '7': { active: 'a', sessions: { a: { persona: 'p', createdAt: 'x' } } } }, { '7/a': 'sid-1' }, []);
    const l = launchOf(cfg, s, '7/a');
    expect(l).to.deep.include({ dir: '/s/chat7/a', sessionId: 'sid-1' });
    expect(l.addDirs).to.equal(undefined);
    const args = cliArgs(l, false);
    expect(args.slice(args.indexOf('--model'), args.indexOf('--model') + 2)).to.deep.equal(['--model', 'opus']);
    expect(args).to.not.include('--add-dir');
  });

  it('a worktree session works there, may use its own folder, and its /model choice replaces the persona\'s', () => {
    const s = initialState({ '7': { active: 'w', sessions: { w: { persona: 'p', createdAt: 'x', cwd: '/wt/app/f', project: 'app', branch: 'f', model: 'claude-x' } } } }, {}, []);
    const l = launchOf(cfg, s, '7/w');
    expect(l).to.deep.include({ dir: '/wt/app/f', addDirs: ['/s/chat7/w'], model: 'claude-x' });
    const args = cliArgs(l, false);
    expect(args.filter((a) => a === '--model')).to.have.length(1);
    expect(args.slice(args.indexOf('--model'), args.indexOf('--model') + 2)).to.deep.equal(['--model', 'claude-x']);
    expect(args.slice(args.indexOf('--add-dir'), args.indexOf('--add-dir') + 2)).to.deep.equal(['--add-dir', '/s/chat7/w']);
  });
});

describe('state files and configuration for projects', () => {
  it('chats.json written before projects still loads; the new fields load too', () => {
    const old = { '1': { active: 'a', sessions: { a: { persona: 'p', createdAt: 'x', lastActivity: 5 } } } };
    expect(parseChats(old)).to.deep.equal(old);
    const now = { '1': { active: 'a', sessions: { a: { persona: 'p', createdAt: 'x', cwd: '/p/app', project: 'app', branch: 'b', model: 'sonnet', claudeCommands: ['compact'] } } } };
    expect(parseChats(now)).to.deep.equal(now);
  });

  it('PROJECTS_DIR: unset is none; several entries are separated by ":"', () => {
    const base = { TELEGRAM_BOT_TOKEN: '123:abc', ALLOWED_USER_IDS: '1' };
    const defaults = { claudeBin: '/x', totalMemBytes: 1 << 30 };
    expect(parseConfig(base, defaults).projectsDirs).to.deep.equal([]);
    expect(parseConfig({ ...base, PROJECTS_DIR: '/a/code: /b/work:' }, defaults).projectsDirs).to.deep.equal(['/a/code', '/b/work']);
  });
});
