/** The owner's and admins' inline form for a group's name, announcement and join policy. */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { GroupInfo } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { codePointLength, JOIN_POLICIES, MAX_ANNOUNCEMENT, MAX_NAME, type JoinPolicyName } from '../../../protocol/pure.js';
import { PolicyOptions } from './PolicyOptions';

export function GroupEditForm({ info, onDone }: { info: GroupInfo; onDone: () => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const [name, setName] = useState(info.name);
  const [announcement, setAnnouncement] = useState(info.announcement);
  const [policy, setPolicy] = useState<JoinPolicyName>(info.joinPolicy);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameId = useId();
  const announcementId = useId();
  const policyId = useId();

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError(t('groups.nameRequired'));
    if (codePointLength(trimmed) > MAX_NAME) return setError(t('groups.nameTooLong', { max: MAX_NAME }));
    if (codePointLength(announcement) > MAX_ANNOUNCEMENT) return setError(t('groups.announcementTooLong', { max: MAX_ANNOUNCEMENT }));
    // Only what changed: each field set writes itself into the group.updated entry everyone sees.
    const changes: { name?: string; announcement?: string; joinPolicy?: JoinPolicyName } = {};
    if (trimmed !== info.name) changes.name = trimmed;
    if (announcement.trim() !== info.announcement.trim()) changes.announcement = announcement.trim();
    if (policy !== info.joinPolicy) changes.joinPolicy = policy;
    if (Object.keys(changes).length === 0) return onDone();
    setBusy(true);
    try {
      await model.api.group.update({ groupId: info.groupId, ...changes });
      onDone();
    } catch (err) {
      model.pushError(err);
      setBusy(false);
    }
  };

  return (
    <form className="stack group-edit" onSubmit={save} noValidate aria-label={t('groups.editTitle')} data-testid="group-edit-form">
      <div className="field">
        <label htmlFor={nameId}>{t('groups.name')}</label>
        <input
          id={nameId}
          className="input"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
          aria-required="true"
          autoFocus
          data-testid="group-edit-name"
        />
      </div>
      <div className="field">
        <label htmlFor={announcementId}>{t('groups.announcement')}</label>
        <textarea
          id={announcementId}
          className="input group-textarea"
          rows={4}
          value={announcement}
          onChange={(e) => {
            setAnnouncement(e.target.value);
            setError(null);
          }}
          data-testid="group-edit-announcement"
        />
      </div>
      <div className="field">
        <label htmlFor={policyId}>{t('groups.policy')}</label>
        <select id={policyId} className="select" value={policy} onChange={(e) => setPolicy(e.target.value as JoinPolicyName)} data-testid="group-edit-policy">
          <PolicyOptions policies={JOIN_POLICIES} />
        </select>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onDone} disabled={busy}>
          {t('groups.cancel')}
        </button>
        <button type="submit" className="button button-primary" disabled={busy} data-testid="group-edit-save">
          {t('groups.save')}
        </button>
      </div>
    </form>
  );
}
