/**
 * The message composer. Enter sends, Shift+Enter starts a new line, and nothing is sent while an IME is
 * composing (Chinese and Japanese input confirm candidates with Enter). The draft is kept per conversation:
 * locally at once, in main debounced (conversation.setDraft), so it survives switching chats and restarts.
 * ↑ in an empty composer edits your last message; Esc cancels a reply or an edit.
 *
 * In groups, `@` opens a list of members to mention (and @all for the owner and admins); a muted member sees
 * why they cannot speak, and a group the user is no longer in offers to delete the chat instead.
 */
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../../preload/api-types';
import { codePointLength, mayDo, muteOf, privatePeer, roomIdOf } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { useNow } from '../app/use-now';
import { Icon } from '../common/Icon';
import { quoteText } from '../conversation/QuoteBlock';
import { mentionQueryAt, mentionsIn } from '../lib/mentions';
import { useStore } from '../lib/store';
import { formatFullTime } from '../lib/time-format';
import { EmojiPicker } from './EmojiPicker';
import type { GroupSeat } from './group-seat';
import { MentionPopup, mentionOptionId } from './MentionPopup';
import { mentionOptions, mentionToken, type MentionOption } from './mention-options';
import { deleteChat } from '../sidebar/conversation-actions';
import { sendFiles } from './send-files';

export const DRAFT_DEBOUNCE_MS = 500;
const TYPING_INTERVAL_MS = 3000;
/** A mute longer than this reads as "muted" without an end (the group screens mute "forever" as ten years). */
const INDEFINITE_MUTE_MS = 365 * 24 * 3600_000;

export interface ComposerProps {
  convId: string;
  reply: MessageView | null;
  edit: MessageView | null;
  offline: boolean;
  nameOf: (userId: string) => string;
  onCancelReply: () => void;
  onCancelEdit: () => void;
  /** Something was sent: the list goes to the bottom. */
  onSent: () => void;
  /** ↑ in an empty composer. */
  onEditLast: () => void;
  /** Groups: the viewer's place in the group (mentions, mutes); null elsewhere. */
  group?: GroupSeat | null;
  /** A group the user is no longer in: nothing can be sent, the chat can be deleted. */
  left?: boolean;
}

