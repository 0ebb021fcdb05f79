// The work tree fingerprint and patch behind the Diff button, on real git repositories.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitDiff, gitState } from '../../../src/drivers/io/git.ts';
import { SESSION_FILE } from '../../../src/drivers/store/index.ts';
import { git, makeRepo } from '../../helpers/gitRepo.ts';

describe('drivers/io/git', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'gitstate-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a folder without its own .git is not a work tree, even inside another checkout', async () => {
    expect(await gitState(root)).to.equal(undefined);
    const repo = makeRepo(join(root, 'outer'));
    const inner = join(repo, 'sessions', 'chat', 'default');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(repo, 'README.md'), 'changed in the outer checkout\n');
    expect(await gitState(inner)).to.equal(undefined);
    expect(await gitDiff(inner)).to.equal(undefined);
    expect(await gitState(repo)).to.be.a('string');
  });

  it('changes with every edit: tracked, edited again, new, renamed, staged; clean again once committed; not with the bot\'s own file', async () => {
    const repo = makeRepo(join(root, 'r'));
    const seen = new Set<string>();
    const step = async (what: string, change: () => void) => {
      change();
      const s = (await gitState(repo))!;
      expect(seen.has(s), `${what}: a new fingerprint`).to.equal(false);
      seen.add(s);
      return s;
    };
    const clean = await step('clean', () => undefined);
    expect(await gitState(repo), 'the same tree, the same fingerprint').to.equal(clean);
    await step('tracked edit', () => writeFileSync(join(repo, 'README.md'), 'hello\nmore\n'));
    await step('edited again, same size', () => writeFileSync(join(repo, 'README.md'), 'hello\nMORE\n'));
    const untracked = await step('new file in a new folder', () => (mkdirSync(join(repo, 'src')), writeFileSync(join(repo, 'src', 'a.ts'), 'x\n')));
    writeFileSync(join(repo, SESSION_FILE), '{"sessionId":"abc"}');
    expect(await gitState(repo), "the bot's own session file is not a change").to.equal(untracked);
    await step('renamed', () => renameSync(join(repo, 'src', 'a.ts'), join(repo, 'src', 'b.ts')));
    git(repo, 'add', 'README.md', 'src');
    await step('staged', () => undefined);
    git(repo, 'commit', '-qm', 'two');
    expect(await gitState(repo), 'committed: clean again, as at the start').to.equal(clean);
  });

  it('a repository with no commit yet has a fingerprint and a patch of its new files', async () => {
    const dir = join(root, 'fresh');
    mkdirSync(dir);
    git(dir, 'init', '-q');
    const empty = await gitState(dir);
    writeFileSync(join(dir, 'new.txt'), 'brand new\n');
    expect(await gitState(dir)).to.be.a('string').and.not.equal(empty);
    expect(await gitDiff(dir)).to.contain('+brand new');
  });
});
