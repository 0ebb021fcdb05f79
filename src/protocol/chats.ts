// chats.json, validated when loaded.
import { z } from 'zod';
import type { Chats } from '../domain/workspaces.ts';

// Fields added with projects (issue 10): optional, so files written before still load.
export const workspaceExtras = {
  cwd: z.string().optional(),
  project: z.string().optional(),
  branch: z.string().optional(),
  model: z.string().optional(),
  claudeCommands: z.array(z.string()).optional(),
};

export const chatsSchema = z.record(
  z.string(),
  z.object({
    active: z.string(),
    sessions: z.record(z.string(), z.object({ persona: z.string(), createdAt: z.string(), lastActivity: z.number().optional(), ...workspaceExtras })),
  }),
);

export const parseChats = (raw: unknown): Chats => {
  const r = chatsSchema.safeParse(raw ?? {});
  return r.success ? r.data : {};
};
