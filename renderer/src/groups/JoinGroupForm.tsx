/**
 * The "Join by ID" tab: looks the group up (group.info, open to any signed-in user) to show its name and
 * size, then asks to join. Open groups let the user in at once; approval groups leave a pending request;
 * invitation-only groups cannot be joined, so we say so instead of asking.
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { GroupInfo } from '../../../preload/api-types';
import { codePointLength, groupConvId, isValidId, MAX_JOIN_NOTE } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { errorText } from '../lib/errors';
import { policyLabel } from './PolicyOptions';

type Outcome = { kind: 'pending' } | { kind: 'inviteOnly' } | null;

export function JoinGroupForm({ onCancel, onJoined }: { onCancel: () => void; onJoined: (convId: string) => void }) {
  const { t } = useTranslation();
  const model = useModel();
  const [groupId, setGroupId] = useState('');
  const [note, setNote] = useState('');
  const [found, setFound] = useState<GroupInfo | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const idId = useId();
  const hintId = useId();
  const noteId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const id = groupId.trim();
    // Group ids follow the same pattern as user ids (docs/protocol.md "Identifiers").
    if (!isValidId(id)) return setError(t('groups.joinIdInvalid'));
    if (codePointLength(note) > MAX_JOIN_NOTE) return setError(t('groups.noteTooLong', { max: MAX_JOIN_NOTE }));
    setBusy(true);
    setError(null);
    setOutcome(null);
    try {
      const info = await model.api.group.info({ groupId: id });
      setFound(info);
      if (info.joinPolicy === 'invite') {
        setOutcome({ kind: 'inviteOnly' });
        return;
      }
      const trimmed = note.trim();
      const { status } = await model.api.group.join(trimmed ? { groupId: id, note: trimmed } : { groupId: id });
      if (status === 'joined') {
        onJoined(groupConvId(id));
        return;
      }
      setOutcome({ kind: 'pending' });
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="stack" data-testid="group-join-form">
      <div className="field">
        <label htmlFor={idId}>{t('groups.joinIdLabel')}</label>
        <input
          id={idId}
          className="input mono"
          value={groupId}
          autoCapitalize="off"
          spellCheck={false}
          onChange={(e) => {
            setGroupId(e.target.value);
            setFound(null);
            setOutcome(null);
            setError(null);
          }}
          aria-describedby={hintId}
          aria-invalid={error ? true : undefined}
          data-autofocus
          data-testid="group-join-id"
        />
        <span id={hintId} className="field-hint">
          {t('groups.joinIdHint')}
        </span>
      </div>
      <div className="field">
        <label htmlFor={noteId}>{t('groups.joinNote')}</label>
        <input id={noteId} className="input" value={note} onChange={(e) => setNote(e.target.value)} data-testid="group-join-note" />
      </div>
      {found ? (
        <div className="group-card" data-testid="group-join-card">
          <p className="group-card-name">{found.name}</p>
          <p className="muted">
            {t('groups.memberCount', { count: found.memberCount })} · {policyLabel(found.joinPolicy, t)}
          </p>
        </div>
      ) : null}
      {outcome?.kind === 'pending' ? (
        <p className="group-notice" role="status" data-testid="group-join-pending">
          {t('groups.joinPending')}
        </p>
      ) : null}
      {outcome?.kind === 'inviteOnly' ? (
        <p className="form-error" role="alert" data-testid="group-join-invite-only">
          {t('groups.joinInviteOnly')}
        </p>
      ) : null}
      {error ? (
        <p className="form-error" role="alert" data-testid="group-join-error">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          {outcome ? t('groups.close') : t('groups.cancel')}
        </button>
        <button type="submit" className="button button-primary" disabled={busy || !groupId.trim() || outcome !== null} data-testid="group-join-submit">
          {busy ? t('groups.working') : t('groups.joinSubmit')}
        </button>
      </div>
    </form>
  );
}
