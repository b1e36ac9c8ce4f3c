/**
 * Tells the user, with an info toast, when someone asks to become their contact while the app is open. Requests
 * already pending when the list first loads are on the Contacts tab's badge, not toasted.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppModel } from '../state/app-model';

export function useContactRequestToasts(model: AppModel): void {
  const { t } = useTranslation();
  useEffect(() => {
    const { list } = model.people;
    const incoming = () => new Map(list.get().requests.filter((r) => r.direction === 'in').map((r) => [r.userId, r]));
    // Null until the list has loaded once: what it holds then is not news.
    let known: Set<string> | null = list.get().loaded ? new Set(incoming().keys()) : null;
    return list.subscribe(() => {
      if (!list.get().loaded) {
        known = null;
        return;
      }
      const now = incoming();
      if (known) {
        for (const [userId, r] of now) if (!known.has(userId)) model.pushInfo(t('contacts.requestToast', { name: r.name || userId }));
      }
      known = new Set(now.keys());
    });
  }, [model, t]);
}
