/** Pin, mute, mark read, leave a chatroom, delete a former group: shared by the list's context menu and the conversation screens. */
import { roomIdOf } from '../../../protocol/pure.js';
import type { ConversationView } from '../../../preload/api-types';
import type { AppModel } from '../state/app-model';

export async function setPinned(model: AppModel, c: ConversationView, pinned: boolean): Promise<void> {
  model.patchConversation(c.convId, { pinned });
  try {
    await model.api.conversation.update({ convId: c.convId, pinned });
  } catch (error) {
    model.patchConversation(c.convId, { pinned: c.pinned });
    model.pushError(error);
  }
}

export async function setMuted(model: AppModel, c: ConversationView, muted: boolean): Promise<void> {
  model.patchConversation(c.convId, { muted });
  try {
    await model.api.conversation.update({ convId: c.convId, muted });
  } catch (error) {
    model.patchConversation(c.convId, { muted: c.muted });
    model.pushError(error);
  }
}

export async function markRead(model: AppModel, c: ConversationView, seq = c.lastSeq): Promise<void> {
  if (seq <= c.readSeq && c.unread === 0) return;
  if (seq >= c.lastSeq) model.patchConversation(c.convId, { unread: 0, mentioned: false, readSeq: Math.max(c.readSeq, seq) });
  try {
    await model.api.conversation.markRead({ convId: c.convId, seq });
  } catch {
    // Not worth a toast: the next read (or sync) sends it again.
  }
}

/** Leaves a chatroom (main clears its local copy and the list drops it); false when it failed (and said why). */
export async function leaveRoom(model: AppModel, c: Pick<ConversationView, 'convId'>): Promise<boolean> {
  try {
    await model.api.room.leave({ roomId: roomIdOf(c.convId) ?? '' });
    if (model.navigation.get()?.convId === c.convId) model.navigate(null);
    return true;
  } catch (error) {
    model.pushError(error);
    return false;
  }
}

/** Deletes the local copy of a group the user is no longer in; false when it failed (and said why). */
export async function deleteChat(model: AppModel, c: Pick<ConversationView, 'convId'>): Promise<boolean> {
  try {
    await model.api.conversation.delete({ convId: c.convId });
    if (model.navigation.get()?.convId === c.convId) model.navigate(null);
    return true;
  } catch (error) {
    model.pushError(error);
    return false;
  }
}
