/**
 * The people a search box matches, to pick from: the user's contacts first (by remark, name or id, matched here),
 * then the server's directory (searched as the user types). Used by New chat and New group; an exact id typed in
 * the box still works there without picking.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { Avatar } from '../common/Avatar';
import { useStore } from '../lib/store';
import { contactLabel } from './contacts-model';
import { useDirectorySearch } from './use-directory-search';

export interface PickedPerson {
  userId: string;
  name: string;
  online: boolean;
}

const MAX_CONTACT_MATCHES = 8;

export function PeoplePicker({ text, exclude, onPick }: { text: string; exclude: ReadonlySet<string>; onPick: (p: PickedPerson) => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const { contacts } = useStore(model.people.list);
  const results = useDirectorySearch(text);
  const q = text.trim().toLowerCase();

  const fromContacts = useMemo<PickedPerson[]>(() => {
    if (!q) return [];
    return contacts
      .filter((c) => !exclude.has(c.userId) && [c.remark, c.name, c.userId].some((s) => s.toLowerCase().includes(q)))
      .slice(0, MAX_CONTACT_MATCHES)
      .map((c) => ({ userId: c.userId, name: contactLabel(c), online: c.online }));
  }, [contacts, exclude, q]);
  const shown = new Set(fromContacts.map((p) => p.userId));
  const fromDirectory = results.users.filter((u: UserView) => !exclude.has(u.userId) && !shown.has(u.userId)).map((u) => ({ userId: u.userId, name: u.name || u.userId, online: u.online }));
  const all = [...fromContacts, ...fromDirectory];

  if (!q) return null;
  return (
    <div className="people-picker" aria-live="polite">
      {all.length > 0 ? (
        <ul className="people-picks" aria-label={t('directory.people')} data-testid="people-picks">
          {all.map((p) => (
            <li key={p.userId}>
              <button type="button" className="people-pick" onClick={() => onPick(p)} aria-label={t('directory.pick', { name: p.name })} data-testid={`pick-${p.userId}`}>
                <Avatar id={p.userId} name={p.name} size="sm" online={p.online} />
                <span className="conv-main">
                  <span className="conv-title">{p.name}</span>
                  <span className="people-secondary">
                    {shown.has(p.userId) ? `${t('directory.fromContacts')} · ` : ''}
                    {p.userId}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : results.searching ? (
        <p className="people-note">{t('directory.searching')}</p>
      ) : results.query ? (
        <p className="people-note">{t('directory.noResults', { query: results.query })}</p>
      ) : null}
      {results.usersCursor ? (
        <button type="button" className="link-button" onClick={results.more} disabled={results.searching}>
          {t('directory.more')}
        </button>
      ) : null}
    </div>
  );
}
