/**
 * The narrow rail of signed-in accounts left of the conversation list: one avatar each (unread count on the
 * others, a mark on the active one), and "Add account", which opens the sign-in screen over the app.
 * Ctrl+Shift+1…9 (Cmd+Shift on macOS) switches to the n-th account.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { AccountView } from '../../../preload/api-types';
import { Avatar } from '../common/Avatar';
import { isMac, isPrimaryModifier } from '../common/focus';
import { Icon } from '../common/Icon';
import { useStore } from '../lib/store';
import type { AppModel } from '../state/app-model';
import { useModel } from './model-context';

/** The account number a key press asks for (1–9), or null: Ctrl/Cmd+Shift and a digit key. */
export function accountShortcut(event: KeyboardEvent): number | null {
  if (!isPrimaryModifier(event) || !event.shiftKey || event.altKey) return null;
  // By the physical key: with Shift held, `key` is the layout's symbol (`!`, `@`…), not the digit.
  const match = /^Digit([1-9])$/.exec(event.code);
  return match ? Number(match[1]) : null;
}

export function useAccountShortcuts(model: AppModel): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      const n = accountShortcut(e);
      if (n === null) return;
      e.preventDefault();
      void model.switchToNth(n);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [model]);
}

export function AccountSwitcher() {
  const { t } = useTranslation();
  const model = useModel();
  const accounts = useStore(model.accounts);
  useAccountShortcuts(model);
  const modifier = isMac() ? t('accounts.modifierMac') : t('accounts.modifier');

  return (
    <nav className="account-rail" aria-label={t('accounts.label')} data-testid="account-switcher">
      <ul className="account-rail-list">
        {accounts.map((account, i) => (
          <li key={account.key}>
            <AccountButton account={account} shortcut={i < 9 ? `${modifier}${i + 1}` : null} onSwitch={() => void model.switchAccount(account.key)} />
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="account-rail-add"
        onClick={() => model.addingAccount.set(true)}
        aria-label={t('accounts.add')}
        title={t('accounts.add')}
        data-testid="account-add"
      >
        <Icon name="plus" />
      </button>
    </nav>
  );
}

function AccountButton({ account, shortcut, onSwitch }: { account: AccountView; shortcut: string | null; onSwitch: () => void }) {
  const { t } = useTranslation();
  const host = hostOf(account.serverUrl);
  const label = [
    t('accounts.account', { name: account.name, userId: account.userId, host }),
    account.unread > 0 ? t('accounts.unread', { count: account.unread }) : null,
    account.connection !== 'online' ? t('accounts.notConnected') : null,
    shortcut,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <button
      type="button"
      className="account-rail-button"
      aria-current={account.active ? 'true' : undefined}
      aria-label={label}
      title={label}
      onClick={onSwitch}
      data-testid={`account-${account.userId}`}
      data-account-key={account.key}
    >
      {/* Coloured by user id, as the user's own avatar is elsewhere in the window. */}
      <Avatar id={account.userId} name={account.name} size="sm" />
      {account.unread > 0 && !account.active ? (
        <span className="badge account-rail-badge" data-testid="account-unread">
          {account.unread > 99 ? '99+' : account.unread}
        </span>
      ) : null}
      {account.connection !== 'online' ? <span className="account-rail-offline" aria-hidden="true" /> : null}
    </button>
  );
}

function hostOf(serverUrl: string): string {
  try {
    return new URL(serverUrl).host;
  } catch {
    return serverUrl;
  }
}
