/**
 * The virtualized message list (react-virtuoso): only the rows on screen exist in the DOM, so a conversation
 * of 100,000 messages scrolls like one of 100. Older pages load when the top is reached and are prepended by
 * lowering `firstItemIndex` (no jump); newer pages load at the bottom after a jump into history. While at the
 * bottom, new messages scroll into view (followOutput); when scrolled up, a button jumps to the latest.
 *
 * Keyboard: Tab lands on one message (the last by default); ↑/↓ move between messages, Home/End go to the
 * first/last loaded one, Enter or the context-menu key opens the message's actions.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type Components, type VirtuosoHandle } from 'react-virtuoso';
import type { ConversationView, MessageView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { useWindowFocus } from '../app/use-window-focus';
import { Icon } from '../common/Icon';
import { Menu, type MenuItem } from '../common/Menu';
import { indexOfSeq, lastSeqOf, messageKey } from '../lib/message-order';
import { useStore } from '../lib/store';
import { formatDayLabel, isSameDay } from '../lib/time-format';
import type { MessageWindow, WindowState } from '../state/message-window';
import { markRead } from '../sidebar/conversation-actions';
import type { ImageTarget } from './MessageContent';
import { messageMenuItems } from './message-menu';
import { MessageRow, type MessageActions } from './MessageRow';

/** Messages closer than this, from the same sender, form one visual group. */
const GROUP_GAP_MS = 5 * 60_000;
const HIGHLIGHT_MS = 2400;

export interface MessageListProps {
  win: MessageWindow;
  conversation: ConversationView;
  selfId: string;
  firstUnreadSeq: number | null;
  /** Bumped by the pane when the list must go to the bottom (the user just sent something). */
  scrollToBottomRequest: number;
  onReply(message: MessageView): void;
  onEdit(message: MessageView): void;
  onOpenImage(target: ImageTarget): void;
}

interface ListContext {
  state: WindowState;
  retry: () => void;
  /** Chatrooms keep what was said since the user joined (and the 50 entries before): say so at the top. */
  room: boolean;
}

const Header: Components<MessageView, ListContext>['Header'] = ({ context }) => {
  const { t } = useTranslation();
  if (!context) return null;
  const { state } = context;
  if (state.loadingOlder) {
    return (
      <div className="list-edge" role="status">
        <span className="spinner" aria-hidden="true" /> {t('conversation.loadingOlder')}
      </div>
    );
  }
  if (state.status === 'ready' && !state.hasOlder && state.items.length > 0) {
    return <div className="list-edge list-beginning">{context.room ? t('rooms.historyStart') : t('conversation.beginning')}</div>;
  }
  return <div className="list-edge list-edge-empty" />;
};

const Footer: Components<MessageView, ListContext>['Footer'] = ({ context }) => {
  if (context?.state.loadingNewer) {
    return (
      <div className="list-edge" role="status">
        <span className="spinner" aria-hidden="true" />
      </div>
    );
  }
  return <div className="list-bottom-space" />;
};

const List: Components<MessageView, ListContext>['List'] = ({ children, style, ref, ...rest }) => {
  const { t } = useTranslation();
  return (
    <div {...rest} ref={ref} style={style} role="list" aria-label={t('conversation.messages')} className="message-list-inner">
      {children}
    </div>
  );
};

const Item: Components<MessageView, ListContext>['Item'] = ({ children, item: _item, context: _context, ...rest }) => (
  <div {...rest} role="listitem">
    {children}
  </div>
);

const COMPONENTS = { Header, Footer, List, Item };

