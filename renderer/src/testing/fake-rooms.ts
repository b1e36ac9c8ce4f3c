/**
 * The fake api's chatrooms: a directory with online counts (most first, as the server sorts it), one room at
 * a time (joining another drops the previous room's local copy, as main does), the seeded latest entries on
 * join, and leaving clears the copy.
 */
import type { ConversationView } from '../../../preload/api-types';
import { fakeConversation, type FakeContext } from './fake-context';

export interface FakeRoomSpec {
  roomId: string;
  name: string;
  online: number;
  /** Entries the room has when joined (the latest 50 are stored on join). */
  messages?: Array<{ from: string; text: string }>;
}

const JOIN_HISTORY = 50;

export function createFakeRooms(ctx: FakeContext, specs: readonly FakeRoomSpec[] = []) {
  const rooms = new Map(specs.map((r) => [r.roomId, { ...r }]));
  let joined: string | null = null;

  const convIdOf = (roomId: string) => `r:${roomId}`;

  const drop = (roomId: string) => {
    const room = rooms.get(roomId);
    if (room) room.online = Math.max(0, room.online - 1);
    ctx.removeConversation(convIdOf(roomId));
    if (joined === roomId) joined = null;
  };

  return {
    rooms: {
      list: () =>
        ctx.record('rooms.list', {}, () => ({
          rooms: [...rooms.values()]
            .map(({ roomId, name, online }) => ({ roomId, name, online }))
            .sort((a, b) => b.online - a.online || (a.roomId < b.roomId ? -1 : 1)),
        })),
    },
    room: {
      join: (arg: { roomId: string }) =>
        ctx.record('room.join', arg, () => {
          const room = rooms.get(arg.roomId);
          if (!room) throw ctx.error('NOT_FOUND', 'no such room');
          const convId = convIdOf(room.roomId);
          if (joined === room.roomId) return { convId, name: room.name };
          if (joined !== null) drop(joined);
          joined = room.roomId;
          room.online += 1;
          const c: ConversationView = fakeConversation(convId, 'room', room.name, ctx.now());
          ctx.upsertConversation(c);
          for (const m of (room.messages ?? []).slice(-JOIN_HISTORY)) ctx.append(convId, { from: m.from, kind: 'text', body: { text: m.text } });
          return { convId, name: room.name };
        }),
      leave: (arg: { roomId: string }) =>
        ctx.record('room.leave', arg, () => {
          if (!rooms.has(arg.roomId)) throw ctx.error('NOT_FOUND', 'no such room');
          if (joined === arg.roomId) drop(arg.roomId);
        }),
    },
  };
}
