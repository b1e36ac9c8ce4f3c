/** Create a group with a member picker, or join one by its id: two tabs of one dialog. */
import { useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../common/Dialog';
import { CreateGroupForm } from './CreateGroupForm';
import { JoinGroupForm } from './JoinGroupForm';

export interface NewGroupDialogProps {
  selfId: string;
  onClose: () => void;
  /** A group was created or joined: show its conversation. */
  onOpened: (convId: string) => void;
}

type Tab = 'create' | 'join';
const TABS: readonly Tab[] = ['create', 'join'];

export function NewGroupDialog({ selfId, onClose, onOpened }: NewGroupDialogProps) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('create');
  const baseId = useId();
  const tabId = (which: Tab) => `${baseId}-tab-${which}`;
  const panelId = `${baseId}-panel`;

  // Arrow keys move between the tabs (WAI-ARIA tabs pattern, automatic activation).
  const onTabKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    const index = TABS.indexOf(tab);
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : (index + (e.key === 'ArrowRight' ? 1 : -1) + TABS.length) % TABS.length;
    const which = TABS[next] ?? 'create';
    setTab(which);
    document.getElementById(tabId(which))?.focus();
  };

  return (
    <Dialog title={t('groups.newGroup')} onClose={onClose} className="dialog-sm" testId="new-group-dialog">
      <div className="stack">
        <div className="segmented" role="tablist" aria-label={t('groups.tabsLabel')} onKeyDown={onTabKey}>
          {TABS.map((which) => (
            <button
              key={which}
              id={tabId(which)}
              type="button"
              role="tab"
              aria-selected={tab === which}
              aria-controls={panelId}
              tabIndex={tab === which ? 0 : -1}
              onClick={() => setTab(which)}
              data-testid={`new-group-tab-${which}`}
            >
              {which === 'create' ? t('groups.tabCreate') : t('groups.tabJoin')}
            </button>
          ))}
        </div>
        <div id={panelId} role="tabpanel" aria-labelledby={tabId(tab)}>
          {tab === 'create' ? (
            <CreateGroupForm key="create" selfId={selfId} onCancel={onClose} onCreated={onOpened} />
          ) : (
            <JoinGroupForm key="join" onCancel={onClose} onJoined={onOpened} />
          )}
        </div>
      </div>
    </Dialog>
  );
}
