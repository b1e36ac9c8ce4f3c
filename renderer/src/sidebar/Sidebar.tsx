/** The left column: who I am (a menu: the profile, settings), search, new chat, the filter tabs and the conversation list. */
import { useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { Menu } from '../common/Menu';
import { UserAvatar } from '../common/UserAvatar';
import { isMac } from '../common/focus';
import { Icon } from '../common/Icon';
import { availableFilters, sortConversations, type ConversationFilter } from '../lib/sort-conversations';
import { useStore } from '../lib/store';
import { ContactsPanel } from '../contacts/ContactsPanel';
import { incomingCount } from '../contacts/contacts-model';
import { ConversationList } from './ConversationList';
import { SidebarTabs, type SidebarView } from './SidebarTabs';

export interface SidebarProps {
  session: SessionView;
  activeId: string | null;
  onSearch: () => void;
  onNewChat: () => void;
  onNewGroup: () => void;
  onRooms: () => void;
  onSettings: () => void;
  onProfile: () => void;
}

export function Sidebar({ session, activeId, onSearch, onNewChat, onNewGroup, onRooms, onSettings, onProfile }: SidebarProps) {
  const { t } = useTranslation();
  const model = useModel();
  const { byId, loaded } = useStore(model.conversations);
  const [view, setView] = useState<SidebarView>('chats');
  const panelId = useId();
  const requests = incomingCount(useStore(model.people.list));
  const [filter, setFilter] = useState<ConversationFilter>('all');
  const filters = useMemo(() => availableFilters(byId.values()), [byId]);
  const effective = filters.includes(filter) ? filter : 'all';
  const list = useMemo(() => sortConversations(byId.values(), effective), [byId, effective]);
  const profile = useStore(model.profile);
  const selfName = profile?.name || session.name || session.userId || '';
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);

  return (
    <nav className="sidebar" aria-label={t('nav.chats')}>
      <header className="sidebar-header">
        <button
          type="button"
          className="me-button"
          onClick={(e) => {
            const rect = e.currentTarget.getBoundingClientRect();
            setMenu({ x: rect.left, y: rect.bottom + 4 });
          }}
          aria-haspopup="menu"
          aria-expanded={menu !== null}
          aria-label={t('nav.me', { name: selfName })}
          title={t('nav.me', { name: selfName })}
          data-testid="me-menu"
        >
          <UserAvatar userId={session.userId ?? ''} name={selfName} size="sm" />
        </button>
        {menu ? (
          <Menu
            x={menu.x}
            y={menu.y}
            label={t('profile.menuLabel', { name: selfName })}
            onClose={() => setMenu(null)}
            items={[
              { id: 'profile', label: t('profile.open'), icon: 'user', onSelect: onProfile },
              { id: 'settings', label: t('profile.settings'), icon: 'settings', onSelect: onSettings },
            ]}
          />
        ) : null}
        <button type="button" className="search-trigger" onClick={onSearch} data-testid="search-open">
          <Icon name="search" size={16} />
          <span className="search-trigger-label">{t('nav.searchAll')}</span>
          <kbd className="kbd">{isMac() ? t('keys.searchAllMac') : t('keys.searchAll')}</kbd>
        </button>
        <button type="button" className="icon-button" onClick={onNewChat} aria-label={t('nav.newChat')} title={t('nav.newChat')} data-testid="new-chat">
          <Icon name="compose" />
        </button>
        <button type="button" className="icon-button" onClick={onNewGroup} aria-label={t('groups.newGroup')} title={t('groups.newGroup')} data-testid="new-group">
          <Icon name="users" />
        </button>
        <button type="button" className="icon-button" onClick={onRooms} aria-label={t('rooms.directory')} title={t('rooms.directory')} data-testid="rooms-open">
          <Icon name="broadcast" />
        </button>
      </header>
      <SidebarTabs view={view} onChange={setView} requests={requests} panelId={panelId} />
      {view === 'contacts' ? (
        <div id={panelId} role="tabpanel" className="sidebar-panel">
          <ContactsPanel />
        </div>
      ) : (
        <div id={panelId} role="tabpanel" className="sidebar-panel">
          <div className="filter-tabs" role="group" aria-label={t('filters.label')}>
            {filters.map((f) => (
              <button key={f} type="button" className="filter-tab" aria-pressed={effective === f} onClick={() => setFilter(f)} data-testid={`filter-${f}`}>
                {t(`filters.${f}`)}
              </button>
            ))}
          </div>
          <ConversationList
            conversations={list}
            loaded={loaded}
            filtered={effective !== 'all'}
            activeId={activeId}
            selfId={session.userId ?? ''}
            onNewChat={onNewChat}
          />
        </div>
      )}
    </nav>
  );
}
