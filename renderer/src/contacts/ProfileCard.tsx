/**
 * A person's card, opened from their avatar or name anywhere (model.people.openProfile): who they are (avatar,
 * name, status line, presence, user id with a copy button) and what the user can do — message them, add or
 * remove them as a contact, answer their request, block or unblock them, and give a contact a remark and tags.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { Avatar } from '../common/Avatar';
import { Dialog } from '../common/Dialog';
import { Icon } from '../common/Icon';
import { useStore } from '../lib/store';
import { formatLastSeen } from '../lib/time-format';
import { answerRequest, messageUser } from './contact-actions';
import { ContactNotesForm } from './ContactNotesForm';
import { contactLabel } from './contacts-model';
import { RequestButton } from './RequestButton';

export function ProfileCard({ userId, selfId }: { userId: string; selfId: string }) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const now = useNow(30_000);
  const users = useStore(model.users);
  const { contacts, requests, messaging } = useStore(model.people.list);
  const blocked = useStore(model.blocked);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const contact = contacts.find((c) => c.userId === userId);
  const incoming = requests.find((r) => r.userId === userId && r.direction === 'in');
  const user = users.get(userId);
  const name = user?.name || contact?.name || incoming?.name || userId;
  const online = user?.online ?? contact?.online ?? false;
  const lastSeen = user?.lastSeen ?? contact?.lastSeen ?? 0;
  const status = user?.status ?? contact?.status;
  const isSelf = userId === selfId;
  const isBlocked = blocked.has(userId);
  const close = () => model.people.closeProfile();

  // Fresh presence and status whenever a card opens.
  useEffect(() => {
    void model.refreshUsers([userId]);
  }, [model, userId]);

  const copyId = () => {
    navigator.clipboard.writeText(userId).then(
      () => model.pushInfo(t('contacts.card.copied')),
      (e: unknown) => model.pushError(e, t('errors.copyFailed')),
    );
  };

  const toggleBlock = async () => {
    const before = model.blocked.get();
    const next = new Set(before);
    if (isBlocked) next.delete(userId);
    else next.add(userId);
    model.blocked.set(next);
    try {
      if (isBlocked) await model.api.users.unblock({ userId });
      else await model.api.users.block({ userId });
    } catch (error) {
      model.blocked.set(before);
      model.pushError(error);
    }
  };

  const remove = async () => {
    try {
      await model.api.contacts.remove({ userId });
      model.pushInfo(t('contacts.card.removed', { name }));
      setConfirmRemove(false);
    } catch (error) {
      model.pushError(error);
    }
  };

  return (
    <Dialog title={t('contacts.card.title', { name })} hideTitle onClose={close} className="dialog-sm profile-card" testId="profile-card">
      <div className="stack">
        <div className="info-profile">
          <Avatar id={userId} name={name} size="xl" online={online} />
          <p className="info-name" data-testid="profile-name">
            {contact?.remark ? contactLabel(contact) : name}
          </p>
          {contact?.remark ? <p className="muted">{name}</p> : null}
          {status ? (
            <p className="profile-status" data-testid="profile-status">
              {status}
            </p>
          ) : null}
          <p className={`info-presence${online ? ' is-live' : ''}`}>
            {online ? t('conversation.online') : lastSeen > 0 ? formatLastSeen(lastSeen, now, i18n.language, t) : ''}
          </p>
        </div>
        <dl className="info-facts">
          <dt>{t('contacts.card.userId')}</dt>
          <dd className="mono profile-id">
            <span data-testid="profile-user-id">{userId}</span>
            <button type="button" className="icon-button icon-button-sm" onClick={copyId} aria-label={t('contacts.card.copyId')} title={t('contacts.card.copyId')} data-testid="profile-copy-id">
              <Icon name="copy" size={16} />
            </button>
          </dd>
          {contact ? (
            <>
              <dt className="visually-hidden">{t('contacts.listLabel')}</dt>
              <dd className="muted">{t('contacts.card.since', { date: new Date(contact.since).toLocaleDateString(i18n.language) })}</dd>
            </>
          ) : null}
        </dl>
        {!isSelf && !contact && messaging === 'contacts' ? (
          <p className="people-note" data-testid="profile-contacts-only">
            {t('contacts.onlyContacts')}
          </p>
        ) : null}
        {isSelf ? (
          <p className="muted">{t('contacts.card.self')}</p>
        ) : (
          <div className="profile-actions">
            <button type="button" className="button button-primary" onClick={() => void messageUser(model, userId)} data-testid="profile-message">
              <Icon name="chat" size={16} /> {t('contacts.card.message')}
            </button>
            {contact ? null : incoming ? (
              <button type="button" className="button" onClick={() => void answerRequest(model, t, 'accept', userId, name)} data-testid="profile-accept">
                {t('contacts.card.acceptRequest')}
              </button>
            ) : (
              <RequestButton userId={userId} name={name} />
            )}
            <button type="button" className={isBlocked ? 'button' : 'button button-danger-quiet'} onClick={() => void toggleBlock()} data-testid="profile-block">
              <Icon name="block" size={16} /> {isBlocked ? t('contacts.card.unblock') : t('contacts.card.block')}
            </button>
          </div>
        )}
        {contact ? <ContactNotesForm key={contact.userId} contact={contact} /> : null}
        {contact ? (
          confirmRemove ? (
            <div className="profile-confirm" role="alert">
              <p>{t('contacts.card.removeConfirm', { name })}</p>
              <div className="dialog-actions">
                <button type="button" className="button" onClick={() => setConfirmRemove(false)}>
                  {t('contacts.cancel')}
                </button>
                <button type="button" className="button button-danger-quiet" onClick={() => void remove()} data-testid="profile-remove-confirm">
                  {t('contacts.card.removeYes')}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" className="button button-danger-quiet" onClick={() => setConfirmRemove(true)} data-testid="profile-remove">
              <Icon name="trash" size={16} /> {t('contacts.card.remove')}
            </button>
          )
        ) : null}
      </div>
    </Dialog>
  );
}
