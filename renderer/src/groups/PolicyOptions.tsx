/** The join policies as <option>s, and their names for display. */
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { JoinPolicyName } from '../../../protocol/pure.js';

export function policyLabel(policy: JoinPolicyName, t: TFunction): string {
  if (policy === 'open') return t('groups.policyOpen');
  if (policy === 'approval') return t('groups.policyApproval');
  return t('groups.policyInvite');
}

export function PolicyOptions({ policies }: { policies: readonly JoinPolicyName[] }) {
  const { t } = useTranslation();
  return (
    <>
      {policies.map((p) => (
        <option key={p} value={p}>
          {policyLabel(p, t)}
        </option>
      ))}
    </>
  );
}
