// Chats, their named sessions and the active one, persisted in SESSIONS_DIR/chats.json so they
// survive restarts. Owns the Session objects and the cap on live CLI processes (LRU eviction).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { SESSION_NAME } from '../domain/commands.ts';
import type { Persona } from '../protocol/persona.ts';
import { Session, type SessionDeps } from '../streams/session.ts';
import { readJson, writeJsonAtomic } from './sessionStore.ts';

const chatsSchema = z.record(
  z.string(),
  z.object({
    active: z.string(),
    sessions: z.record(z.string(), z.object({ persona: z.string(), createdAt: z.string(), lastActivity: z.number().optional() })),
  }),
);
type Chats = z.infer<typeof chatsSchema>;

export class SessionRegistry {
  private readonly file: string;
  private chats: Chats;
  private readonly sessions = new Map<string, Session>();
  private readonly sessionsDir: string;

  constructor(
    sessionsDir: string,
    private readonly personas: ReadonlyMap<string, Persona>,
    private readonly defaultPersona: string,
    private readonly deps: Omit<SessionDeps, 'onProcess'>,
    private readonly maxLive: number,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.sessionsDir = resolve(sessionsDir);
    mkdirSync(this.sessionsDir, { recursive: true });
    this.file = join(this.sessionsDir, 'chats.json');
    const r = chatsSchema.safeParse(readJson(this.file) ?? {});
    this.chats = r.success ? r.data : {};
  }

  private save(): void {
    writeJsonAtomic(this.file, this.chats);
  }

  private chat(chatKey: string) {
    let c = this.chats[chatKey];
    if (!c) {
      c = { active: 'default', sessions: { default: { persona: this.defaultPersona, createdAt: new Date().toISOString() } } };
      this.chats[chatKey] = c;
      this.save();
    }
    return c;
  }

  sessionKey(chatKey: string, name: string): string {
    return `${chatKey}/${name}`;
  }

  /** The active session of a chat (created on first use). */
  active(chatKey: string): { name: string; session: Session } {
    const c = this.chat(chatKey);
    return { name: c.active, session: this.byKey(this.sessionKey(chatKey, c.active)) };
  }

  /** Session object for a key `<chatKey>/<name>`; created lazily. */
  byKey(key: string): Session {
    let s = this.sessions.get(key);
    if (s) return s;
    const slash = key.lastIndexOf('/');
    const chatKey = key.slice(0, slash);
    const name = key.slice(slash + 1);
    if (!SESSION_NAME.test(name) || !/^-?\d+(_\d+)?$/.test(chatKey)) throw new Error(`bad session key ${key}`);
    const c = this.chat(chatKey);
    const meta = c.sessions[name] ?? (c.sessions[name] = { persona: this.defaultPersona, createdAt: new Date().toISOString() });
    const persona = this.personas.get(meta.persona) ?? this.personas.get(this.defaultPersona)!;
    const dir = join(this.sessionsDir, `chat${chatKey}`, name);
    mkdirSync(dir, { recursive: true });
    s = new Session({ key, dir, persona }, { ...this.deps, onProcess: () => this.enforceCap(key) });
    this.sessions.set(key, s);
    return s;
  }

  create(chatKey: string, name?: string): { ok: true; name: string } | { ok: false; message: string } {
    const c = this.chat(chatKey);
    let n = name;
    if (!n) {
      let i = Object.keys(c.sessions).length + 1;
      while (c.sessions[`s${i}`]) i++;
      n = `s${i}`;
    }
    if (c.sessions[n]) return { ok: false, message: `A session named "${n}" already exists here. /switch ${n} to use it.` };
    c.sessions[n] = { persona: c.sessions[c.active]?.persona ?? this.defaultPersona, createdAt: new Date().toISOString() };
    c.active = n;
    this.save();
    return { ok: true, name: n };
  }

  switchTo(chatKey: string, name: string): boolean {
    const c = this.chat(chatKey);
    if (!c.sessions[name]) return false;
    c.active = name;
    this.save();
    return true;
  }

  list(chatKey: string): { name: string; persona: string; active: boolean; lastActivity?: number; session?: Session }[] {
    const c = this.chat(chatKey);
    return Object.entries(c.sessions).map(([name, meta]) => {
      const session = this.sessions.get(this.sessionKey(chatKey, name));
      return { name, persona: meta.persona, active: name === c.active, lastActivity: session?.lastActivity ?? meta.lastActivity, session };
    });
  }

  setPersona(chatKey: string, persona: string): boolean {
    const p = this.personas.get(persona);
    if (!p) return false;
    const { name, session } = this.active(chatKey);
    this.chat(chatKey).sessions[name]!.persona = persona;
    this.save();
    session.setPersona(p);
    return true;
  }

  personaList(): Persona[] {
    return [...this.personas.values()];
  }

  /** Records activity so /sessions survives restarts. */
  touch(key: string): void {
    const slash = key.lastIndexOf('/');
    const meta = this.chats[key.slice(0, slash)]?.sessions[key.slice(slash + 1)];
    if (meta) {
      meta.lastActivity = Date.now();
      this.save();
    }
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  liveCount(): number {
    return this.all().filter((s) => s.alive).length;
  }

  /** Keeps at most maxLive processes: evicts the least recently used idle ones. */
  private enforceCap(justStarted: string): void {
    const live = this.all().filter((s) => s.alive);
    let excess = live.length - this.maxLive;
    if (excess <= 0) return;
    const idle = live.filter((s) => !s.busy && s.key !== justStarted).sort((a, b) => a.lastActivity - b.lastActivity);
    for (const s of idle) {
      if (excess-- <= 0) break;
      this.log(`evicting idle session ${s.key} (cap of ${this.maxLive} live processes)`);
      s.killProcess();
    }
  }
}
