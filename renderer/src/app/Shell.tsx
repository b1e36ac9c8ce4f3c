/**
 * The signed-in window: connection banner on top, the accounts rail and the conversation list on the left, the
 * open conversation on the right, and the dialogs (search, settings, new chat). Owns the global keyboard shortcuts:
 * Ctrl/Cmd+K search everything, Ctrl/Cmd+F search this chat, Ctrl/Cmd+, settings, Alt+↑/↓ previous/next chat
 * (and, in AccountSwitcher, Ctrl/Cmd+Shift+1…9 the n-th account).
 */
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView, SessionView } from '../../../preload/api-types';
import { groupIdOf, parseConvId, privatePeer, roomIdOf } from '../../../protocol/pure.js';
import { ConnectionBanner } from '../common/ConnectionBanner';
import { UpdateBanner } from '../common/UpdateBanner';
import { isMac, isPrimaryModifier } from '../common/focus';
import { Icon } from '../common/Icon';
import { AddContactDialog } from '../contacts/AddContactDialog';
import { ProfileCard } from '../contacts/ProfileCard';
import { useContactRequestToasts } from '../contacts/use-contact-request-toasts';
import { ConversationPane } from '../conversation/ConversationPane';
import { sortConversations } from '../lib/sort-conversations';
import { useStore } from '../lib/store';
import { NewGroupDialog } from '../groups/NewGroupDialog';
import { useJoinRequestToasts } from '../groups/use-join-request-toasts';
import { RoomDirectoryDialog } from '../rooms/RoomDirectoryDialog';
import { useRoomLeftNotice } from '../rooms/use-room-left-notice';
import { SearchDialog } from '../search/SearchDialog';
import { ProfileDialog, type SettingsTarget } from '../profile/ProfileDialog';
import { SettingsDialog } from '../settings/SettingsDialog';
import { NewChatDialog } from '../sidebar/NewChatDialog';
import { Sidebar } from '../sidebar/Sidebar';
import { AccountSwitcher } from './AccountSwitcher';
import { useModel } from './model-context';

type OpenDialog =
  | { kind: 'search'; convId: string | null }
  | { kind: 'settings'; focus?: SettingsTarget }
  | { kind: 'profile' }
  | { kind: 'newChat' } | { kind: 'newGroup' } | { kind: 'rooms' } | null;