export function MessageList(props: MessageListProps) {
  const { win, conversation, selfId, firstUnreadSeq } = props;
  const { t, i18n } = useTranslation();
  const model = useModel();
  const state = useStore(win.state);
  const users = useStore(model.users);
  const uploads = useStore(model.uploads);
  const previews = useStore(model.localPreviews);
  const focused = useWindowFocus();
  const now = useNow(60_000);
  const virtuoso = useRef<VirtuosoHandle>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [highlight, setHighlight] = useState<number | null>(null);
  const [menu, setMenu] = useState<{ message: MessageView; x: number; y: number } | null>(null);
  const { items, firstItemIndex } = state;

  const nameOf = useCallback(
    (id: string) =>
      id === selfId ? t('message.you') : users.get(id)?.name || (conversation.kind === 'private' ? conversation.title : id),
    [users, conversation.kind, conversation.title, selfId, t],
  );

  // Briefly highlight the message we jumped to.
  useEffect(() => {
    if (state.anchor === 'bottom' || !state.anchor.highlight) return;
    setHighlight(state.anchor.seq);
    const timer = setTimeout(() => setHighlight(null), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [state.generation, state.anchor]);

  // Read when the latest messages are on screen and the window has focus.
  const lastSeq = lastSeqOf(items);
  useEffect(() => {
    if (!focused || !atBottom || state.hasNewer || state.status !== 'ready') return;
    const seq = Math.max(lastSeq, 0);
    if (seq > conversation.readSeq || conversation.unread > 0) void markRead(model, conversation, Math.max(seq, conversation.lastSeq));
  }, [focused, atBottom, state.hasNewer, state.status, lastSeq, conversation, model]);

  // Sending jumps to the bottom, wherever the user was.
  const lastRequest = useRef(props.scrollToBottomRequest);
  useEffect(() => {
    if (props.scrollToBottomRequest === lastRequest.current) return;
    lastRequest.current = props.scrollToBottomRequest;
    if (state.hasNewer) void win.openLatest();
    else virtuoso.current?.scrollToIndex({ index: Math.max(0, items.length - 1), align: 'end', behavior: 'auto' });
  }, [props.scrollToBottomRequest, state.hasNewer, items.length, win]);

  const initialTop = useMemo(() => {
    const last = Math.max(0, items.length - 1);
    if (state.anchor !== 'bottom') {
      const index = indexOfSeq(items, state.anchor.seq);
      if (index >= 0) return { index, align: 'center' as const };
    } else if (firstUnreadSeq !== null) {
      const index = items.findIndex((m) => m.seq !== null && m.seq >= firstUnreadSeq && m.from !== selfId);
      if (index > 0) return { index: index - 1, align: 'start' as const };
    }
    return { index: last, align: 'end' as const };
    // Only the first render of each generation uses it: recompute only when a new one starts.
  }, [state.generation, state.status]);

  const handlers = useRef({ props, model, t });
  handlers.current = { props, model, t };

  const actions: MessageActions = useMemo(
    () => ({
      openMenu: (message, x, y) => setMenu({ message, x, y }),
      reply: (message) => handlers.current.props.onReply(message),
      retry: (message) => {
        handlers.current.model.api.messages.retry({ clientMsgId: message.clientMsgId }).catch((e: unknown) => handlers.current.model.pushError(e));
      },
      remove: (message) => {
        handlers.current.model.api.messages.delete({ clientMsgId: message.clientMsgId }).catch((e: unknown) => handlers.current.model.pushError(e));
      },
      retryChange: (message) => {
        if (!message.change) return;
        handlers.current.model.api.messages.retry({ clientMsgId: message.change.clientMsgId }).catch((e: unknown) => handlers.current.model.pushError(e));
      },
      discardChange: (message) => {
        if (!message.change) return;
        handlers.current.model.api.messages.delete({ clientMsgId: message.change.clientMsgId }).catch((e: unknown) => handlers.current.model.pushError(e));
      },
      openImage: (target) => handlers.current.props.onOpenImage(target),
      jumpTo: (seq) => void handlers.current.props.win.openAround(seq, true),
      focusRow: (key) => setActiveKey(key),
    }),
    [],
  );

  const menuItems = (m: MessageView): MenuItem[] =>
    messageMenuItems(m, { selfId, now: Date.now(), t, model, onReply: props.onReply, onEdit: props.onEdit, retry: actions.retry, remove: actions.remove });

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const row = (e.target as HTMLElement).closest?.('[data-message-row]');
    if (!row || row !== e.target) return;
    if (!['ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    if (e.key === 'Home' || e.key === 'End') {
      const index = e.key === 'Home' ? 0 : items.length - 1;
      const key = items[index] ? messageKey(items[index]) : null;
      virtuoso.current?.scrollToIndex({ index, align: e.key === 'Home' ? 'start' : 'end' });
      if (key) focusWhenRendered(key);
      return;
    }
    const rows = Array.from(wrapper.current?.querySelectorAll<HTMLElement>('[data-message-row]') ?? []);
    const at = rows.indexOf(row as HTMLElement);
    const next = rows[e.key === 'ArrowUp' ? at - 1 : at + 1];
    if (next) {
      next.focus();
      next.scrollIntoView({ block: 'nearest' });
    } else {
      virtuoso.current?.scrollBy({ top: e.key === 'ArrowUp' ? -240 : 240 });
    }
  };

  const focusWhenRendered = (key: string, tries = 10) => {
    const el = wrapper.current?.querySelector<HTMLElement>(`[data-message-row="${CSS.escape(key)}"]`);
    if (el) el.focus();
    else if (tries > 0) requestAnimationFrame(() => focusWhenRendered(key, tries - 1));
  };

  const tabbableKey = activeKey ?? (items.length ? messageKey(items[items.length - 1] as MessageView) : null);
  const peerReadSeq = conversation.peerReadSeq ?? 0;
  const groupReads = conversation.kind === 'group' && !conversation.left;
  const room = conversation.kind === 'room';
  const context = useMemo<ListContext>(() => ({ state, retry: () => void win.openLatest(), room }), [state, win, room]);

  if (state.status === 'error' && items.length === 0) {
    return (
      <div className="message-list message-list-state" role="alert">
        <p>{t('conversation.loadFailed')}</p>
        <button type="button" className="button" onClick={() => void win.openLatest()}>
          {t('conversation.tryAgain')}
        </button>
      </div>
    );
  }
  if (state.status === 'loading' && items.length === 0) {
    return (
      <div className="message-list message-list-state" role="status">
        <span className="spinner" aria-hidden="true" />
        <span className="visually-hidden">{t('app.loading')}</span>
      </div>
    );
  }

  const showJump = !atBottom || state.hasNewer;
  return (
    <div className="message-list" ref={wrapper} onKeyDown={onKeyDown} data-testid="message-list">
      <Virtuoso<MessageView, ListContext>
        key={state.generation}
        ref={virtuoso}
        className="message-scroller"
        data={items}
        context={context}
        firstItemIndex={firstItemIndex}
        initialTopMostItemIndex={initialTop}
        computeItemKey={(_, m) => messageKey(m)}
        components={COMPONENTS}
        increaseViewportBy={{ top: 800, bottom: 400 }}
        alignToBottom
        atBottomThreshold={64}
        atBottomStateChange={setAtBottom}
        followOutput={(bottom) => (bottom && !state.hasNewer ? 'smooth' : false)}
        startReached={() => void win.loadOlder()}
        endReached={() => void win.loadNewer()}
        itemContent={(index, m) => {
          const i = index - firstItemIndex;
          const prev = items[i - 1];
          const next = items[i + 1];
          const key = messageKey(m);
          const unreadDivider = firstUnreadSeq !== null && m.seq !== null && m.seq >= firstUnreadSeq && m.from !== selfId && isFirstUnread(items, i, firstUnreadSeq, selfId);
          const nextDivider = next !== undefined && firstUnreadSeq !== null && next.seq !== null && next.seq >= firstUnreadSeq && next.from !== selfId && isFirstUnread(items, i + 1, firstUnreadSeq, selfId);
          const newDay = !prev || !isSameDay(prev.ts, m.ts);
          const groupStart = newDay || unreadDivider || !continues(prev, m);
          const groupEnd = !next || !isSameDay(m.ts, next.ts) || nextDivider || !continues(m, next);
          const replyTo = m.replyTo;
          const quoted = replyTo !== undefined ? items[indexOfSeq(items, replyTo)] : undefined;
          return (
            <MessageRow
              message={m}
              rowKey={key}
              selfId={selfId}
              convKind={conversation.kind}
              groupStart={groupStart}
              groupEnd={groupEnd}
              dayLabel={newDay ? formatDayLabel(m.ts, now, i18n.language, t) : null}
              unreadDivider={unreadDivider}
              read={m.seq !== null && m.seq <= peerReadSeq}
              groupReads={groupReads}
              highlighted={highlight !== null && m.seq === highlight}
              tabbable={key === tabbableKey}
              quoted={quoted}
              progress={uploads.get(m.clientMsgId)}
              localPreview={previews.get(m.clientMsgId)}
              nameOf={nameOf}
              actions={actions}
            />
          );
        }}
      />
      {showJump ? (
        <button
          type="button"
          className="jump-latest"
          onClick={() => {
            if (state.hasNewer) void win.openLatest();
            else virtuoso.current?.scrollToIndex({ index: items.length - 1, align: 'end', behavior: 'smooth' });
          }}
          aria-label={conversation.unread > 0 ? `${t('conversation.jumpToLatest')} — ${t('conversation.unreadBelow', { count: conversation.unread })}` : t('conversation.jumpToLatest')}
          title={t('conversation.jumpToLatest')}
          data-testid="jump-latest"
        >
          <Icon name="arrowDown" />
          {conversation.unread > 0 ? (
            <span className="badge jump-badge" data-testid="jump-latest-count">
              {conversation.unread > 99 ? '99+' : conversation.unread}
            </span>
          ) : null}
        </button>
      ) : null}
      {menu ? (
        <Menu items={menuItems(menu.message)} x={menu.x} y={menu.y} label={t('menu.messageActions')} onClose={() => setMenu(null)} />
      ) : null}
    </div>
  );
}

function isNotice(m: MessageView): boolean {
  return m.recalled || m.kind === 'system';
}

function continues(prev: MessageView | undefined, m: MessageView): boolean {
  return !!prev && prev.from === m.from && !isNotice(prev) && !isNotice(m) && m.ts - prev.ts < GROUP_GAP_MS;
}

/** Whether items[i] is the first message from someone else at or after the first unread seq. */
function isFirstUnread(items: readonly MessageView[], i: number, firstUnreadSeq: number, selfId: string): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const p = items[j] as MessageView;
    if (p.seq === null || p.seq < firstUnreadSeq) return true;
    if (p.from !== selfId) return false;
  }
  return true;
}
