/**
 * "Add contact": one search box over the server's directory, results as the user types. People can be asked
 * to become contacts (with an optional message) or messaged; public groups joined (open ones at once,
 * approval ones by a request). A name opens the person's profile card.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GroupListingView } from '../../../preload/api-types';
import { groupConvId } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { Avatar } from '../common/Avatar';
import { Dialog } from '../common/Dialog';
import { errorText } from '../lib/errors';
import { messageUser } from './contact-actions';
import { RequestButton } from './RequestButton';
import { useDirectorySearch } from './use-directory-search';

export function AddContactDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const [text, setText] = useState('');
  const results = useDirectorySearch(text, { groups: true });
  const inputId = useId();
  const hintId = useId();
  const nothing = results.query && !results.searching && !results.error && results.users.length === 0 && results.groups.length === 0;

  return (
    <Dialog title={t('directory.title')} onClose={onClose} className="dialog-sm people-dialog" testId="add-contact-dialog">
      <div className="stack">
        <div className="field">
          <label htmlFor={inputId}>{t('directory.searchLabel')}</label>
          <input
            id={inputId}
            type="search"
            className="input"
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-describedby={hintId}
            autoCapitalize="off"
            spellCheck={false}
            data-autofocus
            data-testid="directory-search"
          />
          <span id={hintId} className="field-hint">
            {t('directory.searchHint')}
          </span>
        </div>
        <div aria-live="polite" className="people-results" aria-busy={results.searching || undefined}>
          {results.searching ? <p className="people-note">{t('directory.searching')}</p> : null}
          {results.error ? (
            <p className="form-error" role="alert">
              {errorText(results.error, t)}
            </p>
          ) : null}
          {nothing ? (
            <p className="people-note" data-testid="directory-empty">
              {t('directory.noResults', { query: results.query })}
            </p>
          ) : null}
          {results.users.length > 0 ? (
            <section aria-label={t('directory.people')}>
              <h3 className="people-heading">{t('directory.people')}</h3>
              <ul className="people-list" data-testid="directory-users">
                {results.users.map((u) => {
                  const name = u.name || u.userId;
                  return (
                    <li key={u.userId} className="people-request" data-testid={`directory-user-${u.userId}`}>
                      <button type="button" className="people-request-who" onClick={() => model.people.openProfile(u.userId)} aria-label={t('directory.openProfile', { name })}>
                        <Avatar id={u.userId} name={name} size="md" online={u.online} />
                        <span className="conv-main">
                          <span className="conv-title">{name}</span>
                          <span className="people-secondary">{u.userId}</span>
                        </span>
                      </button>
                      <div className="people-request-actions">
                        <button type="button" className="button" onClick={() => void messageUser(model, u.userId).then((ok) => ok && onClose())} aria-label={t('directory.messageNamed', { name })} data-testid={`directory-message-${u.userId}`}>
                          {t('directory.message')}
                        </button>
                        <RequestButton userId={u.userId} name={name} primary />
                      </div>
                    </li>
                  );
                })}
              </ul>
            </section>
          ) : null}
          {results.groups.length > 0 ? (
            <section aria-label={t('directory.groups')}>
              <h3 className="people-heading">{t('directory.groups')}</h3>
              <ul className="people-list" data-testid="directory-groups">
                {results.groups.map((g) => (
                  <GroupResult key={g.groupId} group={g} onJoined={onClose} />
                ))}
              </ul>
            </section>
          ) : null}
          {results.usersCursor || results.groupsCursor ? (
            <button type="button" className="button" onClick={results.more} disabled={results.searching} data-testid="directory-more">
              {t('directory.more')}
            </button>
          ) : null}
        </div>
      </div>
    </Dialog>
  );
}

function GroupResult({ group: g, onJoined }: { group: GroupListingView; onJoined: () => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const [busy, setBusy] = useState(false);
  const [asked, setAsked] = useState(false);
  const joined = model.conversations.get().byId.has(groupConvId(g.groupId));

  const join = async () => {
    setBusy(true);
    try {
      if (joined) {
        model.navigate(groupConvId(g.groupId));
        onJoined();
        return;
      }
      const { status } = await model.api.group.join({ groupId: g.groupId });
      if (status === 'joined') {
        model.pushInfo(t('directory.joined', { name: g.name }));
        model.navigate(groupConvId(g.groupId));
        onJoined();
      } else {
        setAsked(true);
        model.pushInfo(t('directory.joinRequested', { name: g.name }));
      }
    } catch (error) {
      model.pushError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="people-request" data-testid={`directory-group-${g.groupId}`}>
      <span className="people-request-who">
        <Avatar id={g.groupId} name={g.name} size="md" />
        <span className="conv-main">
          <span className="conv-title">{g.name}</span>
          <span className="people-secondary">
            {t('directory.members', { count: g.memberCount })} · {g.groupId}
          </span>
        </span>
      </span>
      <div className="people-request-actions">
        {asked ? (
          <span className="people-state">{t('directory.requested')}</span>
        ) : g.joinPolicy === 'invite' && !joined ? null : (
          <button type="button" className="button button-primary" onClick={() => void join()} disabled={busy} aria-label={t('directory.joinNamed', { name: g.name })} data-testid={`directory-join-${g.groupId}`}>
            {joined ? t('directory.message') : g.joinPolicy === 'approval' ? t('directory.requestJoin') : t('directory.join')}
          </button>
        )}
      </div>
    </li>
  );
}
