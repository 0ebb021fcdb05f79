// chats.json, validated when loaded.
import { z } from 'zod';
import type { Chats } from '../domain/workspaces.ts';

export const chatsSchema = z.record(
  z.string(),
  z.object({
    active: z.string(),
    sessions: z.record(z.string(), z.object({ persona: z.string(), createdAt: z.string(), lastActivity: z.number().optional() })),
  }),
);

export const parseChats = (raw: unknown): Chats => {
  const r = chatsSchema.safeParse(raw ?? {});
  return r.success ? r.data : {};
};
