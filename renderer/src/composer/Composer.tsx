/**
 * The message composer. Enter sends, Shift+Enter starts a new line, and nothing is sent while an IME is
 * composing (Chinese and Japanese input confirm candidates with Enter). The draft is kept per conversation:
 * locally at once, in main debounced (conversation.setDraft), so it survives switching chats and restarts.
 * ↑ in an empty composer edits your last message; Esc cancels a reply or an edit.
 */
import { useEffect, useLayoutEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { MessageView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { Icon } from '../common/Icon';
import { quoteText } from '../conversation/QuoteBlock';
import { peerOf } from '../lib/conv-id';
import { mentionsIn } from '../lib/mentions';
import { useStore } from '../lib/store';
import { EmojiPicker } from './EmojiPicker';
import { sendFiles } from './send-files';

export const DRAFT_DEBOUNCE_MS = 500;
const TYPING_INTERVAL_MS = 3000;
const MAX_TEXT = 8000;

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
}

export function Composer({ convId, reply, edit, offline, nameOf, onCancelReply, onCancelEdit, onSent, onEditLast }: ComposerProps) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const [text, setText] = useState(() => model.draftOf(convId));
  const [emojiOpen, setEmojiOpen] = useState(false);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const draftTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const pendingDraft = useRef<string | null>(null);
  const lastTyping = useRef(0);
  const draftBeforeEdit = useRef<string | null>(null);
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
    if (value.trim() && now - lastTyping.current > TYPING_INTERVAL_MS) {
      lastTyping.current = now;
      model.api.typing.send({ convId }).catch(() => undefined);
    }
  };

  const tooLong = [...text].length > MAX_TEXT;
  const canSend = text.trim().length > 0 && !tooLong;

  const send = async () => {
    if (!canSend) return;
    const value = text.replace(/\s+$/, '');
    if (edit) {
      const original = (edit.body as { text?: string }).text ?? '';
      onCancelEdit();
      if (value === original || edit.seq === null) return;
      try {
        await model.api.messages.edit({ convId, seq: edit.seq, text: value });
      } catch (error) {
        model.pushError(error);
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
      const peer = peerOf(convId, model.session.get()?.userId);
      const mentions = mentionsIn(value, peer ? [peer] : []);
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

  const context = edit ?? reply;
  return (
    <div className="composer" data-testid="composer">
      {context ? (
        <div className="composer-context" data-testid={edit ? 'composer-editing' : 'composer-reply'}>
          <Icon name={edit ? 'edit' : 'reply'} size={18} className="composer-context-icon" />
          <div className="composer-context-text">
            <span className="composer-context-title">{edit ? t('composer.editing') : t('composer.replyingTo', { name: nameOf(context.from) })}</span>
            <span className="composer-context-quote">{quoteText(context, t)}</span>
          </div>
          <button type="button" className="icon-button icon-button-sm" onClick={edit ? onCancelEdit : onCancelReply} aria-label={edit ? t('composer.cancelEdit') : t('composer.cancelReply')}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ) : null}
      <div className="composer-box">
        <button
          type="button"
          className="icon-button"
          onClick={() => fileInput.current?.click()}
          aria-label={t('composer.attach')}
          title={t('composer.attach')}
          disabled={!!edit}
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
          onChange={(e) => onChange(e.target.value)}
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
        <p className="composer-limit" role="alert">
          {[...text].length} / {MAX_TEXT}
        </p>
      ) : null}
    </div>
  );
}
