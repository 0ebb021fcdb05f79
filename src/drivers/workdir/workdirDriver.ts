// Carries out the app's WorkdirRequests: projects and their git state, worktrees (created or
// reused, never clobbered; removed only when clean), custom command files, recorded conversations.
// Every request gets exactly one WorkdirResult with its id; failures are values with a message.
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defer, from, type Observable } from 'rxjs';
import { claudeNamesFor, type WorkdirAnswer, type WorkdirRequest, type WorkdirResult } from '../../domain/workdir.ts';
import { addWorktree, changes, validBranch, workTreeTop, worktrees, removeWorktree } from '../git.ts';
import { inside, listProjects, resolveProject } from './projects.ts';
import { conversations } from './transcripts.ts';

export interface WorkdirOptions {
  /** PROJECTS_DIR entries (empty: no projects). */
  projectsDirs: readonly string[];
  /** Worktrees live in <sessionsDir>/worktrees/<project>/<branch>. */
  sessionsDir: string;
  /** Claude Code's config directory ($CLAUDE_CONFIG_DIR, or ~/.claude). */
  claudeHome: string;
}

type Outcome = { ok: true; answer: WorkdirAnswer } | { ok: false; message: string };
const no = (message: string): Outcome => ({ ok: false, message });
const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

export class WorkdirDriver {
  constructor(private readonly opts: WorkdirOptions) {}

  handle(req: WorkdirRequest): Observable<WorkdirResult> {
    return defer(() => from(this.answer(req).catch((err: unknown) => no(`that did not work: ${err instanceof Error ? err.message : String(err)}`)).then((o): WorkdirResult => ({ id: req.id, ...o }))));
  }

  private async answer(req: WorkdirRequest): Promise<Outcome> {
    switch (req.kind) {
      case 'projects':
        return { ok: true, answer: { kind: 'projects', configured: this.opts.projectsDirs.length > 0, projects: await listProjects(this.opts.projectsDirs) } };
      case 'open':
        return this.open(req.project, req.branch);
      case 'removeWorktree':
        return this.remove(req.project, req.path);
      case 'commandFile':
        return { ok: true, answer: { kind: 'commandFile', ...this.commandFile(req.cwd, req.name) } };
      case 'conversations':
        return { ok: true, answer: { kind: 'conversations', list: conversations(this.opts.claudeHome, req.cwd) } };
    }
  }

  private async open(project: string, branch: string | undefined): Promise<Outcome> {
    const p = resolveProject(this.opts.projectsDirs, project);
    if (!p.ok) return p;
    const base = { kind: 'opened' as const, project: p.name, projectPath: p.path };
    if (branch === undefined) return { ok: true, answer: { ...base, cwd: p.path } };
    if ((await workTreeTop(p.path)) === undefined) return no(`Project "${p.name}" is not a git repository, so it cannot have a worktree for @${branch}. Use /new <name> ${p.name} to work in its directory.`);
    if (!(await validBranch(p.path, branch))) return no(`git does not accept "${branch.slice(0, 60)}" as a branch name. Use letters, digits, -, _, / and . (no spaces, no "..", not starting with -).`);
    const list = await worktrees(p.path);
    const existing = list.find((w) => w.branch === branch);
    if (existing) return { ok: true, answer: { ...base, cwd: real(existing.path), branch, worktree: 'reused' } };
    const path = join(real(this.opts.sessionsDir), 'worktrees', p.name, branch.replace(/\//g, '+'));
    if (existsSync(path)) {
      const here = list.find((w) => real(w.path) === real(path));
      if (!here) return no(`${path} already exists but is not a worktree of "${p.name}"; it is left untouched. Move it away, or pick another branch name.`);
      return no(`The worktree at ${path} has ${here.branch ? `branch ${here.branch}` : 'a detached HEAD'} checked out, not ${branch}; it is left untouched.`);
    }
    mkdirSync(dirname(path), { recursive: true });
    const r = await addWorktree(p.path, path, branch);
    if (!r.ok) return no(`git could not create a worktree for ${branch}: ${r.message}`);
    return { ok: true, answer: { ...base, cwd: real(path), branch, worktree: r.created ? 'new-branch' : 'created' } };
  }

  private async remove(project: string, path: string): Promise<Outcome> {
    const p = resolveProject(this.opts.projectsDirs, project);
    if (!p.ok) return p;
    const list = await worktrees(p.path);
    // The first entry is the project's main work tree: never removed.
    const target = list.slice(1).find((w) => real(w.path) === real(path));
    if (!target) return no(`${path} is not a worktree of "${p.name}" (git worktree list does not show it); nothing was removed.`);
    const changed = await changes(target.path);
    if (changed === undefined) return no(`git cannot read the state of ${target.path}; nothing was removed.`);
    if (changed.length) return no(`The worktree has uncommitted changes, so it was not removed:\n${changed.join('\n')}\nCommit or discard them first.`);
    const r = await removeWorktree(p.path, target.path);
    if (!r.ok) return no(`git did not remove the worktree: ${r.message}`);
    return { ok: true, answer: { kind: 'removed', path: target.path, projectPath: p.path } };
  }

  private commandFile(cwd: string, typed: string): { name?: string } {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(typed)) return {};
    const roots = [join(cwd, '.claude', 'commands'), join(this.opts.claudeHome, 'commands')];
    for (const name of claudeNamesFor(typed)) {
      for (const root of roots) {
        const file = join(root, `${name}.md`);
        if (existsSync(file) && inside(real(root), real(file))) return { name };
      }
    }
    return {};
  }
}
