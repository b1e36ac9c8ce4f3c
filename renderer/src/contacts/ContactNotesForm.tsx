/** A contact's remark and tags, the user's own notes (contacts.update); tags are typed separated by commas. */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContactView } from '../../../preload/api-types';
import { MAX_CONTACT_TAGS, MAX_REMARK, MAX_TAG, codePointLength } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';

/** "a, b，c" → ['a', 'b', 'c']: ASCII and full-width commas, blanks and repeats dropped, within the protocol's limits. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(/[,，、]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && codePointLength(s) <= MAX_TAG);
  return [...new Set(tags)].slice(0, MAX_CONTACT_TAGS);
}

export function ContactNotesForm({ contact }: { contact: ContactView }) {
  const { t } = useTranslation();
  const model = useModel();
  const [remark, setRemark] = useState(contact.remark);
  const [tags, setTags] = useState(contact.tags.join(', '));
  const [busy, setBusy] = useState(false);
  const remarkId = useId();
  const tagsId = useId();
  const remarkHint = useId();
  const tagsHint = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await model.api.contacts.update({ userId: contact.userId, remark: remark.trim(), tags: parseTags(tags) });
      model.pushInfo(t('contacts.card.saved'));
    } catch (error) {
      model.pushError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="stack profile-notes" onSubmit={submit} noValidate data-testid="profile-notes">
      <div className="field">
        <label htmlFor={remarkId}>{t('contacts.card.remark')}</label>
        <input
          id={remarkId}
          className="input"
          value={remark}
          onChange={(e) => setRemark(e.target.value)}
          aria-describedby={remarkHint}
          aria-invalid={codePointLength(remark.trim()) > MAX_REMARK || undefined}
          data-testid="profile-remark"
        />
        <span id={remarkHint} className="field-hint">
          {t('contacts.card.remarkHint')}
        </span>
      </div>
      <div className="field">
        <label htmlFor={tagsId}>{t('contacts.card.tags')}</label>
        <input id={tagsId} className="input" value={tags} onChange={(e) => setTags(e.target.value)} aria-describedby={tagsHint} data-testid="profile-tags" />
        <span id={tagsHint} className="field-hint">
          {t('contacts.card.tagsHint')}
        </span>
      </div>
      <div className="dialog-actions">
        <button type="submit" className="button" disabled={busy || codePointLength(remark.trim()) > MAX_REMARK} data-testid="profile-notes-save">
          {t('contacts.card.save')}
        </button>
      </div>
    </form>
  );
}
