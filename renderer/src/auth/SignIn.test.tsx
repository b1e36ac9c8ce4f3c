// @vitest-environment jsdom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../app/App';
import { createI18n } from '../i18n/setup';
import { createFakeApi } from '../testing/fake-api';
import { installBrowserShims } from '../testing/render';

function signedOut(language: 'en' | 'zh-CN' = 'en') {
  installBrowserShims();
  const fake = createFakeApi({
    session: { state: 'signed-out' },
    settings: { language, theme: 'light', notifications: { enabled: true, sound: false, preview: true } },
  });
  render(<App api={fake.api} i18n={createI18n(language)} />);
  const sent = () => fake.calls.filter((c) => c.method === 'auth.login' || c.method === 'auth.register');
  return { fake, sent };
}

async function fill(server: string, password = 'secret-password') {
  fireEvent.change(await screen.findByTestId('auth-server'), { target: { value: server } });
  fireEvent.change(screen.getByTestId('auth-user'), { target: { value: 'alice' } });
  fireEvent.change(screen.getByTestId('auth-password'), { target: { value: password } });
}

describe('signing in to a server without encryption', () => {
  it('warns under a plain http:// address of another computer, and sends the password only once the user agrees', async () => {
    const { sent } = signedOut();
    await fill('http://chat.example.com:8080');
    expect(screen.getByTestId('auth-cleartext-warning').textContent).toContain('Not encrypted');

    fireEvent.click(screen.getByTestId('auth-submit'));
    const confirm = await screen.findByTestId('auth-cleartext-confirm');
    expect(confirm.getAttribute('role')).toBe('alertdialog');
    expect(confirm.textContent).toContain('Your password would be sent in clear');
    expect((screen.getByTestId('auth-submit') as HTMLButtonElement).disabled).toBe(true);
    expect(sent()).toEqual([]);

    // Cancel sends nothing; asking again asks again.
    fireEvent.click(screen.getByTestId('auth-cleartext-cancel'));
    expect(screen.queryByTestId('auth-cleartext-confirm')).toBeNull();
    expect(sent()).toEqual([]);
    fireEvent.click(screen.getByTestId('auth-submit'));
    fireEvent.click(await screen.findByTestId('auth-cleartext-continue'));
    await screen.findByText('Search all messages');
    expect(sent()).toHaveLength(1);
    expect(sent()[0]?.arg).toMatchObject({ serverUrl: 'http://chat.example.com:8080', userId: 'alice', password: 'secret-password' });
  });

  it('asks again when the address changes after the user agreed to another', async () => {
    const { fake, sent } = signedOut();
    fake.failNext('auth.login', 'UNAUTHENTICATED');
    await fill('http://192.168.1.20:8080');
    fireEvent.click(screen.getByTestId('auth-submit'));
    fireEvent.click(await screen.findByTestId('auth-cleartext-continue'));
    await screen.findByTestId('auth-error');
    expect(sent()).toHaveLength(1);

    fireEvent.change(screen.getByTestId('auth-server'), { target: { value: 'http://127.0.0.1.nip.io:8080' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    await screen.findByTestId('auth-cleartext-confirm');
    expect(sent()).toHaveLength(1);
  });

  it('asks before creating an account too', async () => {
    const { sent } = signedOut();
    fireEvent.click(await screen.findByTestId('auth-mode-register'));
    await fill('http://chat.example.com');
    fireEvent.change(screen.getByTestId('auth-name'), { target: { value: 'Alice' } });
    fireEvent.click(screen.getByTestId('auth-submit'));
    await screen.findByTestId('auth-cleartext-confirm');
    expect(sent()).toEqual([]);
    fireEvent.click(screen.getByTestId('auth-cleartext-continue'));
    await waitFor(() => expect(sent().map((c) => c.method)).toEqual(['auth.register']));
  });

  it('neither warns nor asks for https or for this computer (localhost, 127.0.0.0/8, ::1)', async () => {
    for (const server of ['https://chat.example.com', 'http://127.0.0.1:8080', 'http://localhost:8080', 'http://127.3.4.5', 'http://[::1]:8080']) {
      const { sent } = signedOut();
      await fill(server);
      expect(screen.queryByTestId('auth-cleartext-warning'), server).toBeNull();
      fireEvent.click(screen.getByTestId('auth-submit'));
      await screen.findByText('Search all messages');
      expect(screen.queryByTestId('auth-cleartext-confirm')).toBeNull();
      expect(sent()[0]?.arg, server).toMatchObject({ serverUrl: server });
      document.body.innerHTML = '';
    }
  });

  it('says it in Chinese', async () => {
    signedOut('zh-CN');
    await fill('http://chat.example.com');
    expect(screen.getByTestId('auth-cleartext-warning').textContent).toContain('未加密');
    fireEvent.click(screen.getByTestId('auth-submit'));
    expect((await screen.findByTestId('auth-cleartext-confirm')).textContent).toContain('以明文发送');
    expect(screen.getByTestId('auth-cleartext-continue').textContent).toBe('仍然发送');
  });
});