export function Shell({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const model = useModel();
  useRoomLeftNotice(model);
  useJoinRequestToasts(model);
  useContactRequestToasts(model);
  const target = useStore(model.navigation);
  const { byId } = useStore(model.conversations);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const profileOf = useStore(model.people.profile);
  const addingContact = useStore(model.people.adding);
  const activeId = target?.convId ?? null;
  const selfId = session.userId ?? '';

  // Opening a chat from a person's card or the directory puts the chat in front of the search.
  useEffect(() => {
    if (target) model.people.adding.set(false);
  }, [model, target]);

  // Tell main which conversation is on screen, so it does not notify about it.
  useEffect(() => {
    model.api.conversation.open({ convId: activeId }).catch(() => undefined);
  }, [model, activeId]);

  const totalUnread = useMemo(() => {
    let n = 0;
    for (const c of byId.values()) if (!c.muted) n += c.unread;
    return n;
  }, [byId]);
  useEffect(() => {
    document.title = totalUnread > 0 ? t('app.titleWithUnread', { count: totalUnread }) : t('app.name');
  }, [totalUnread, t]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const key = e.key.toLowerCase();
      if (isPrimaryModifier(e) && !e.altKey && key === 'k') {
        e.preventDefault();
        setDialog({ kind: 'search', convId: null });
      } else if (isPrimaryModifier(e) && !e.altKey && !e.shiftKey && key === 'f') {
        e.preventDefault();
        setDialog({ kind: 'search', convId: model.navigation.get()?.convId ?? null });
      } else if (isPrimaryModifier(e) && key === ',') {
        e.preventDefault();
        setDialog({ kind: 'settings' });
      } else if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
        const list = sortConversations(model.conversations.get().byId.values());
        if (list.length === 0) return;
        e.preventDefault();
        const current = list.findIndex((c) => c.convId === model.navigation.get()?.convId);
        const next = e.key === 'ArrowUp' ? Math.max(0, current - 1) : Math.min(list.length - 1, current + 1);
        model.navigate((list[next] ?? list[0])?.convId ?? null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [model]);

  const conversation: ConversationView | null = activeId ? (byId.get(activeId) ?? placeholderConversation(activeId, selfId)) : null;

  return (
    <div className="shell">
      <ConnectionBanner />
      <UpdateBanner />
      <div className="shell-body shell-body-accounts">
        <AccountSwitcher />
        <Sidebar
          session={session}
          activeId={activeId}
          onSearch={() => setDialog({ kind: 'search', convId: null })}
          onNewChat={() => setDialog({ kind: 'newChat' })}
          onNewGroup={() => setDialog({ kind: 'newGroup' })}
          onRooms={() => setDialog({ kind: 'rooms' })}
          onSettings={() => setDialog({ kind: 'settings' })}
          onProfile={() => setDialog({ kind: 'profile' })}
        />
        <main className="main-pane">
          {conversation && target ? (
            <ConversationPane
              key={conversation.convId}
              conversation={conversation}
              target={target}
              selfId={selfId}
              onSearchHere={() => setDialog({ kind: 'search', convId: conversation.convId })}
            />
          ) : (
            <div className="empty-pane">
              <div className="empty-pane-art" aria-hidden="true">
                <Icon name="chat" size={40} />
              </div>
              <p className="empty-pane-title">{t('conversation.noneSelected')}</p>
              <p className="muted">{t('conversation.noneSelectedHint', { shortcut: isMac() ? t('keys.searchAllMac') : t('keys.searchAll') })}</p>
            </div>
          )}
        </main>
      </div>
      {dialog?.kind === 'search' ? (
        <SearchDialog
          initialConvId={dialog.convId}
          onClose={() => setDialog(null)}
          onOpen={(convId, seq) => {
            setDialog(null);
            model.navigate(convId, seq);
          }}
        />
      ) : null}
      {dialog?.kind === 'settings' ? <SettingsDialog session={session} focus={dialog.focus} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === 'profile' ? (
        <ProfileDialog session={session} onClose={() => setDialog(null)} onOpenSettings={(focus) => setDialog({ kind: 'settings', focus })} />
      ) : null}
      {dialog?.kind === 'newChat' ? (
        <NewChatDialog
          selfId={selfId}
          onClose={() => setDialog(null)}
          onStarted={(convId) => {
            setDialog(null);
            model.navigate(convId);
          }}
        />
      ) : null}
      {dialog?.kind === 'newGroup' ? (
        <NewGroupDialog
          selfId={selfId}
          onClose={() => setDialog(null)}
          onOpened={(convId) => {
            setDialog(null);
            model.navigate(convId);
          }}
        />
      ) : null}
      {dialog?.kind === 'rooms' ? (
        <RoomDirectoryDialog
          onClose={() => setDialog(null)}
          onJoined={(convId) => {
            setDialog(null);
            model.navigate(convId);
          }}
        />
      ) : null}
      {addingContact ? <AddContactDialog onClose={() => model.people.adding.set(false)} /> : null}
      {profileOf ? <ProfileCard key={profileOf} userId={profileOf} selfId={selfId} /> : null}
    </div>
  );
}

/** A chat just started may reach the list a moment after we open it: show it by its peer's id meanwhile. */
function placeholderConversation(convId: string, selfId: string): ConversationView {
  const parsed = parseConvId(convId);
  return {
    convId,
    kind: parsed?.kind ?? 'private',
    title: privatePeer(convId, selfId) ?? groupIdOf(convId) ?? roomIdOf(convId) ?? convId,
    lastSeq: 0,
    readSeq: 0,
    unread: 0,
    mentioned: false,
    muted: false,
    pinned: false,
    updatedAt: 0,
    lastMessage: null,
    draft: '',
  };
}
