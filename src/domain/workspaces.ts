// A chat's workspaces as persisted (chats.json): the active one and each one's persona.

export interface WorkspaceMeta {
  persona: string;
  createdAt: string;
  lastActivity?: number;
}

export interface ChatWorkspaces {
  active: string;
  sessions: Record<string, WorkspaceMeta>;
}

/** chat key → its workspaces. */
export type Chats = Record<string, ChatWorkspaces>;
