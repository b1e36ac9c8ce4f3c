/**
 * How many are online in a chatroom, from the directory (rooms.list), asked again every 15 s while the room is
 * open. Null until known (or when the room is not in the list).
 */
import { useEffect, useState } from 'react';
import { useModel } from '../app/model-context';

export const ROOM_ONLINE_REFRESH_MS = 15_000;

export function useRoomOnline(roomId: string | null): number | null {
  const model = useModel();
  const [online, setOnline] = useState<number | null>(null);
  useEffect(() => {
    if (!roomId) return;
    let alive = true;
    const load = () => {
      model.api.rooms.list().then(
        ({ rooms }) => {
          if (alive) setOnline(rooms.find((r) => r.roomId === roomId)?.online ?? null);
        },
        () => undefined, // keep the last count; the next round asks again
      );
    };
    load();
    const timer = setInterval(load, ROOM_ONLINE_REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [model, roomId]);
  return online;
}
