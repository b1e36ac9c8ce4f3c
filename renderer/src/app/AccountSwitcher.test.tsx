// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/setup';
import { createFakeApi } from '../testing/fake-api';
import { conv } from '../testing/fixtures';
import { installBrowserShims } from '../testing/render';
import { accountShortcut } from './AccountSwitcher';
import { App } from './App';

const KEY_WORK = 'me@work.example';
const KEY_HOME = 'mia@127.0.0.1:8080';

function twoAccounts() {
  installBrowserShims();
  const fake = createFakeApi({
    conversations: [conv('p:alice|me', { title: 'Alice' })],
    accounts: [
      { userId: 'mia', name: 'Mia', unread: 3, conversations: [conv('p:mia|zoe', { title: 'Zoe', unread: 3 })] },
      { userId: 'me', name: 'Me at work', serverUrl: 'https://work.example', conversations: [conv('g:ops', { kind: 'group', title: 'Ops' })] },
    ],
  });
  render(<App api={fake.api} i18n={createI18n('en')} />);
  return fake;
}

const press = (digit: number, extra: Partial<KeyboardEventInit> = {}) =>
  fireEvent.keyDown(window, { key: '!', code: `Digit${digit}`, ctrlKey: true, shiftKey: true, ...extra });

describe('AccountSwitcher', () => {
  it('shows each account with its initials and the unread count of background accounts', async () => {
    twoAccounts();
    const rail = await screen.findByTestId('account-switcher');
    await waitFor(() => expect(within(rail).getAllByRole('button')).toHaveLength(4)); // three accounts and "Add account"
    const mia = within(rail).getByTestId('account-mia');
    expect(mia.getAttribute('aria-label')).toBe('Mia (mia on 127.0.0.1:8080) · 3 unread messages · Ctrl+Shift+2');
    expect(within(mia).getByTestId('account-unread').textContent).toBe('3');
    expect(mia.textContent).toContain('M');
    const active = rail.querySelector('[aria-current="true"]') as HTMLElement;
    expect(active.getAttribute('data-account-key')).toBe('me@127.0.0.1:8080');
    expect(within(active).queryByTestId('account-unread')).toBeNull();
  });

  it('switches by click and by Ctrl+Shift+n: the other account’s conversations show', async () => {
    const fake = twoAccounts();
    await screen.findByTestId('conv-p:alice|me');
    fireEvent.click(await screen.findByTestId('account-mia'));
    await screen.findByTestId('conv-p:mia|zoe');
    expect(screen.queryByTestId('conv-p:alice|me')).toBeNull();
    expect(fake.calls.find((c) => c.method === 'accounts.switch')?.arg).toEqual({ key: KEY_HOME });
    await waitFor(() => expect(screen.getByTestId('account-mia').getAttribute('aria-current')).toBe('true'));

    press(3);
    await screen.findByTestId('conv-g:ops');
    expect(fake.calls.filter((c) => c.method === 'accounts.switch').map((c) => c.arg)).toEqual([{ key: KEY_HOME }, { key: KEY_WORK }]);
    // No fourth account: nothing happens. Without Shift, or with Alt, it is not the shortcut.
    press(4);
    press(1, { shiftKey: false });
    press(1, { altKey: true });
    expect(fake.calls.filter((c) => c.method === 'accounts.switch')).toHaveLength(2);
  });

  it('a background account’s badge appears when messages arrive for it', async () => {
    const fake = twoAccounts();
    const mine = await waitFor(() => {
      const found = screen.getAllByTestId('account-me');
      expect(found).toHaveLength(2);
      return found;
    });
    const workButton = mine.find((b) => b.getAttribute('data-account-key') === KEY_WORK)!;
    expect(within(workButton).queryByTestId('account-unread')).toBeNull();
    fake.receiveInBackground(KEY_WORK, 2);
    await waitFor(() => expect(within(workButton).getByTestId('account-unread').textContent).toBe('2'));
  });

  it('adds an account through the sign-in screen, with a way back', async () => {
    const fake = twoAccounts();
    fireEvent.click(await screen.findByTestId('account-add'));
    expect(await screen.findByRole('heading', { name: 'Add an account' })).toBeTruthy();
    fireEvent.click(screen.getByTestId('auth-cancel'));
    await screen.findByTestId('conv-p:alice|me');
    fireEvent.click(await screen.findByTestId('account-add'));
    await screen.findByRole('heading', { name: 'Add an account' });
    fireEvent.keyDown(window, { key: 'Escape' });
    await screen.findByTestId('conv-p:alice|me');

    fireEvent.click(await screen.findByTestId('account-add'));
    fireEvent.change(await screen.findByTestId('auth-user'), { target: { value: 'noor' } });
    fireEvent.change(screen.getByTestId('auth-password'), { target: { value: 'secret-password' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    const added = await screen.findByTestId('account-noor');
    await waitFor(() => expect(added.getAttribute('aria-current')).toBe('true'));
    expect(fake.calls.find((c) => c.method === 'auth.login')?.arg).toMatchObject({ userId: 'noor', serverUrl: 'http://127.0.0.1:8080' });
    expect(screen.queryByTestId('conv-p:alice|me')).toBeNull();
    expect(screen.getAllByTestId(/^account-(me|mia|noor)$/)).toHaveLength(4);
  });

  it('a notification of another account switches to it, then opens the conversation', async () => {
    const fake = twoAccounts();
    await screen.findByTestId('conv-p:alice|me');
    fake.emit('notification:requested', { tag: 'p:mia|zoe', convId: 'p:mia|zoe', title: 'Zoe · Mia', body: 'hi', count: 1, mentioned: false, silent: true, accountKey: KEY_HOME });
    fireEvent.click((await screen.findByTestId('toast')).querySelector('button') as HTMLButtonElement);
    await waitFor(() => expect(screen.getByTestId('conversation-title').textContent).toContain('Zoe'));
    expect(fake.calls.find((c) => c.method === 'accounts.switch')?.arg).toEqual({ key: KEY_HOME });
  });

  it('reads the shortcut by the physical digit key, with Ctrl+Shift only', () => {
    const key = (init: KeyboardEventInit) => accountShortcut(new KeyboardEvent('keydown', init));
    expect(key({ code: 'Digit1', key: '!', ctrlKey: true, shiftKey: true })).toBe(1);
    expect(key({ code: 'Digit9', key: '(', ctrlKey: true, shiftKey: true })).toBe(9);
    expect(key({ code: 'Digit0', key: ')', ctrlKey: true, shiftKey: true })).toBeNull();
    expect(key({ code: 'Digit1', key: '1', ctrlKey: true })).toBeNull();
    expect(key({ code: 'Digit1', key: '!', metaKey: true, shiftKey: true })).toBeNull();
  });
});

describe('signing out one of several accounts', () => {
  it('leaves the others signed in: the next one shows', async () => {
    const fake = twoAccounts();
    await screen.findByTestId('conv-p:alice|me');
    fireEvent.click(screen.getByTestId('settings-open'));
    fireEvent.click(await screen.findByTestId('settings-sign-out'));
    await screen.findByTestId('conv-p:mia|zoe');
    expect(screen.queryByTestId('auth-submit')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('account-mia').getAttribute('aria-current')).toBe('true'));
    expect(screen.getAllByTestId(/^account-(me|mia)$/)).toHaveLength(2);
    expect(fake.calls.filter((c) => c.method === 'auth.logout')).toHaveLength(1);
  });
});
