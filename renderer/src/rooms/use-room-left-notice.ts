/**
 * Tells the user why they are out of a chatroom they did not leave here (closed by an administrator, closed
 * for inactivity, or they joined another room on another device): an info toast for each `room:left`.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoomLeftReason } from '../../../preload/api-types';
import type { AppModel } from '../state/app-model';

const REASON_KEYS = {
  deleted: 'rooms.leftDeleted',
  idle: 'rooms.leftIdle',
  switched: 'rooms.leftSwitched',
} as const satisfies Record<RoomLeftReason, string>;

export function useRoomLeftNotice(model: AppModel): void {
  const { t } = useTranslation();
  useEffect(() => model.api.on('room:left', ({ reason }) => model.pushInfo(t(REASON_KEYS[reason] ?? REASON_KEYS.deleted))), [model, t]);
}
