/**
 * The viewer's place in a group, as the composer needs it: who can be mentioned, whether @all may be used, and
 * whether the viewer may speak (docs/protocol.md "Groups: readings": a muted member's send is MUTED; `mutedAll`
 * silences plain members only). Read from `model.groups`, which ConversationPane loads when the group opens.
 */
import { useMemo } from 'react';
import type { ConversationView, GroupMemberView, GroupRole } from '../../../preload/api-types';
import { parseConvId } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { roleOf } from '../groups/group-rules';
import { useStore } from '../lib/store';

export interface GroupSeat {
  groupId: string;
  /** The member list arrived (the first load may still be under way). */
  loaded: boolean;
  members: readonly GroupMemberView[];
  /** Null until the member list says (or when the viewer is not in it). */
  role: GroupRole | null;
  /** When the viewer's own mute ends (ms since epoch); null when not muted. */
  mutedUntil: number | null;
  mutedAll: boolean;
}

export function useGroupSeat(conversation: ConversationView, selfId: string): GroupSeat | null {
  const model = useModel();
  const groups = useStore(model.groups);
  const parsed = conversation.kind === 'group' ? parseConvId(conversation.convId) : null;
  const groupId = parsed?.kind === 'group' ? parsed.groupId : null;
  const state = groupId ? groups.get(groupId) : undefined;
  return useMemo(() => {
    if (!groupId) return null;
    const members = state?.members ?? [];
    const self = members.find((m) => m.userId === selfId);
    return {
      groupId,
      loaded: !!state && members.length > 0,
      members,
      role: roleOf(selfId, state?.info ?? null, members),
      mutedUntil: self?.mutedUntil ?? null,
      mutedAll: state?.info?.mutedAll ?? false,
    };
  }, [groupId, state, selfId]);
}
