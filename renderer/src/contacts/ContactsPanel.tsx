/**
 * The sidebar's Contacts view: incoming requests first (accept, decline, ignore), then the contacts (remark
 * before name, presence), then the requests the user sent (withdraw). A contact's row opens their profile card.
 */
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactRequestView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { Avatar } from '../common/Avatar';
import { Icon } from '../common/Icon';
import { useStore } from '../lib/store';
import { formatLastSeen } from '../lib/time-format';
import { answerRequest, type RequestAnswer } from './contact-actions';
import { contactLabel, matchesContact, sortContacts } from './contacts-model';

export function ContactsPanel() {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const now = useNow(60_000);
  const view = useStore(model.people.list);
  const [filter, setFilter] = useState('');
  const filterId = useId();
  const contacts = useMemo(
    () => sortContacts(view.contacts.filter((c) => matchesContact(c, filter)), i18n.language),
    [view.contacts, filter, i18n.language],
  );
  const incoming = view.requests.filter((r) => r.direction === 'in');
  const outgoing = view.requests.filter((r) => r.direction === 'out');

  return (
    <div className="people-panel" data-testid="contacts-panel">
      <div className="people-panel-bar">
        <button type="button" className="button button-primary" onClick={() => model.people.adding.set(true)} data-testid="contacts-add">
          <Icon name="user" size={16} /> {t('contacts.add')}
        </button>
      </div>
      {!view.supported ? (
        <p className="people-note" data-testid="contacts-unsupported">
          {t('contacts.unsupported')}
        </p>
      ) : null}
      {incoming.length > 0 ? (
        <section aria-label={t('contacts.incoming')}>
          <h3 className="people-heading">{t('contacts.incoming')}</h3>
          <ul className="people-list" data-testid="contacts-incoming">
            {incoming.map((r) => (
              <RequestRow key={r.userId} request={r} answers={['accept', 'decline', 'ignore']} />
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-label={t('contacts.listLabel')}>
        <h3 className="people-heading">{t('contacts.listLabel')}</h3>
        {view.contacts.length > 0 ? (
          <div className="people-filter">
            <label htmlFor={filterId} className="visually-hidden">
              {t('contacts.filter')}
            </label>
            <input
              id={filterId}
              type="search"
              className="input"
              value={filter}
              placeholder={t('contacts.filter')}
              onChange={(e) => setFilter(e.target.value)}
              data-testid="contacts-filter"
            />
          </div>
        ) : null}
        {!view.loaded ? (
          <p className="people-note" role="status">
            {t('contacts.loading')}
          </p>
        ) : contacts.length === 0 && filter.trim() ? (
          <p className="people-note">{t('contacts.noMatch')}</p>
        ) : contacts.length === 0 ? (
          <div className="people-note" data-testid="contacts-empty">
            <p className="conv-list-empty-title">{t('contacts.empty')}</p>
            {view.supported ? <p className="muted">{t('contacts.emptyHint')}</p> : null}
          </div>
        ) : (
          <ul className="people-list" data-testid="contacts-list">
            {contacts.map((c) => {
              const label = contactLabel(c);
              const presence = c.online ? t('contacts.online') : c.lastSeen > 0 ? formatLastSeen(c.lastSeen, now, i18n.language, t) : t('contacts.offline');
              return (
                <li key={c.userId}>
                  <button type="button" className="conv-row people-row" onClick={() => model.people.openProfile(c.userId)} data-testid={`contact-${c.userId}`}>
                    <Avatar id={c.userId} name={c.name} size="md" online={c.online} />
                    <span className="conv-main">
                      <span className="conv-title">
                        {label}
                        {c.remark && c.remark !== c.name ? <span className="people-secondary"> · {c.name}</span> : null}
                      </span>
                      <span className="people-secondary">{[presence, c.status, ...c.tags].filter(Boolean).join(' · ')}</span>
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {outgoing.length > 0 ? (
        <section aria-label={t('contacts.outgoing')}>
          <h3 className="people-heading">{t('contacts.outgoing')}</h3>
          <ul className="people-list" data-testid="contacts-outgoing">
            {outgoing.map((r) => (
              <RequestRow key={r.userId} request={r} answers={['cancel']} />
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

const ANSWER_LABEL: Record<RequestAnswer, 'contacts.accept' | 'contacts.decline' | 'contacts.ignore' | 'contacts.cancelRequest'> = {
  accept: 'contacts.accept',
  decline: 'contacts.decline',
  ignore: 'contacts.ignore',
  cancel: 'contacts.cancelRequest',
};

function RequestRow({ request: r, answers }: { request: ContactRequestView; answers: readonly RequestAnswer[] }) {
  const { t } = useTranslation();
  const model = useModel();
  const name = r.name || r.userId;
  return (
    <li className={answers.length > 1 ? 'people-request people-request-stacked' : 'people-request'} data-testid={`contact-request-${r.userId}`}>
      <button type="button" className="people-request-who" onClick={() => model.people.openProfile(r.userId)} aria-label={t('directory.openProfile', { name })}>
        <Avatar id={r.userId} name={name} size="md" />
        <span className="conv-main">
          <span className="conv-title">{name}</span>
          <span className="people-secondary">{r.message || (r.direction === 'out' ? t('contacts.waiting') : r.userId)}</span>
        </span>
      </button>
      <div className="people-request-actions" role="group" aria-label={t('contacts.requestActions', { name })}>
        {answers.map((answer) => (
          <button
            key={answer}
            type="button"
            className={answer === 'accept' ? 'button button-primary button-sm' : 'button button-sm'}
            onClick={() => void answerRequest(model, t, answer, r.userId, name)}
            data-testid={`contact-${answer}-${r.userId}`}
          >
            {t(ANSWER_LABEL[answer])}
          </button>
        ))}
      </div>
    </li>
  );
}
