/** Small builders for test data (tests only). */
import type { ConversationView } from '../../../preload/api-types';

export function conv(convId: string, patch: Partial<ConversationView> = {}): ConversationView {
  return {
    convId, kind: 'private', title: convId, lastSeq: 1, readSeq: 1, unread: 0, mentioned: false, muted: false, pinned: false,
    updatedAt: 0, lastMessage: null, draft: '', ...patch,
  };
}
