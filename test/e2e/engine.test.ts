// Turns over the Claude driver with the real Claude Code CLI against the fake model.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { allReaped } from '../../src/drivers/claude/process.ts';
import { sessionStore } from '../../src/drivers/sessionStore.ts';
import type { SessionEvent } from '../../src/domain/events.ts';
import type { Persona } from '../../src/protocol/persona.ts';
import { claudeBin, makeCliEnv } from '../helpers/cliEnv.ts';
import { startFakeModel, type FakeModel } from '../helpers/fakeModel.ts';
import { signal, waitUntil } from '../helpers/processes.ts';
import { WorkspaceLoop } from '../helpers/workspaceLoop.ts';

describe('turns with the real CLI', function () {
  this.timeout(90_000);
  let model: FakeModel;
  let cli: Awaited<ReturnType<typeof makeCliEnv>>;
  let dir: string;
  before(async () => {
    model = await startFakeModel();
    cli = await makeCliEnv(model.url);
  });
  after(async () => {
    await allReaped();
    await model.close();
    await cli.cleanup();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engine-e2e-'));
  });
  const made: WorkspaceLoop[] = [];
  afterEach(async () => {
    for (const s of made.splice(0)) await s.shutdown();
    await allReaped();
    rmSync(dir, { recursive: true, force: true });
  });

  const make = (persona: Persona = { name: 'default', settings: {} }) =>
    track(new WorkspaceLoop({ driver: { bin: claudeBin(), env: cli.env }, dir, persona, store: sessionStore, backoffMs: () => 200 }));
  const track = (s: WorkspaceLoop) => (made.push(s), s);
  const run = (s: WorkspaceLoop, prompt: string) => lastValueFrom(s.turn$(prompt).pipe(toArray()));
  const result = (evs: SessionEvent[]) => evs.find((e): e is Extract<SessionEvent, { kind: 'result' }> => e.kind === 'result')!;

  it('two turns in one process; the second request carries the first exchange', async () => {
    const s = make();
    const a = result(await run(s, 'first question alpha'));
    const b = result(await run(s, 'second question beta'));
    expect(a.text).to.equal('MOCK REPLY to: first question alpha');
    expect(b.text).to.equal('MOCK REPLY to: second question beta');
    expect(b.sessionId).to.equal(a.sessionId);
    const req = model.mainRequests().find((r) => r.lastUserText.includes('second question beta'))!;
    const history = JSON.stringify(req.body.messages);
    expect(history).to.contain('first question alpha').and.to.contain('MOCK REPLY to: first question alpha');
  });

  it('bypassPermissions as root is a start-up failure, reported once with the CLI\'s words', async function () {
    if (process.getuid?.() !== 0) this.skip();
    const s = make({ name: 'yolo', settings: { permission_mode: 'bypassPermissions' } });
    const evs = await run(s, 'hello');
    const shown = evs.filter((e) => e.kind !== 'running');
    expect(shown).to.have.length(1);
    expect(shown[0]).to.deep.include({ kind: 'failure', reason: 'startup' });
    expect((shown[0] as { message: string }).message).to.match(/root/);
  });

  it('a tool turn: Bash runs in the session directory and its output comes back', async () => {
    const s = make({ name: 'tools', settings: { allowed_tools: ['Bash'] } });
    const evs = await run(s, 'please [[bash: pwd && echo from-bash-42]]');
    const use = evs.find((e) => e.kind === 'tool_use') as Extract<SessionEvent, { kind: 'tool_use' }>;
    expect(use).to.include({ name: 'Bash' });
    expect(use.summary).to.contain('echo from-bash-42');
    expect(evs.find((e) => e.kind === 'tool_result')).to.include({ ok: true });
    const r = result(evs);
    expect(r.text).to.contain('from-bash-42').and.to.contain(dir);
    expect(r.turns).to.equal(2);
  });

  it('a CLI killed mid-turn is respawned with --resume and the turn completes in the same conversation', async () => {
    const s = make();
    try {
      const first = result(await run(s, 'remember melon'));
      const pending = run(s, 'slowly please [[slow: 3000]]');
      await waitUntil(() => model.mainRequests().some((r) => r.lastUserText.includes('slowly please')) && s.alive, 20_000, 'the turn reached the model');
      const pid = s.pid!;
      const before = model.mainRequests().length;
      signal(-pid, 'SIGKILL');
      const evs = await pending;
      const statuses = evs.filter((e) => e.kind === 'status').map((e) => (e as { message: string }).message);
      expect(statuses.join('\n')).to.match(/restarting/);
      const r = result(evs);
      expect(r.isError).to.equal(false);
      expect(r.text).to.contain('slowly please');
      expect(evs.filter((e) => e.kind === 'result')).to.have.length(1);
      expect(s.pid).to.not.equal(pid);
      expect(r.sessionId).to.equal(first.sessionId);
      // The request after the respawn carries the earlier exchange.
      const after = model.mainRequests().slice(before);
      expect(JSON.stringify(after.at(-1)!.body.messages)).to.contain('remember melon');
    } finally {
      }
  });
});
