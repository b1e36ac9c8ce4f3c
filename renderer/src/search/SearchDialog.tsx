/**
 * Search (Ctrl/Cmd+K everywhere, Ctrl/Cmd+F in the open chat): results as you type, matches highlighted,
 * grouped by conversation. ↑/↓ move through results, Enter opens one scrolled to the message.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { SearchHit } from '../../../preload/api-types';
import { privatePeer } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { UserAvatar } from '../common/UserAvatar';
import { Dialog } from '../common/Dialog';
import { Icon } from '../common/Icon';
import { errorText } from '../lib/errors';
import { MENTION_ALL, withMentionNames } from '../lib/mentions';
import { mentionLabel } from '../lib/preview';
import { useStore } from '../lib/store';
import { formatListTime } from '../lib/time-format';
import { Highlighted } from './Highlighted';

const DEBOUNCE_MS = 180;
const LIMIT = 100;

export interface SearchDialogProps {
  initialConvId: string | null;
  onClose: () => void;
  onOpen: (convId: string, seq: number) => void;
}

interface Group {
  convId: string;
  hits: SearchHit[];
}

export function groupHits(hits: readonly SearchHit[]): Group[] {
  const groups = new Map<string, Group>();
  for (const hit of hits) {
    let group = groups.get(hit.convId);
    if (!group) groups.set(hit.convId, (group = { convId: hit.convId, hits: [] }));
    group.hits.push(hit);
  }
  return [...groups.values()];
}

export function SearchDialog({ initialConvId, onClose, onOpen }: SearchDialogProps) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const { byId } = useStore(model.conversations);
  const users = useStore(model.users);
  const session = useStore(model.session);
  const selfId = session?.userId ?? '';
  const selfName = session?.name;
  const now = useNow(60_000);
  const [query, setQuery] = useState('');
  const [scope, setScope] = useState<string | null>(initialConvId);
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const seqRef = useRef(0);

  useEffect(() => {
    const q = query.trim();
    const mine = ++seqRef.current;
    if (!q) {
      setHits(null);
      setBusy(false);
      setError(null);
      return;
    }
    setBusy(true);
    const timer = setTimeout(() => {
      model.api.search
        .query(scope ? { query: q, convId: scope, limit: LIMIT } : { query: q, limit: LIMIT })
        .then(({ hits: found }) => {
          if (mine !== seqRef.current) return;
          setHits(found);
          setError(null);
          setActive(0);
          model.ensureUsers(found.flatMap((h) => [h.from, ...(h.mentions ?? []).filter((id) => id !== MENTION_ALL)]));
        })
        .catch((e: unknown) => {
          if (mine === seqRef.current) setError(errorText(e, t));
        })
        .finally(() => {
          if (mine === seqRef.current) setBusy(false);
        });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, scope, model, t]);

  const groups = useMemo(() => groupHits(hits ?? []), [hits]);
  // Results in display order, for keyboard navigation.
  const flat = useMemo(() => groups.flatMap((g) => g.hits), [groups]);
  const activeHit = flat[active];
  const optionId = (h: SearchHit) => `${listId}-${h.convId}-${h.seq}`;

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (flat.length === 0) return;
      const next = (active + (e.key === 'ArrowDown' ? 1 : -1) + flat.length) % flat.length;
      setActive(next);
      document.getElementById(optionId(flat[next] as SearchHit))?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter' && !e.nativeEvent.isComposing && activeHit) {
      e.preventDefault();
      onOpen(activeHit.convId, activeHit.seq);
    }
  };

  const scopeTitle = scope ? (byId.get(scope)?.title ?? scope) : null;
  const nameOf = (id: string) => (id === selfId ? t('message.you') : users.get(id)?.name || id);
  // Mentions in a snippet read as in the message: the user's own name, not "You".
  const mentionNaming = { selfId, selfName, nameOf: (id: string) => users.get(id)?.name || id, t };
  const snippetOf = (hit: SearchHit) => withMentionNames(hit.snippet.text, hit.snippet.ranges, hit.mentions, (id) => mentionLabel(id, mentionNaming));

  return (
    <Dialog title={scopeTitle ? t('search.titleHere', { title: scopeTitle }) : t('search.title')} hideTitle onClose={onClose} className="search-dialog" testId="search-dialog">
      <div className="search-bar">
        <Icon name="search" className="search-bar-icon" />
        <input
          className="search-input"
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={scopeTitle ? t('search.titleHere', { title: scopeTitle }) : t('search.placeholder')}
          aria-label={t('search.input')}
          role="combobox"
          aria-expanded={flat.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeHit ? optionId(activeHit) : undefined}
          data-autofocus
          data-testid="search-input"
        />
        {busy ? <span className="spinner" aria-hidden="true" /> : null}
      </div>
      {initialConvId ? (
        <div className="segmented segmented-sm search-scope" role="group" aria-label={t('search.scopeLabel')}>
          <button type="button" aria-pressed={scope !== null} onClick={() => setScope(initialConvId)} data-testid="search-scope-here">
            {t('search.scopeHere')}
          </button>
          <button type="button" aria-pressed={scope === null} onClick={() => setScope(null)} data-testid="search-scope-all">
            {t('search.scopeAll')}
          </button>
        </div>
      ) : null}
      <div className="search-results" data-testid="search-results">
        {error ? (
          <p className="search-empty" role="alert">
            {error}
          </p>
        ) : hits === null ? (
          <p className="search-empty">{t('search.hint')}</p>
        ) : hits.length === 0 && !busy ? (
          <p className="search-empty" role="status">
            {t('search.noResults')}
          </p>
        ) : (
          <>
            <p className="visually-hidden" role="status">
              {t('search.count', { count: hits.length })}
            </p>
            <div id={listId} role="listbox" aria-label={t('search.results')}>
              {groups.map((group) => {
                const c = byId.get(group.convId);
                const title = c?.title ?? group.convId;
                return (
                  <div key={group.convId} role="group" aria-label={title} className="search-group">
                    {scope === null ? (
                      <div className="search-group-title" aria-hidden="true">
                        <UserAvatar userId={privatePeer(group.convId, selfId) ?? group.convId} name={title} size="sm" />
                        <span>{title}</span>
                      </div>
                    ) : null}
                    {group.hits.map((hit) => {
                      const isActive = hit === activeHit;
                      const snippet = snippetOf(hit);
                      return (
                        <div
                          key={`${hit.convId}#${hit.seq}`}
                          id={optionId(hit)}
                          role="option"
                          aria-selected={isActive}
                          className={`search-hit${isActive ? ' is-active' : ''}`}
                          onMouseMove={() => setActive(flat.indexOf(hit))}
                          onClick={() => onOpen(hit.convId, hit.seq)}
                          data-testid="search-hit"
                          data-conv-id={hit.convId}
                          data-seq={hit.seq}
                        >
                          <span className="search-hit-top">
                            <span className="search-hit-from">{nameOf(hit.from)}</span>
                            <span className="search-hit-time">{formatListTime(hit.ts, now, i18n.language, t)}</span>
                          </span>
                          <span className="search-hit-text">
                            <Highlighted text={snippet.text} ranges={snippet.ranges} />
                          </span>
                        </div>
                      );
                    })}
                  </div>
                );
              })}
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}
