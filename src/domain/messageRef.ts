// Names the bot gives the messages it sends, so the outbox can edit or delete them later. Only
// built here, never parsed back: what a delivery means travels in fields of the op (`answers`).
export const messageRef = {
  /** A reply to one update (a command's answer, a refusal). */
  reply: (updateRef: string) => `reply:${updateRef}`,
  /** A turn's live preview (groups), edited while it runs. */
  live: (turnId: string) => `${turnId}:live`,
  /** The i-th message of a turn's final answer. */
  final: (turnId: string, i: number) => `${turnId}:final:${i}`,
  permission: (token: string) => `perm:${token}`,
  stall: (token: string) => `stall:${token}`,
  recovered: (turnId: string) => `recovered:${turnId}`,
} as const;
