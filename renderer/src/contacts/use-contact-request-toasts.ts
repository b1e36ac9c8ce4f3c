/**
 * Tells the user, with info toasts, when someone asks to become their contact or accepts the user's own request
 * while the app is open. What the list holds when it first loads is on the Contacts tab already, not toasted.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactsView } from '../../../preload/api-types';
import type { AppModel } from '../state/app-model';

interface Seen {
  incoming: Set<string>;
  outgoing: Set<string>;
}

function seenIn(view: ContactsView): Seen {
  return {
    incoming: new Set(view.requests.filter((r) => r.direction === 'in').map((r) => r.userId)),
    outgoing: new Set(view.requests.filter((r) => r.direction === 'out').map((r) => r.userId)),
  };
}

export function useContactRequestToasts(model: AppModel): void {
  const { t } = useTranslation();
  useEffect(() => {
    const { list } = model.people;
    // Null until the list has loaded once: what it holds then is not news.
    let before: Seen | null = list.get().loaded ? seenIn(list.get()) : null;
    return list.subscribe(() => {
      const view = list.get();
      if (!view.loaded) {
        before = null;
        return;
      }
      if (before) {
        for (const r of view.requests) {
          if (r.direction === 'in' && !before.incoming.has(r.userId)) model.pushInfo(t('contacts.requestToast', { name: r.name || r.userId }));
        }
        for (const c of view.contacts) {
          if (before.outgoing.has(c.userId)) model.pushInfo(t('contacts.nowContacts', { name: c.name || c.userId }));
        }
      }
      before = seenIn(view);
    });
  }, [model, t]);
}
