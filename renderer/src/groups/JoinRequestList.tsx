/** Pending join requests, for the owner and admins: approve (the user joins) or reject (they are not told). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useModel } from '../app/model-context';
import { UserAvatar } from '../common/UserAvatar';
import { errorCode } from '../lib/errors';
import { useStore } from '../lib/store';

export function JoinRequestList({ groupId }: { groupId: string }) {
  const { t } = useTranslation();
  const model = useModel();
  const requests = useStore(model.joinRequests).get(groupId) ?? [];
  const users = useStore(model.users);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  if (requests.length === 0) return null;

  const decide = async (userId: string, approve: boolean) => {
    setBusy((prev) => new Set(prev).add(userId));
    try {
      if (approve) await model.api.group.approve({ groupId, userId });
      else await model.api.group.reject({ groupId, userId });
      model.dropJoinRequest(groupId, userId);
    } catch (error) {
      // Another admin already decided: the request is gone either way.
      if (errorCode(error) === 'NOT_FOUND') model.dropJoinRequest(groupId, userId);
      else model.pushError(error);
    } finally {
      setBusy((prev) => {
        const next = new Set(prev);
        next.delete(userId);
        return next;
      });
    }
  };

  return (
    <section className="group-section" aria-label={t('groups.requests')} data-testid="group-requests">
      <h3 className="group-section-title">{t('groups.requestsTitle', { count: requests.length })}</h3>
      <ul className="group-requests">
        {requests.map((r) => {
          const name = users.get(r.userId)?.name || r.userId;
          return (
            <li key={r.userId} className="group-request" data-testid={`group-request-${r.userId}`}>
              <UserAvatar userId={r.userId} name={name} size="sm" />
              <div className="group-request-text">
                <span className="group-member-name" title={r.userId}>
                  {name}
                </span>
                {r.note ? <span className="group-request-note">{r.note}</span> : null}
              </div>
              <div className="group-request-actions">
                <button
                  type="button"
                  className="button button-sm button-primary"
                  disabled={busy.has(r.userId)}
                  aria-label={t('groups.approveNamed', { name })}
                  onClick={() => void decide(r.userId, true)}
                  data-testid={`group-approve-${r.userId}`}
                >
                  {t('groups.approve')}
                </button>
                <button
                  type="button"
                  className="button button-sm"
                  disabled={busy.has(r.userId)}
                  aria-label={t('groups.rejectNamed', { name })}
                  onClick={() => void decide(r.userId, false)}
                  data-testid={`group-reject-${r.userId}`}
                >
                  {t('groups.reject')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
