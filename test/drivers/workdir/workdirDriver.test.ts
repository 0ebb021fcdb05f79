// The workdir driver on real directories and real git: projects and their state, containment
// (no `..`, no symlink out of PROJECTS_DIR), worktrees created, reused and never clobbered,
// removal refused for a dirty tree, custom command files, recorded conversations.
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import type { WorkdirAnswer, WorkdirRequest } from '../../../src/domain/workdir.ts';
import { WorkdirDriver } from '../../../src/drivers/workdir/workdirDriver.ts';
import { cwdSlug } from '../../../src/drivers/workdir/transcripts.ts';
import { git, makeRepo } from '../../helpers/gitRepo.ts';


type Req = WorkdirRequest extends infer R ? (R extends { id: string } ? Omit<R, 'id'> : never) : never;

describe('drivers/workdir: projects, worktrees, command files, conversations', function () {
  this.timeout(30_000);
  let root: string;
  let projects: string;
  let sessions: string;
  let home: string;
  let d: WorkdirDriver;
  let n = 0;
  const ask = async (req: Req) => firstValueFrom(d.handle({ ...req, id: `t${++n}` } as WorkdirRequest));
  const answer = async (req: Req): Promise<WorkdirAnswer> => {
    const r = await ask(req);
    if (!r.ok) throw new Error(`expected ok, got: ${r.message}`);
    return r.answer;
  };
  const refusal = async (req: Req): Promise<string> => {
    const r = await ask(req);
    if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.answer)}`);
    return r.message;
  };

  before(() => {
    root = realpathSync(mkdtempSync(join(tmpdir(), 'workdir-')));
    projects = join(root, 'projects');
    sessions = join(root, 'sessions');
    home = join(root, 'home', '.claude');
    mkdirSync(sessions, { recursive: true });
    makeRepo(join(projects, 'app'));
    mkdirSync(join(projects, 'plain'), { recursive: true });
    mkdirSync(join(root, 'outside'), { recursive: true });
    symlinkSync(join(root, 'outside'), join(projects, 'escape'));
    d = new WorkdirDriver({ projectsDirs: [projects], sessionsDir: sessions, claudeHome: home });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('lists projects with branch and dirtiness; a symlink out of PROJECTS_DIR is not one', async () => {
    writeFileSync(join(projects, 'app', 'new.txt'), 'x');
    const a = await answer({ kind: 'projects' });
    rmSync(join(projects, 'app', 'new.txt'));
    expect(a).to.deep.include({ kind: 'projects', configured: true });
    const list = (a as Extract<WorkdirAnswer, { kind: 'projects' }>).projects;
    expect(list.map((p) => p.name)).to.deep.equal(['app', 'plain']);
    expect(list[0]).to.deep.include({ name: 'app', git: true, branch: 'main', dirty: true });
    expect(list[1]).to.deep.include({ name: 'plain', git: false });
  });

  it('no PROJECTS_DIR: not configured, and opening a project says so', async () => {
    const none = new WorkdirDriver({ projectsDirs: [], sessionsDir: sessions, claudeHome: home });
    expect(await firstValueFrom(none.handle({ kind: 'projects', id: 'x' }))).to.deep.equal({ id: 'x', ok: true, answer: { kind: 'projects', configured: false, projects: [] } });
    const r = await firstValueFrom(none.handle({ kind: 'open', id: 'y', project: 'app' }));
    expect(r.ok).to.equal(false);
    expect((r as { message: string }).message).to.match(/PROJECTS_DIR/);
  });

  it('opens a project at its real path; unknown names, .., and symlink escapes are refused with the list', async () => {
    expect(await answer({ kind: 'open', project: 'app' })).to.deep.include({ kind: 'opened', cwd: join(projects, 'app'), project: 'app' });
    for (const bad of ['nope', '..', '../outside', 'escape', 'app/../..']) {
      expect(await refusal({ kind: 'open', project: bad })).to.match(/no project .*Projects: app, plain/);
    }
  });

  it('@branch: a new branch from HEAD in its own worktree, visible to git; the same request reuses it', async () => {
    const a = (await answer({ kind: 'open', project: 'app', branch: 'feature/x' })) as Extract<WorkdirAnswer, { kind: 'opened' }>;
    expect(a.worktree).to.equal('new-branch');
    expect(a.cwd).to.equal(join(sessions, 'worktrees', 'app', 'feature+x'));
    expect(git(a.cwd, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).to.equal('feature/x');
    expect(git(join(projects, 'app'), 'worktree', 'list')).to.contain(a.cwd).and.to.contain('[feature/x]');
    writeFileSync(join(a.cwd, 'work.txt'), 'in progress');
    const again = await answer({ kind: 'open', project: 'app', branch: 'feature/x' });
    expect(again).to.deep.include({ cwd: a.cwd, worktree: 'reused' });
    expect(existsSync(join(a.cwd, 'work.txt'))).to.equal(true);
  });

  it('@branch of an existing branch checks it out; the main checkout\'s branch reuses the project directory', async () => {
    git(join(projects, 'app'), 'branch', 'old');
    expect(await answer({ kind: 'open', project: 'app', branch: 'old' })).to.deep.include({ branch: 'old', worktree: 'created' });
    expect(await answer({ kind: 'open', project: 'app', branch: 'main' })).to.deep.include({ cwd: join(projects, 'app'), worktree: 'reused' });
  });

  it('refuses: a branch name git refuses, @branch of a non-git project, a path that exists but is no worktree', async () => {
    for (const b of ['bad..name', '-x', 'a b', 'x.lock']) expect(await refusal({ kind: 'open', project: 'app', branch: b })).to.match(/does not accept/);
    expect(await refusal({ kind: 'open', project: 'plain', branch: 'x' })).to.match(/not a git repository/);
    const squat = join(sessions, 'worktrees', 'app', 'squat');
    mkdirSync(squat, { recursive: true });
    writeFileSync(join(squat, 'keep.txt'), 'mine');
    expect(await refusal({ kind: 'open', project: 'app', branch: 'squat' })).to.match(/not a worktree .*untouched/);
    expect(existsSync(join(squat, 'keep.txt'))).to.equal(true);
  });

  it('removal: refuses a dirty tree and a path that is not a worktree; removes a clean one, keeping the branch', async () => {
    const wt = join(sessions, 'worktrees', 'app', 'feature+x');
    expect(await refusal({ kind: 'removeWorktree', project: 'app', path: wt })).to.match(/uncommitted changes[\s\S]*work\.txt/);
    expect(existsSync(wt)).to.equal(true);
    expect(await refusal({ kind: 'removeWorktree', project: 'app', path: join(projects, 'app') })).to.match(/not a worktree/);
    rmSync(join(wt, 'work.txt'));
    expect(await answer({ kind: 'removeWorktree', project: 'app', path: wt })).to.deep.include({ kind: 'removed', path: wt, projectPath: join(projects, 'app') });
    expect(existsSync(wt)).to.equal(false);
    expect(git(join(projects, 'app'), 'branch', '--list', 'feature/x')).to.contain('feature/x');
  });

  it('command files: in the project and in ~/.claude/commands, with _ standing for -', async () => {
    mkdirSync(join(projects, 'app', '.claude', 'commands'), { recursive: true });
    writeFileSync(join(projects, 'app', '.claude', 'commands', 'say-hi.md'), 'Say hi to $ARGUMENTS');
    mkdirSync(join(home, 'commands'), { recursive: true });
    writeFileSync(join(home, 'commands', 'mine.md'), 'x');
    const cwd = join(projects, 'app');
    expect(await answer({ kind: 'commandFile', cwd, name: 'say_hi' })).to.deep.equal({ kind: 'commandFile', name: 'say-hi' });
    expect(await answer({ kind: 'commandFile', cwd, name: 'mine' })).to.deep.equal({ kind: 'commandFile', name: 'mine' });
    expect(await answer({ kind: 'commandFile', cwd, name: 'nope' })).to.deep.equal({ kind: 'commandFile' });
    expect(await answer({ kind: 'commandFile', cwd, name: '../../x' })).to.deep.equal({ kind: 'commandFile' });
  });

  it('conversations of a directory, newest first, with the first prompt', async () => {
    const cwd = join(projects, 'app');
    const dir = join(home, 'projects', cwdSlug(cwd));
    mkdirSync(dir, { recursive: true });
    const a = '11111111-1111-4111-8111-111111111111';
    const b = '22222222-2222-4222-8222-222222222222';
    const line = (o: unknown) => JSON.stringify(o) + '\n';
    writeFileSync(join(dir, `${a}.jsonl`), line({ type: 'queue-operation' }) + line({ type: 'user', message: { role: 'user', content: 'first words of the old one' } }));
    writeFileSync(join(dir, `${b}.jsonl`), line({ type: 'user', isMeta: true, message: { content: 'meta' } }) + line({ type: 'user', message: { content: [{ type: 'text', text: 'newer   one' }] } }));
    writeFileSync(join(dir, 'not-a-conversation.jsonl'), '');
    utimesSync(join(dir, `${a}.jsonl`), new Date(1000), new Date(1000));
    const r = (await answer({ kind: 'conversations', cwd })) as Extract<WorkdirAnswer, { kind: 'conversations' }>;
    expect(r.list.map((c) => [c.id, c.firstPrompt])).to.deep.equal([[b, 'newer one'], [a, 'first words of the old one']]);
    expect(cwdSlug('/home/user/my.proj dir_x')).to.equal('-home-user-my-proj-dir-x');
    expect((await answer({ kind: 'conversations', cwd: join(root, 'none') })) ).to.deep.equal({ kind: 'conversations', list: [] });
  });
});
