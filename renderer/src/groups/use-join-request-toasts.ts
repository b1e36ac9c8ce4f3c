/**
 * Tells the owner and admins, with an info toast, when someone asks to join one of their groups. Only live
 * requests count: the ones loaded with a group's panel are on screen already.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppModel } from '../state/app-model';

export function useJoinRequestToasts(model: AppModel): void {
  const { t } = useTranslation();
  useEffect(() => {
    let active = true;
    const off = model.api.on('group:join-requested', ({ groupId, convId, userId }) => {
      const toast = () => {
        if (!active) return;
        const group = model.conversations.get().byId.get(convId)?.title ?? groupId;
        model.pushInfo(t('groups.joinRequestToast', { name: model.displayName(userId), group }));
      };
      // The model fetches the requester's name; wait for it rather than toasting a bare id.
      if (model.users.get().has(userId)) toast();
      else void model.refreshUsers([userId]).then(toast);
    });
    return () => {
      active = false;
      off();
    };
  }, [model, t]);
}
