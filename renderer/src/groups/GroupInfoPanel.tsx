/**
 * The info panel of a group conversation: the group's card (name, size, announcement, join policy), the
 * user's own switches, the settings their role allows (edit, mute everyone, invite), join requests, the
 * member list with its actions, and leaving or dismissing. A user no longer in the group sees only a notice
 * and their switches.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationView, GroupMemberView } from '../../../preload/api-types';
import { groupIdOf, isManager, isValidId, mayInvite } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { Avatar } from '../common/Avatar';
import { Icon } from '../common/Icon';
import { errorText } from '../lib/errors';
import { useStore } from '../lib/store';
import { deleteChat, setMuted, setPinned } from '../sidebar/conversation-actions';
import { ConfirmDialog, type ConfirmRequest } from './ConfirmDialog';
import { GroupEditForm } from './GroupEditForm';
import { GroupMemberList } from './GroupMemberList';
import { FOREVER_MS, roleOf, splitIds, type MemberAction } from './group-rules';
import { JoinRequestList } from './JoinRequestList';
import { policyLabel } from './PolicyOptions';

export interface GroupInfoPanelProps {
  conversation: ConversationView;
  selfId: string;
  onClose: () => void;
}

const HOUR = 3600_000;

export function GroupInfoPanel({ conversation: c, selfId, onClose }: GroupInfoPanelProps) {
  const { t } = useTranslation();
  const model = useModel();
  const groupId = groupIdOf(c.convId) ?? '';
  const left = c.left === true;
  const state = useStore(model.groups).get(groupId);
  const info = state?.info ?? null;
  const members = state?.members ?? [];
  const role = left ? null : roleOf(selfId, info, members);
  const manager = isManager(role);
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState<ConfirmRequest | null>(null);

  useEffect(() => {
    if (!left) void model.loadGroup(groupId);
  }, [model, groupId, left]);

  useEffect(() => {
    if (!left && manager) void model.loadJoinRequests(groupId);
  }, [model, groupId, left, manager]);

  /** Runs a group op; its system entry makes the model reload the group, so there is nothing else to do. */
  const act = async (op: () => Promise<unknown>) => {
    try {
      await op();
    } catch (error) {
      model.pushError(error);
    }
  };

  const nameOf = (id: string) => model.displayName(id);
  const title = info?.name ?? c.title;

  const onMemberAction = (action: MemberAction, member: GroupMemberView) => {
    const userId = member.userId;
    const now = Date.now();
    switch (action) {
      case 'mute-1h':
        return void act(() => model.api.group.mute({ groupId, userId, untilTs: now + HOUR }));
      case 'mute-24h':
        return void act(() => model.api.group.mute({ groupId, userId, untilTs: now + 24 * HOUR }));
      case 'mute-forever':
        return void act(() => model.api.group.mute({ groupId, userId, untilTs: now + FOREVER_MS }));
      case 'unmute':
        return void act(() => model.api.group.mute({ groupId, userId, untilTs: 0 }));
      case 'make-admin':
      case 'remove-admin':
        return void act(() => model.api.group.setAdmins({ groupId, userIds: [userId], admin: action === 'make-admin' }));
      case 'kick':
        return setConfirm({
          title: t('groups.confirmKickTitle', { name: nameOf(userId) }),
          text: t('groups.confirmKickText', { name: nameOf(userId) }),
          confirmLabel: t('groups.confirmKick'),
          run: () => act(() => model.api.group.kick({ groupId, userIds: [userId] })),
        });
      case 'transfer':
        return setConfirm({
          title: t('groups.confirmTransferTitle', { name: nameOf(userId) }),
          text: t('groups.confirmTransferText', { name: nameOf(userId) }),
          confirmLabel: t('groups.confirmTransfer'),
          run: () => act(() => model.api.group.transfer({ groupId, userId })),
        });
    }
  };

  const leave = () =>
    setConfirm({
      title: t('groups.confirmLeaveTitle', { group: title }),
      text: t('groups.confirmLeaveText'),
      confirmLabel: t('groups.confirmLeave'),
      run: () => act(() => model.api.group.leave({ groupId })),
    });
  const dismiss = () =>
    setConfirm({
      title: t('groups.confirmDismissTitle', { group: title }),
      text: t('groups.confirmDismissText'),
      confirmLabel: t('groups.confirmDismiss'),
      run: () => act(() => model.api.group.dismiss({ groupId })),
    });

  return (
    <aside className="info-panel group-info-panel" aria-label={t('groups.info')} data-testid="group-info-panel">
      <header className="info-panel-header">
        <h2 className="info-panel-title">{t('groups.info')}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('groups.closeInfo')}>
          <Icon name="close" />
        </button>
      </header>
      <div className="info-profile">
        <Avatar id={c.convId} name={title} size="xl" />
        <p className="info-name" data-testid="group-info-name">
          {title}
        </p>
        {info && !left ? (
          <p className="info-presence" data-testid="group-member-count">
            {t('groups.memberCount', { count: info.memberCount })}
          </p>
        ) : null}
      </div>
      {left ? (
        <p className="group-notice" role="status" data-testid="group-left-notice">
          {t('groups.leftNotice')}
        </p>
      ) : null}
      {!left && state?.error !== undefined && !info ? (
        <div className="group-notice" role="alert">
          <p>{errorText(state.error, t)}</p>
          <button type="button" className="link-button" onClick={() => void model.loadGroup(groupId)}>
            {t('groups.retry')}
          </button>
        </div>
      ) : null}
      {!left && !state ? <p className="muted">{t('groups.loading')}</p> : null}
      {!left && info && !editing ? (
        <dl className="info-facts group-facts">
          <dt>{t('groups.announcement')}</dt>
          <dd className={info.announcement ? 'group-announcement' : 'group-announcement muted'} data-testid="group-announcement">
            {info.announcement || t('groups.noAnnouncement')}
          </dd>
          <dt>{t('groups.policy')}</dt>
          <dd data-testid="group-policy">{policyLabel(info.joinPolicy, t)}</dd>
          <dt>{t('groups.groupId')}</dt>
          <dd className="mono">{groupId}</dd>
        </dl>
      ) : null}
      {!left && info && editing ? <GroupEditForm info={info} onDone={() => setEditing(false)} /> : null}
      {left ? (
        <div className="info-actions">
          <button type="button" className="button button-danger-quiet" onClick={() => void deleteChat(model, c)} data-testid="group-delete-chat">
            <Icon name="trash" size={18} />
            {t('rooms.deleteChat')}
          </button>
        </div>
      ) : (
        <div className="info-switches">
          <label className="switch-row">
            <span>{t('list.pinned')}</span>
            <input type="checkbox" className="switch" role="switch" checked={c.pinned} onChange={(e) => void setPinned(model, c, e.target.checked)} data-testid="group-pin" />
          </label>
          <label className="switch-row">
            <span>{t('list.muted')}</span>
            <input type="checkbox" className="switch" role="switch" checked={c.muted} onChange={(e) => void setMuted(model, c, e.target.checked)} data-testid="group-notify-mute" />
          </label>
          {!left && info && manager ? (
            <label className="switch-row">
              <span>{t('groups.muteAll')}</span>
              <input
                type="checkbox"
                className="switch"
                role="switch"
                checked={info.mutedAll}
                onChange={(e) => void act(() => model.api.group.mute({ groupId, untilTs: e.target.checked ? Date.now() + FOREVER_MS : 0 }))}
                data-testid="group-mute-all"
              />
            </label>
          ) : null}
        </div>
      )}
      {!left && info && manager && !editing ? (
        <button type="button" className="button" onClick={() => setEditing(true)} data-testid="group-edit">
          <Icon name="edit" size={18} />
          {t('groups.edit')}
        </button>
      ) : null}
      {!left && info && mayInvite(role, info.joinPolicy) ? <InviteForm groupId={groupId} memberCount={info.memberCount} members={members} /> : null}
      {!left && manager ? <JoinRequestList groupId={groupId} /> : null}
      {!left && members.length > 0 ? <GroupMemberList members={members} selfId={selfId} selfRole={role} onAction={onMemberAction} /> : null}
      {!left && info ? (
        <div className="info-actions">
          {role === 'owner' ? (
            <>
              <button type="button" className="button button-danger-quiet" onClick={dismiss} data-testid="group-dismiss">
                <Icon name="trash" size={18} />
                {t('groups.dismiss')}
              </button>
              <p className="field-hint">{t('groups.ownerLeaveHint')}</p>
            </>
          ) : (
            <button type="button" className="button button-danger-quiet" onClick={leave} data-testid="group-leave">
              <Icon name="logout" size={18} />
              {t('groups.leave')}
            </button>
          )}
        </div>
      ) : null}
      {confirm ? <ConfirmDialog request={confirm} onClose={() => setConfirm(null)} /> : null}
    </aside>
  );
}

