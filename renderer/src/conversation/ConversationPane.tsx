/**
 * One open conversation: header, the message list, the composer, and the info panel slot on the right.
 * Files dropped anywhere on it are sent. It mounts once per conversation (keyed by convId), so its state
 * (reply, edit, the "new messages" position) belongs to this visit only.
 */
import { useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView, MessageView } from '../../../preload/api-types';
import { privatePeer } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { Icon } from '../common/Icon';
import { Composer } from '../composer/Composer';
import { useGroupSeat } from '../composer/group-seat';
import { sendFiles } from '../composer/send-files';
import { useStore } from '../lib/store';
import { MessageWindow, PAGE_SIZE } from '../state/message-window';
import type { NavigationTarget } from '../state/app-model';
import { ConversationHeader } from './ConversationHeader';
import { ImageViewer } from './ImageViewer';
import { GroupInfoPanel } from '../groups/GroupInfoPanel';
import { InfoPanel } from './InfoPanel';
import type { ImageTarget } from './MessageContent';
import { canEdit } from './message-actions';
import { MessageList } from './MessageList';
import { readCountsFor } from './read-counts';

export interface ConversationPaneProps {
  conversation: ConversationView;
  target: NavigationTarget;
  selfId: string;
  onSearchHere: () => void;
}

export function ConversationPane({ conversation, target, selfId, onSearchHere }: ConversationPaneProps) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const convId = conversation.convId;
  const latest = useRef(conversation.lastSeq);
  latest.current = conversation.lastSeq;
  const [win] = useState(() => new MessageWindow(model.api, convId, () => latest.current));
  // Where "New messages" goes: fixed when the chat is opened, as in Telegram, even as they get read.
  const [firstUnreadSeq] = useState(() => (conversation.unread > 0 ? conversation.readSeq + 1 : null));
  const [reply, setReply] = useState<MessageView | null>(null);
  const [edit, setEdit] = useState<MessageView | null>(null);
  const [infoOpen, setInfoOpen] = useState(false);
  const [viewer, setViewer] = useState<ImageTarget | null>(null);
  const [bottomRequest, setBottomRequest] = useState(0);
  const [dragging, setDragging] = useState(false);
  const dragDepth = useRef(0);
  const epoch = useStore(model.epoch);
  const users = useStore(model.users);
  const typing = useStore(model.typing);
  const connection = useStore(model.connection);
  const peerId = conversation.kind === 'private' ? privatePeer(convId, selfId) : null;
  const peer = peerId ? (users.get(peerId) ?? null) : null;
  const groupSeat = useGroupSeat(conversation, selfId);
  const groupId = groupSeat?.groupId ?? null;

  // Members and settings for the header, @mentions and mutes; a group the user left answers FORBIDDEN.
  useEffect(() => {
    if (groupId && !conversation.left) void model.loadGroup(groupId);
  }, [model, groupId, conversation.left]);

  // Another member wrote: they have read what came before, so the read counts on screen are asked again.
  const lastFrom = conversation.lastMessage?.from;
  useEffect(() => {
    if (groupId && lastFrom && lastFrom !== selfId) readCountsFor(model.api).refreshConversation(convId);
  }, [model, groupId, convId, selfId, lastFrom, conversation.lastSeq]);

  useEffect(() => {
    win.start();
    return () => win.stop();
  }, [win]);

  // Open where the user wants to be: a requested message, the first unread if many, else the latest.
  const opened = useRef<{ nonce: number; epoch: number } | null>(null);
  useEffect(() => {
    const prev = opened.current;
    opened.current = { nonce: target.nonce, epoch };
    if (prev && prev.nonce === target.nonce && prev.epoch === epoch) return;
    if (target.seq !== undefined) void win.openAround(target.seq, true);
    else if (!prev && firstUnreadSeq !== null && conversation.unread > PAGE_SIZE) void win.openAround(firstUnreadSeq, false);
    else void win.openLatest();
    // Only a new navigation or a new session epoch re-opens; conversation updates do not.
  }, [target.nonce, target.seq, epoch, win]);

  useEffect(() => {
    if (peerId) void model.refreshUsers([peerId]);
  }, [model, peerId]);

  const nameOf = useMemo(
    () => (id: string) => (id === selfId ? t('message.you') : users.get(id)?.name || (id === peerId ? conversation.title : id)),
    [users, selfId, peerId, conversation.title, t],
  );
  const typingNames = (typing.get(convId) ?? []).filter((id) => id !== selfId).map(nameOf);

  const editLast = () => {
    const items = win.state.get().items;
    for (let i = items.length - 1; i >= 0; i--) {
      const m = items[i] as MessageView;
      if (m.from !== selfId || m.kind !== 'text' || m.recalled || m.seq === null) continue;
      // The last message is the one ↑ means: while an edit or recall of it is on its way, nothing opens.
      if (canEdit(m, selfId)) {
        setReply(null);
        setEdit(m);
      }
      return;
    }
  };

  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  const dropProps = {
    onDragEnter: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    },
    onDragLeave: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      dragDepth.current = 0;
      setDragging(false);
      const files = Array.from(e.dataTransfer.files);
      if (files.length === 0) return;
      setBottomRequest((n) => n + 1);
      const replyTo = reply?.seq ?? undefined;
      setReply(null);
      void sendFiles(model, files, { convId, t, locale: i18n.language, ...(replyTo !== undefined ? { replyTo } : {}) });
    },
  };

  return (
    <section className="conversation" aria-label={conversation.title} data-testid="conversation" data-conv-id={convId} {...dropProps}>
      <ConversationHeader
        conversation={conversation}
        peer={peer}
        peerId={peerId}
        typingNames={typingNames}
        infoOpen={infoOpen}
        onToggleInfo={() => setInfoOpen((v) => !v)}
        onSearchHere={onSearchHere}
      />
      <div className="conversation-body">
        <div className="conversation-main">
          <MessageList
            win={win}
            conversation={conversation}
            selfId={selfId}
            firstUnreadSeq={firstUnreadSeq}
            scrollToBottomRequest={bottomRequest}
            onReply={(m) => {
              setEdit(null);
              setReply(m);
            }}
            onEdit={(m) => {
              setReply(null);
              setEdit(m);
            }}
            onOpenImage={setViewer}
          />
          <Composer
            key={convId}
            convId={convId}
            reply={reply}
            edit={edit}
            offline={connection.state !== 'online'}
            nameOf={nameOf}
            onCancelReply={() => setReply(null)}
            onCancelEdit={() => setEdit(null)}
            onSent={() => setBottomRequest((n) => n + 1)}
            onEditLast={editLast}
            group={groupSeat}
            left={conversation.left === true}
          />
        </div>
        {infoOpen ? (conversation.kind === 'group' ? <GroupInfoPanel conversation={conversation} selfId={selfId} onClose={() => setInfoOpen(false)} /> : <InfoPanel conversation={conversation} peer={peer} peerId={peerId} onClose={() => setInfoOpen(false)} />) : null}
      </div>
      {dragging ? (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-overlay-card">
            <Icon name="paperclip" size={28} />
            <span>{t('conversation.dropHere')}</span>
          </div>
        </div>
      ) : null}
      {viewer ? <ImageViewer target={viewer} onClose={() => setViewer(null)} /> : null}
    </section>
  );
}
