// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/setup';
import { createFakeApi } from '../testing/fake-api';
import { conv } from '../testing/fixtures';
import { installBrowserShims } from '../testing/render';
import { App } from './App';

describe('App', () => {
  it('switches the whole UI language from Settings', async () => {
    installBrowserShims();
    const fake = createFakeApi({ conversations: [conv('p:alice|me', { title: 'Alice' })] });
    render(<App api={fake.api} i18n={createI18n('en')} />);
    await screen.findByText('Search all messages');
    fireEvent.click(screen.getByTestId('me-menu'));
    fireEvent.click(await screen.findByTestId('menu-settings'));
    fireEvent.click(await screen.findByTestId('settings-language-zh-CN'));
    await waitFor(() => expect(screen.getByText('搜索全部消息')).toBeTruthy());
    expect(screen.getByRole('dialog').getAttribute('aria-labelledby')).toBeTruthy();
    expect(screen.getByRole('heading', { name: '设置' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(fake.calls.find((c) => c.method === 'settings.set')?.arg).toEqual({ language: 'zh-CN' });
    // And back, when main says so (another window changed it).
    fake.emit('settings:changed', { language: 'en', theme: 'dark', notifications: { enabled: true, sound: false, preview: true } });
    await screen.findByText('Search all messages');
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('opens a conversation when main asks (a notification was clicked) and shows in-app toasts', async () => {
    installBrowserShims();
    const fake = createFakeApi({ conversations: [conv('p:alice|me', { title: 'Alice' })] });
    render(<App api={fake.api} i18n={createI18n('en')} />);
    await screen.findByTestId('conv-p:alice|me');
    fake.emit('notification:requested', { tag: 'p:alice|me', convId: 'p:alice|me', title: 'Alice', body: 'are you there?', count: 2, mentioned: false, silent: true });
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toContain('are you there?');
    expect(toast.textContent).toContain('+1 more message');
    fireEvent.click(toast.querySelector('button') as HTMLButtonElement);
    await waitFor(() => expect(screen.getByTestId('conversation-title').textContent).toContain('Alice'));
    expect(fake.calls.some((c) => c.method === 'conversation.open' && (c.arg as { convId: string | null }).convId === 'p:alice|me')).toBe(true);
  });

  it('signs in from the first-run screen, prefilled from ?server=', async () => {
    installBrowserShims();
    const fake = createFakeApi({ session: { state: 'signed-out' } });
    render(<App api={fake.api} i18n={createI18n('en')} search="?server=http%3A%2F%2F10.0.0.5%3A9000" />);
    const server = (await screen.findByTestId('auth-server')) as HTMLInputElement;
    expect(server.value).toBe('http://10.0.0.5:9000');
    fireEvent.change(screen.getByTestId('auth-user'), { target: { value: 'bad id!' } });
    fireEvent.change(screen.getByTestId('auth-password'), { target: { value: 'secret-password' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    expect((await screen.findByTestId('auth-error')).textContent).toContain('user ID uses only');
    fireEvent.change(screen.getByTestId('auth-user'), { target: { value: 'alice' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    // Plain http to another computer: the password goes only once the user agrees (auth/SignIn.test.tsx).
    fireEvent.click(await screen.findByTestId('auth-cleartext-continue'));
    await screen.findByText('Search all messages');
    expect(fake.calls.find((c) => c.method === 'auth.login')?.arg).toMatchObject({ serverUrl: 'http://10.0.0.5:9000', userId: 'alice' });
  });

  it('suggests the server the app knows when nothing else names one', async () => {
    installBrowserShims();
    const fake = createFakeApi({ session: { state: 'signed-out' }, appInfo: { defaultServerUrl: 'http://127.0.0.1:47001' } });
    render(<App api={fake.api} i18n={createI18n('en')} />);
    const server = (await screen.findByTestId('auth-server')) as HTMLInputElement;
    await waitFor(() => expect(server.value).toBe('http://127.0.0.1:47001'));
  });

  it('creates an account with an optional invite code, and says in the user’s language why one was refused', async () => {
    installBrowserShims();
    const fake = createFakeApi({ session: { state: 'signed-out' } });
    fake.failNext('auth.register', 'FORBIDDEN', 1, 'INVITE_REQUIRED');
    render(<App api={fake.api} i18n={createI18n('en')} />);
    fireEvent.click(await screen.findByTestId('auth-mode-register'));
    fireEvent.change(screen.getByTestId('auth-user'), { target: { value: 'dora' } });
    fireEvent.change(screen.getByTestId('auth-name'), { target: { value: 'Dora' } });
    fireEvent.change(screen.getByTestId('auth-password'), { target: { value: 'a long passphrase' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    expect((await screen.findByTestId('auth-error')).textContent).toBe('This server creates accounts only with an invite code. Enter the code you were given.');
    expect(fake.calls.find((c) => c.method === 'auth.register')?.arg).not.toHaveProperty('inviteCode');
    fireEvent.change(screen.getByTestId('auth-invite'), { target: { value: 'not valid!' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    expect((await screen.findByTestId('auth-error')).textContent).toContain('An invite code uses only');
    fireEvent.change(screen.getByTestId('auth-invite'), { target: { value: ' Abc_123-x ' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    await screen.findByText('Search all messages');
    expect(fake.calls.filter((c) => c.method === 'auth.register').at(-1)?.arg).toMatchObject({ userId: 'dora', inviteCode: 'Abc_123-x' });
  });

  it('shows a translated error when signing in fails', async () => {
    installBrowserShims();
    const fake = createFakeApi({ session: { state: 'signed-out' } });
    fake.failNext('auth.login', 'UNAUTHENTICATED');
    render(<App api={fake.api} i18n={createI18n('en')} />);
    fireEvent.change(await screen.findByTestId('auth-user'), { target: { value: 'alice' } });
    fireEvent.change(screen.getByTestId('auth-password'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    expect((await screen.findByTestId('auth-error')).textContent).toBe('Wrong user ID or password, or your session has ended.');
  });
});