export function Composer({ convId, reply, edit, offline, nameOf, onCancelReply, onCancelEdit, onSent, onEditLast, group = null, left = false }: ComposerProps) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const users = useStore(model.users);
  // The longest text the server accepts (hello's maxTextChars).
  const maxText = useStore(model.limits).maxTextChars;
  const selfId = model.session.get()?.userId ?? '';
  const popupId = useId();
  const [mention, setMention] = useState<{ start: number; query: string } | null>(null);
  const [activeOption, setActiveOption] = useState(0);
  /** Where the mention closed with Esc starts: it stays closed until another one is typed. */
  const dismissedMention = useRef<number | null>(null);
  const groupRequested = useRef(false);
  const [deleting, setDeleting] = useState(false);
  // Ticks only while a mute runs, so the composer reopens when it ends.
  const clock = useNow(5000, group?.mutedUntil != null);
  // Why the viewer cannot speak now, if so ("mute everyone" has no end: it lasts until turned off).
  const restriction = group?.role ? muteOf({ role: group.role, mutedUntil: group.mutedUntil ?? undefined }, group.mutedAll ? Infinity : 0, clock) : null;
  const mayMentionAll = mayDo(group?.role, 'mentionAll');
  const [text, setText] = useState(() => model.draftOf(convId));
  const [emojiOpen, setEmojiOpen] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const draftTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pendingDraft = useRef<string | null>(null);
  const lastTyping = useRef(0);
  const draftBeforeEdit = useRef<string | null>(null);
  const savingEdit = useRef(false);
  const touched = useRef(false);
  const mainDraft = useStore(model.conversations).byId.get(convId)?.draft ?? '';

  // The conversation list may arrive after the composer (opened from a notification at start-up): take
  // main's draft then, unless the user has typed already.
  useEffect(() => {
    if (!touched.current && mainDraft && !model.drafts.get().has(convId)) setText(mainDraft);
  }, [mainDraft, model, convId]);

  const flushDraft = () => {
    clearTimeout(draftTimer.current);
    draftTimer.current = undefined;
    const value = pendingDraft.current;
    pendingDraft.current = null;
    if (value !== null) model.api.conversation.setDraft({ convId, text: value }).catch(() => undefined);
  };
  const flushRef = useRef(flushDraft);
  flushRef.current = flushDraft;

  // Leaving the conversation (or the window) must not lose the last keystrokes.
  useEffect(() => {
    const flush = () => flushRef.current();
    window.addEventListener('beforeunload', flush);
    return () => {
      window.removeEventListener('beforeunload', flush);
      flush();
    };
  }, []);

  const saveDraft = (value: string) => {
    model.setDraft(convId, value);
    pendingDraft.current = value;
    clearTimeout(draftTimer.current);
    draftTimer.current = setTimeout(() => flushRef.current(), DRAFT_DEBOUNCE_MS);
  };

  // Entering edit mode puts the message's text in the box; leaving it brings the draft back.
  useEffect(() => {
    if (edit) {
      draftBeforeEdit.current ??= textarea.current?.value ?? '';
      setText((edit.body as { text?: string }).text ?? '');
    } else if (draftBeforeEdit.current !== null) {
      setText(draftBeforeEdit.current);
      draftBeforeEdit.current = null;
    }
    textarea.current?.focus();
  }, [edit]);

  useEffect(() => {
    if (reply) textarea.current?.focus();
  }, [reply]);

  // Grow with the text up to the CSS max-height, then scroll.
  useLayoutEffect(() => {
    const el = textarea.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight}px`;
  }, [text]);

  const onChange = (value: string) => {
    touched.current = true;
    setText(value);
    if (edit) return;
    saveDraft(value);
    const now = Date.now();
    // Chatrooms have no typing indicator (the server refuses it).
    if (value.trim() && roomIdOf(convId) === null && now - lastTyping.current > TYPING_INTERVAL_MS) {
      lastTyping.current = now;
      model.api.typing.send({ convId }).catch(() => undefined);
    }
  };

  // --- @mentions (groups) ---------------------------------------------------------------------------------

  const trackMention = (el: HTMLTextAreaElement) => {
    if (!group) return;
    const caret = el.selectionStart === el.selectionEnd ? el.selectionStart : null;
    const found = caret === null ? null : mentionQueryAt(el.value, caret);
    if (found?.start !== dismissedMention.current) dismissedMention.current = null;
    const next = found && dismissedMention.current === null ? found : null;
    setMention((prev) => (prev?.start === next?.start && prev?.query === next?.query ? prev : next));
    if (next?.query !== mention?.query || next?.start !== mention?.start) setActiveOption(0);
    if (next && !group.loaded && !groupRequested.current) {
      groupRequested.current = true;
      void model.loadGroup(group.groupId);
    }
  };

  const allLabel = t('rooms.mentionAll');
  const options = useMemo<MentionOption[]>(() => {
    if (!group || !mention) return [];
    const nameOfMember = (id: string) => users.get(id)?.name || id;
    return mentionOptions({ members: group.members, query: mention.query, selfId, nameOf: nameOfMember, allowAll: mayMentionAll, allLabel });
  }, [group, mention, users, selfId, allLabel, mayMentionAll]);
  const popupOpen = options.length > 0;
  const active = Math.min(activeOption, Math.max(0, options.length - 1));

  useEffect(() => {
    if (popupOpen) model.ensureUsers(options.flatMap((o) => (o.kind === 'member' ? [o.userId] : [])));
  }, [model, popupOpen, options]);

  const pickMention = (option: MentionOption) => {
    const el = textarea.current;
    if (!mention || !el) return;
    const caret = mention.start + 1 + mention.query.length;
    const token = mentionToken(option);
    const next = text.slice(0, mention.start) + token + text.slice(caret);
    onChange(next);
    setMention(null);
    const at = mention.start + token.length;
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(at, at);
    });
  };

  /** Keys the open popup takes; false leaves the key to the composer. Never while an IME composes. */
  const popupKey = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!popupOpen || !mention) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const step = e.key === 'ArrowDown' ? 1 : -1;
      setActiveOption((active + step + options.length) % options.length);
    } else if ((e.key === 'Enter' && !e.shiftKey && !e.altKey) || (e.key === 'Tab' && !e.shiftKey)) {
      const option = options[active];
      if (option) pickMention(option);
    } else if (e.key === 'Escape') {
      e.stopPropagation();
      dismissedMention.current = mention.start;
      setMention(null);
    } else {
      return false;
    }
    e.preventDefault();
    return true;
  };

  const length = codePointLength(text);
  const tooLong = length > maxText;
  const canSend = text.trim().length > 0 && !tooLong && restriction === null;

  const send = async () => {
    if (!canSend) return;
    const value = text.replace(/\s+$/, '');
    if (edit) {
      const original = (edit.body as { text?: string }).text ?? '';
      if (value === original || edit.seq === null) {
        onCancelEdit();
        return;
      }
      if (savingEdit.current) return;
      savingEdit.current = true;
      try {
        // Main queues the edit (offline too) and the message shows it at once; a refusal by the server
        // arrives later on the message itself (its failed `change`, with Retry and Discard).
        await model.api.messages.edit({ convId, seq: edit.seq, text: value });
        onCancelEdit();
      } catch (error) {
        // Not queued at all (the request was refused, e.g. BAD_REQUEST): stay in edit mode with the text.
        model.pushError(error);
      } finally {
        savingEdit.current = false;
      }
      return;
    }
    const replyTo = reply?.seq ?? undefined;
    setText('');
    saveDraft('');
    flushRef.current();
    lastTyping.current = 0;
    onCancelReply();
    onSent();
    try {
      const peer = privatePeer(convId, selfId);
      const candidates = group ? group.members.map((m) => m.userId).filter((id) => id !== selfId) : peer ? [peer] : [];
      const mentions = mentionsIn(value, candidates, { allowAll: mayMentionAll });
      await model.api.messages.send({
        convId,
        kind: 'text',
        body: { text: value },
        ...(replyTo !== undefined ? { replyTo } : {}),
        ...(mentions.length > 0 ? { mentions } : {}),
      });
    } catch (error) {
      // Not queued at all (refused by main): give the text back rather than lose it.
      setText((current) => (current === '' ? value : current));
      saveDraft(value);
      model.pushError(error);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // keyCode 229: some IMEs report the confirming Enter only this way.
    const composing = e.nativeEvent.isComposing || e.keyCode === 229;
    if (!composing && popupKey(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !composing) {
      e.preventDefault();
      void send();
    } else if (e.key === 'Escape' && (reply || edit)) {
      e.preventDefault();
      e.stopPropagation();
      if (edit) onCancelEdit();
      else onCancelReply();
    } else if (e.key === 'ArrowUp' && !composing && text === '' && !edit) {
      e.preventDefault();
      onEditLast();
    }
  };

  const attach = (files: readonly File[]) => {
    if (files.length === 0) return;
    const replyTo = reply?.seq ?? undefined;
    onCancelReply();
    onSent();
    void sendFiles(model, files, { convId, t, locale: i18n.language, ...(replyTo !== undefined ? { replyTo } : {}) });
  };

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = Array.from(e.clipboardData.files);
    // Rich text copied from documents also carries an image rendition: text wins then.
    if (files.length === 0 || e.clipboardData.getData('text/plain')) return;
    e.preventDefault();
    attach(files);
  };

  const insertEmoji = (emoji: string) => {
    const el = textarea.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    onChange(next);
    setEmojiOpen(false);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  const onDelete = async () => {
    setDeleting(true);
    if (!(await deleteChat(model, { convId }))) setDeleting(false);
  };

  if (left) {
    return (
      <div className="composer composer-blocked" data-testid="composer-left">
        <p className="composer-notice" role="status">
          {t('rooms.leftGroup')}
        </p>
        <button type="button" className="button button-danger-quiet" onClick={() => void onDelete()} disabled={deleting} data-testid="conversation-delete">
          <Icon name="trash" size={16} />
          {t('rooms.deleteChat')}
        </button>
      </div>
    );
  }

  const restricted = restriction !== null;
  const context = edit ?? reply;
  return (
    <div className="composer" data-testid="composer">
      {restriction ? (
        <p className="composer-notice composer-muted" role="status" data-testid="composer-muted">
          <Icon name="bellOff" size={16} />
          {restriction.reason === 'mutedAll'
            ? t('rooms.mutedAll')
            : restriction.untilTs - clock > INDEFINITE_MUTE_MS
              ? t('rooms.mutedIndefinitely')
              : t('rooms.mutedUntil', { time: formatFullTime(restriction.untilTs, i18n.language) })}
        </p>
      ) : null}
      {context ? (
        <div className="composer-context" data-testid={edit ? 'composer-editing' : 'composer-reply'}>
          <Icon name={edit ? 'edit' : 'reply'} size={18} className="composer-context-icon" />
          <div className="composer-context-text">
            <span className="composer-context-title">{edit ? t('composer.editing') : t('composer.replyingTo', { name: nameOf(context.from) })}</span>
            <span className="composer-context-quote">{quoteText(context, t, nameOf)}</span>
          </div>
          <button type="button" className="icon-button icon-button-sm" onClick={edit ? onCancelEdit : onCancelReply} aria-label={edit ? t('composer.cancelEdit') : t('composer.cancelReply')}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ) : null}
      <div className="composer-box">
        {popupOpen ? <MentionPopup id={popupId} options={options} active={active} onPick={pickMention} onHover={setActiveOption} /> : null}
        <button
          type="button"
          className="icon-button"
          onClick={() => fileInput.current?.click()}
          aria-label={t('composer.attach')}
          title={t('composer.attach')}
          disabled={!!edit || restricted}
          data-testid="composer-attach"
        >
          <Icon name="paperclip" />
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          onChange={(e) => {
            attach(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
          data-testid="composer-file-input"
        />
        <textarea
          ref={textarea}
          className="composer-input"
          rows={1}
          value={text}
          placeholder={offline ? t('composer.placeholderOffline') : t('composer.placeholder')}
          aria-label={t('composer.label')}
          aria-invalid={tooLong || undefined}
          aria-autocomplete={group ? 'list' : undefined}
          aria-controls={popupOpen ? popupId : undefined}
          aria-activedescendant={popupOpen ? mentionOptionId(popupId, active) : undefined}
          disabled={restricted}
          onChange={(e) => {
            onChange(e.target.value);
            trackMention(e.target);
          }}
          onSelect={(e) => trackMention(e.currentTarget)}
          onBlur={() => setMention(null)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          data-testid="composer-input"
        />
        <div className="composer-emoji">
          <button
            type="button"
            className="icon-button"
            aria-label={t('composer.emoji')}
            title={t('composer.emoji')}
            aria-expanded={emojiOpen}
            aria-haspopup="grid"
            onClick={() => setEmojiOpen((v) => !v)}
            disabled={restricted}
            data-emoji-toggle
            data-testid="composer-emoji"
          >
            <Icon name="smile" />
          </button>
          {emojiOpen ? (
            <EmojiPicker
              onPick={insertEmoji}
              onClose={() => {
                setEmojiOpen(false);
                textarea.current?.focus();
              }}
            />
          ) : null}
        </div>
        <button
          type="button"
          className="send-button"
          onClick={() => void send()}
          disabled={!canSend}
          aria-label={edit ? t('composer.save') : t('composer.send')}
          title={edit ? t('composer.save') : t('composer.send')}
          data-testid="composer-send"
        >
          <Icon name={edit ? 'check' : 'send'} />
        </button>
      </div>
      {tooLong ? (
        <p className="composer-limit" role="alert" data-testid="composer-limit">
          {length} / {maxText}
        </p>
      ) : null}
    </div>
  );
}
