/**
 * The "Create group" tab: a name, members picked from the contacts and the directory as the user types, or by
 * user id (each checked with users.get), shown as removable chips, and the join policy. The creator becomes the owner.
 */
import { useId, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserView } from '../../../preload/api-types';
import { codePointLength, isValidId, JOIN_POLICIES, MAX_NAME, type JoinPolicyName } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { Icon } from '../common/Icon';
import { PeoplePicker, type PickedPerson } from '../contacts/PeoplePicker';
import { errorText } from '../lib/errors';
import { useStore } from '../lib/store';
import { splitIds } from './group-rules';
import { PolicyOptions } from './PolicyOptions';

export function CreateGroupForm({ selfId, onCancel, onCreated }: { selfId: string; onCancel: () => void; onCreated: (convId: string) => void }) {
  const { t } = useTranslation();
  const model = useModel();
  // The most members a group holds on this server, the owner included.
  const maxMembers = useStore(model.limits).maxGroupMembers;
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [memberText, setMemberText] = useState('');
  const [memberError, setMemberError] = useState<string | null>(null);
  const [picked, setPicked] = useState<readonly UserView[]>([]);
  const [checking, setChecking] = useState(false);
  // Approval by default: knowing a group's id should not be enough to walk in.
  const [policy, setPolicy] = useState<JoinPolicyName>('approval');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameId = useId();
  const memberId = useId();
  const memberHintId = useId();
  const memberErrorId = useId();
  const policyId = useId();

  /** Checks the ids in the box and adds those found; answers the picked list, or null when some were refused. */
  const addMembers = async (): Promise<readonly UserView[] | null> => {
    if (checking) return null;
    const ids = splitIds(memberText);
    if (ids.length === 0) return picked;
    if (ids.some((id) => !isValidId(id))) return refuse(t('auth.invalidUserId'));
    if (ids.includes(selfId)) return refuse(t('groups.memberSelf'));
    const fresh = ids.filter((id) => !picked.some((u) => u.userId === id));
    if (fresh.length === 0) {
      setMemberText('');
      return picked;
    }
    if (picked.length + fresh.length + 1 > maxMembers) return refuse(t('groups.tooManyMembers', { max: maxMembers }));
    setChecking(true);
    try {
      const { users } = await model.api.users.get({ userIds: fresh });
      const found = fresh.map((id) => users.find((u) => u.userId === id)).filter((u): u is UserView => u !== undefined);
      const missing = fresh.filter((id) => !found.some((u) => u.userId === id));
      const next = [...picked, ...found];
      setPicked(next);
      model.users.set((prev) => {
        const known = new Map(prev);
        for (const u of found) known.set(u.userId, u);
        return known;
      });
      // What was not found stays in the box, to be corrected.
      setMemberText(missing.join(' '));
      if (missing.length > 0) return refuse(t('groups.memberUnknown', { id: missing.join(', ') }));
      setMemberError(null);
      return next;
    } catch (err) {
      return refuse(errorText(err, t));
    } finally {
      setChecking(false);
    }
  };
  const taken = useMemo(() => new Set([selfId, ...picked.map((u) => u.userId)]), [selfId, picked]);
  const pick = (p: PickedPerson) => {
    if (picked.length + 2 > maxMembers) return refuse(t('groups.tooManyMembers', { max: maxMembers }));
    setPicked((prev) => [...prev, { userId: p.userId, name: p.name, online: p.online, lastSeen: 0 }]);
    setMemberText('');
    setMemberError(null);
    return null;
  };
  const refuse = (text: string): null => {
    setMemberError(text);
    return null;
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setNameError(t('groups.nameRequired'));
    if (codePointLength(trimmed) > MAX_NAME) return setNameError(t('groups.nameTooLong', { max: MAX_NAME }));
    // Ids typed but not yet added count too: check them first.
    const members = await addMembers();
    if (members === null) return;
    if (members.length + 1 > maxMembers) return refuse(t('groups.tooManyMembers', { max: maxMembers }));
    setBusy(true);
    setError(null);
    try {
      const { convId, notAdded } = await model.api.groups.create({ name: trimmed, members: members.map((u) => u.userId), joinPolicy: policy });
      // The server does not say why (the user blocked us); the group exists without them.
      if (notAdded?.length) model.pushInfo(t('groups.notAdded', { ids: notAdded.join(', ') }));
      onCreated(convId);
    } catch (err) {
      setError(errorText(err, t));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate className="stack" data-testid="group-create-form">
      <div className="field">
        <label htmlFor={nameId}>{t('groups.name')}</label>
        <input
          id={nameId}
          className="input"
          value={name}
          maxLength={MAX_NAME * 2}
          onChange={(e) => {
            setName(e.target.value);
            setNameError(null);
          }}
          aria-invalid={nameError ? true : undefined}
          aria-required="true"
          data-autofocus
          data-testid="group-name-input"
        />
        {nameError ? (
          <span className="group-field-error" role="alert">
            {nameError}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={memberId}>{t('groups.memberInputLabel')}</label>
        <div className="group-picker-row">
          <input
            id={memberId}
            className="input"
            value={memberText}
            autoCapitalize="off"
            spellCheck={false}
            onChange={(e) => {
              setMemberText(e.target.value);
              setMemberError(null);
            }}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' || e.nativeEvent.isComposing) return;
              // Enter adds the member; it must not submit the whole form.
              e.preventDefault();
              void addMembers();
            }}
            aria-describedby={memberError ? `${memberHintId} ${memberErrorId}` : memberHintId}
            aria-invalid={memberError ? true : undefined}
            data-testid="group-member-input"
          />
          <button type="button" className="button" onClick={() => void addMembers()} disabled={checking || !memberText.trim()} data-testid="group-member-add">
            {t('groups.memberAdd')}
          </button>
        </div>
        <span id={memberHintId} className="field-hint">
          {t('groups.memberHint')}
        </span>
        <PeoplePicker text={memberText} exclude={taken} onPick={pick} />
        {memberError ? (
          <span id={memberErrorId} className="group-field-error" role="alert" data-testid="group-member-error">
            {memberError}
          </span>
        ) : null}
        <ul className="group-chips" aria-label={t('groups.picked', { count: picked.length })} aria-live="polite">
          {picked.map((u) => (
            <li key={u.userId} className="group-chip" data-testid={`group-member-chip-${u.userId}`} title={u.userId}>
              <span className="group-chip-name">{u.name || u.userId}</span>
              <button
                type="button"
                className="group-chip-remove"
                aria-label={t('groups.memberRemove', { name: u.name || u.userId })}
                onClick={() => setPicked((prev) => prev.filter((p) => p.userId !== u.userId))}
              >
                <Icon name="close" size={14} />
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="field">
        <label htmlFor={policyId}>{t('groups.policy')}</label>
        <select id={policyId} className="select" value={policy} onChange={(e) => setPolicy(e.target.value as JoinPolicyName)} data-testid="group-policy-select">
          <PolicyOptions policies={JOIN_POLICIES} />
        </select>
      </div>
      {error ? (
        <p className="form-error" role="alert" data-testid="group-create-error">
          {error}
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          {t('groups.cancel')}
        </button>
        <button type="submit" className="button button-primary" disabled={busy || checking} data-testid="group-create-submit">
          {busy ? t('groups.working') : t('groups.create')}
        </button>
      </div>
    </form>
  );
}
