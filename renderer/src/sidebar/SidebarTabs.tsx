/** Chats | Contacts above the sidebar's list; the Contacts tab carries the count of incoming contact requests. */
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';

export type SidebarView = 'chats' | 'contacts';
const VIEWS: readonly SidebarView[] = ['chats', 'contacts'];

export function SidebarTabs({ view, onChange, requests, panelId }: { view: SidebarView; onChange: (v: SidebarView) => void; requests: number; panelId: string }) {
  const { t } = useTranslation();
  // Arrow keys move between the tabs (WAI-ARIA tabs pattern, automatic activation).
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next = view === 'chats' ? 'contacts' : 'chats';
    onChange(next);
    e.currentTarget.querySelector<HTMLElement>(`[data-view="${next}"]`)?.focus();
  };
  return (
    <div className="segmented sidebar-tabs" role="tablist" aria-label={t('contacts.tabsLabel')} onKeyDown={onKey}>
      {VIEWS.map((v) => (
        <button
          key={v}
          type="button"
          role="tab"
          data-view={v}
          aria-selected={view === v}
          aria-controls={panelId}
          tabIndex={view === v ? 0 : -1}
          onClick={() => onChange(v)}
          data-testid={`sidebar-tab-${v}`}
        >
          {v === 'chats' ? t('contacts.tabChats') : t('contacts.tabContacts')}
          {v === 'contacts' && requests > 0 ? (
            <span className="badge sidebar-tab-badge" data-testid="contacts-request-badge">
              <span aria-hidden="true">{requests > 99 ? '99+' : requests}</span>
              <span className="visually-hidden">{t('contacts.requestsBadge', { count: requests })}</span>
            </span>
          ) : null}
        </button>
      ))}
    </div>
  );
}
