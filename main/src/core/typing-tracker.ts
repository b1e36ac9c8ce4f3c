/** Who is typing where: a `typing` event lasts a few seconds, or until that user's message arrives. */
export const TYPING_TTL_MS = 6000;

export class TypingTracker {
  private readonly byConv = new Map<string, Map<string, NodeJS.Timeout>>();

  constructor(private readonly onChange: (convId: string, userIds: string[]) => void) {}

  typing(convId: string, userId: string): void {
    let users = this.byConv.get(convId);
    if (!users) this.byConv.set(convId, (users = new Map()));
    const had = users.has(userId);
    clearTimeout(users.get(userId));
    users.set(userId, setTimeout(() => this.stopped(convId, userId), TYPING_TTL_MS).unref());
    if (!had) this.onChange(convId, [...users.keys()]);
  }

  stopped(convId: string, userId: string): void {
    const users = this.byConv.get(convId);
    if (!users?.has(userId)) return;
    clearTimeout(users.get(userId));
    users.delete(userId);
    if (users.size === 0) this.byConv.delete(convId);
    this.onChange(convId, [...(users.keys())]);
  }

  dispose(): void {
    for (const users of this.byConv.values()) for (const t of users.values()) clearTimeout(t);
    this.byConv.clear();
  }
}
