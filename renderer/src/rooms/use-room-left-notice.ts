/**
 * Tells the user why they are out of a chatroom they did not leave here (closed by an administrator, closed
 * for inactivity, or they joined another room on another device): an info toast for each `room:left`.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoomLeftReason } from '../../../preload/api-types';
import { useStore } from '../lib/store';
import type { AppModel } from '../state/app-model';

const REASON_KEYS = {
  deleted: 'rooms.leftDeleted',
  idle: 'rooms.leftIdle',
  switched: 'rooms.leftSwitched',
} as const satisfies Record<RoomLeftReason, string>;

export function useRoomLeftNotice(model: AppModel): void {
  const { t } = useTranslation();
  const notice = useStore(model.roomLeft);
  // A notice from before this window part mounted was told already (or is stale): only new ones toast.
  const shown = useRef(notice?.at ?? null);
  useEffect(() => {
    if (!notice || notice.at === shown.current) return;
    shown.current = notice.at;
    model.pushInfo(t(REASON_KEYS[notice.reason] ?? REASON_KEYS.deleted));
  }, [model, notice, t]);
}