/** Adds people by user id, several at once (commas or spaces between them), up to the server's group size. */
function InviteForm({ groupId, memberCount, members }: { groupId: string; memberCount: number; members: readonly GroupMemberView[] }) {
  const { t } = useTranslation();
  const model = useModel();
  const maxMembers = useStore(model.limits).maxGroupMembers;
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const hintId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ids = splitIds(text);
    if (ids.length === 0) return;
    if (ids.some((id) => !isValidId(id))) return setError(t('auth.invalidUserId'));
    // Members already in the group are not added again.
    const adding = ids.filter((id) => !members.some((m) => m.userId === id)).length;
    if (memberCount + adding > maxMembers) return setError(t('groups.tooManyMembers', { max: maxMembers }));
    setBusy(true);
    try {
      const { notAdded = [] } = await model.api.group.invite({ groupId, userIds: ids });
      setText('');
      // Those the server did not add (it does not say why) are named where the user typed them.
      setError(notAdded.length > 0 ? t('groups.notAdded', { ids: notAdded.join(', ') }) : null);
      const invited = ids.length - notAdded.length;
      if (invited > 0) model.pushInfo(t('groups.invited', { count: invited }));
    } catch (err) {
      model.pushError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="field group-invite" onSubmit={submit} noValidate data-testid="group-invite-form">
      <label htmlFor={inputId}>{t('groups.inviteLabel')}</label>
      <div className="group-picker-row">
        <input
          id={inputId}
          className="input"
          value={text}
          autoCapitalize="off"
          spellCheck={false}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
          aria-describedby={hintId}
          aria-invalid={error ? true : undefined}
          data-testid="group-invite-input"
        />
        <button type="submit" className="button" disabled={busy || !text.trim()} data-testid="group-invite-submit">
          {t('groups.invite')}
        </button>
      </div>
      {error ? (
        <span id={hintId} className="group-field-error" role="alert">
          {error}
        </span>
      ) : (
        <span id={hintId} className="field-hint">
          {t('groups.inviteHint')}
        </span>
      )}
    </form>
  );
}
