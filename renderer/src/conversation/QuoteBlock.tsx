/**
 * The quoted message above a reply. Usually loaded already; otherwise fetched once (messages.around with
 * limit 1) and remembered. Clicking jumps to it.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { displayFileName } from '../../../protocol/pure.js';
import type { MessageView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { MENTION_ALL, withMentionNames } from '../lib/mentions';
import { kindLabel } from '../lib/preview';

const fetched = new Map<string, Promise<MessageView | null>>();

function fetchQuoted(api: ReturnType<typeof useModel>['api'], convId: string, seq: number): Promise<MessageView | null> {
  const key = `${convId}#${seq}`;
  let entry = fetched.get(key);
  if (!entry) {
    entry = api.messages
      .around({ convId, seq, limit: 1 })
      .then(({ messages }) => messages.find((m) => m.seq === seq) ?? null)
      .catch(() => {
        fetched.delete(key);
        return null;
      });
    fetched.set(key, entry);
    if (fetched.size > 500) fetched.delete(fetched.keys().next().value as string);
  }
  return entry;
}

/** One line for a quoted message; mentions read as names (`nameOf`), as in the message itself. */
export function quoteText(m: MessageView, t: ReturnType<typeof useTranslation>['t'], nameOf: (id: string) => string): string {
  if (m.recalled) return t('message.quotedRecalled');
  const body = m.body as { text?: string; name?: string; label?: string };
  const label = kindLabel(m.kind, t);
  if (m.kind === 'text') {
    return withMentionNames(body.text ?? '', [], m.mentions, (id) => (id === MENTION_ALL ? t('rooms.mentionAll') : nameOf(id))).text;
  }
  return [label, body.name !== undefined ? displayFileName(body.name, '') : (body.label ?? '')].filter(Boolean).join(' ');
}

export function QuoteBlock({ convId, seq, loaded, nameOf, onJump }: { convId: string; seq: number; loaded: MessageView | undefined; nameOf: (id: string) => string; onJump: (seq: number) => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const [remote, setRemote] = useState<MessageView | null | undefined>(undefined);
  useEffect(() => {
    if (loaded) return;
    let live = true;
    void fetchQuoted(model.api, convId, seq).then((m) => live && setRemote(m));
    return () => {
      live = false;
    };
  }, [model, convId, seq, loaded]);
  const m = loaded ?? remote ?? null;
  return (
    <button
      type="button"
      className="msg-quote"
      tabIndex={-1}
      onClick={(e) => {
        e.stopPropagation();
        onJump(seq);
      }}
      aria-label={t('message.jumpToQuoted')}
      data-testid="quote"
      data-quote-seq={seq}
    >
      <span className="msg-quote-name">{m ? nameOf(m.from) : t('message.quotedMissing')}</span>
      <span className="msg-quote-text">{m ? quoteText(m, t, nameOf) : remote === undefined ? t('message.loading') : t('message.unavailable')}</span>
    </button>
  );
}
