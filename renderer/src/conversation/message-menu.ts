/** The message menu's items: the actions offeredActions decides on, each with its label, icon and effect. */
import type { TFunction } from 'i18next';
import type { MessageView } from '../../../preload/api-types';
import type { MenuItem } from '../common/Menu';
import { downloadUrl } from '../lib/file-cache';
import type { AppModel } from '../state/app-model';
import { copyTextOf, offeredActions } from './message-actions';

export interface MessageMenuOptions {
  selfId: string;
  now: number;
  t: TFunction;
  model: AppModel;
  onReply(message: MessageView): void;
  onEdit(message: MessageView): void;
  retry(message: MessageView): void;
  remove(message: MessageView): void;
}

export function messageMenuItems(m: MessageView, options: MessageMenuOptions): MenuItem[] {
  const { t, model } = options;
  const body = m.body as { fileId?: string; name?: string };
  const items = offeredActions(m, options.selfId, options.now, model.limits.get().recallWindowMs).map((id): MenuItem => {
    switch (id) {
      case 'reply':
        return { id, label: t('menu.reply'), icon: 'reply', onSelect: () => options.onReply(m) };
      case 'copy':
        return {
          id,
          label: t('menu.copy'),
          icon: 'copy',
          onSelect: () => {
            navigator.clipboard.writeText(copyTextOf(m) ?? '').then(
              () => model.pushInfo(t('message.copied')),
              (e: unknown) => model.pushError(e, t('errors.copyFailed')),
            );
          },
        };
      case 'save':
        return {
          id,
          label: t('menu.save'),
          icon: 'download',
          onSelect: () => {
            if (!body.fileId) return;
            model.files.get(m.convId, body.fileId).then((f) => downloadUrl(f.url, body.name ?? ''), (e: unknown) => model.pushError(e));
          },
        };
      case 'edit':
        return { id, label: t('menu.edit'), icon: 'edit', onSelect: () => options.onEdit(m) };
      case 'recall':
        return {
          id,
          label: t('menu.recall'),
          icon: 'undo',
          onSelect: () => {
            if (m.seq === null) return;
            // Queued by main (offline too); a refusal arrives later as the message's failed `change`.
            // What rejects here was not queued at all (the request itself was refused).
            model.api.messages.recall({ convId: m.convId, seq: m.seq }).catch((e: unknown) => model.pushError(e));
          },
        };
      case 'retry':
        return { id, label: t('menu.retry'), icon: 'retry', onSelect: () => options.retry(m) };
      case 'delete':
        return { id, label: t('menu.delete'), icon: 'trash', danger: true, onSelect: () => options.remove(m) };
    }
  });
  // The sender's card, also from the keyboard (the avatar and name in the row are for the mouse).
  if (m.from !== options.selfId && m.kind !== 'system') {
    items.push({ id: 'profile', label: t('contacts.card.view'), icon: 'user', onSelect: () => model.people.openProfile(m.from) });
  }
  return items;
}
