// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { DeviceView } from '../../../preload/api-types';
import { createFakeApi } from '../testing/fake-api';
import { renderWithModel } from '../testing/render';
import { SettingsDialog } from './SettingsDialog';
import { deviceLabel } from './device-label';
import { passwordProblem } from './password-check';

const NOW = Date.UTC(2026, 11, 3, 12, 0);
const DEVICES: DeviceView[] = [
  { deviceId: 'laptop', platform: 'darwin', app: 'parley-desktop/1.2.0', lastSeen: NOW, createdAt: NOW - 86_400_000, current: true },
  { deviceId: 'office', platform: 'win32', app: 'parley-desktop/1.1.0', lastSeen: NOW - 3_600_000, createdAt: NOW - 7 * 86_400_000, current: false },
  { deviceId: 'old-pc', platform: 'linux', app: 'parley-desktop/1.0.0', lastSeen: NOW - 30 * 86_400_000, createdAt: NOW - 40 * 86_400_000, current: false },
];
const SESSION = { state: 'signed-in' as const, userId: 'me', name: 'Me', serverUrl: 'http://127.0.0.1:8080' };

function setup(language: 'en' | 'zh-CN' = 'en') {
  return renderWithModel(<SettingsDialog session={SESSION} onClose={vi.fn()} />, { devices: DEVICES, language });
}

const rows = () => within(screen.getByTestId('devices-list')).getAllByRole('listitem').map((li) => li.getAttribute('data-testid'));

describe('Settings: devices', () => {
  it('lists the account’s devices, this one marked, the others with their last-seen time', async () => {
    setup();
    await waitFor(() => expect(rows()).toEqual(['device-laptop', 'device-office', 'device-old-pc']));
    expect(screen.getByTestId('device-seen-laptop').textContent).toBe('This device');
    expect(screen.getByTestId('device-seen-office').textContent).toMatch(/^Last seen .*2026/);
    expect(screen.getByTestId('device-laptop').textContent).toContain('macOS · parley-desktop/1.2.0');
    expect(screen.queryByTestId('device-sign-out-laptop')).toBeNull();
  });

  it('signs out one other device after a confirmation, and lists what is left', async () => {
    const { fake } = setup();
    fireEvent.click(await screen.findByTestId('device-sign-out-office'));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('Windows · parley-desktop/1.1.0');
    fireEvent.click(screen.getByTestId('confirm-cancel'));
    expect(fake.calls.some((c) => c.method === 'devices.revoke')).toBe(false);

    fireEvent.click(screen.getByTestId('device-sign-out-office'));
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(rows()).toEqual(['device-laptop', 'device-old-pc']));
    expect(fake.calls.filter((c) => c.method === 'devices.revoke').map((c) => c.arg)).toEqual([{ deviceId: 'office' }]);
  });

  it('signs out every other device after a confirmation', async () => {
    const { fake } = setup('zh-CN');
    fireEvent.click(await screen.findByTestId('devices-sign-out-others'));
    expect(screen.getByTestId('confirm-dialog').textContent).toContain('退出其他所有设备');
    fireEvent.click(screen.getByTestId('confirm-ok'));
    await waitFor(() => expect(rows()).toEqual(['device-laptop']));
    expect(fake.calls.filter((c) => c.method === 'devices.revokeOthers')).toHaveLength(1);
    expect(screen.queryByTestId('devices-sign-out-others')).toBeNull();
    expect(screen.getByTestId('device-seen-laptop').textContent).toBe('本机');
  });

  it('says why the list is missing when the server cannot be reached', async () => {
    const fake = createFakeApi({ devices: DEVICES });
    fake.failNext('devices.list', 'OFFLINE');
    renderWithModel(<SettingsDialog session={SESSION} onClose={vi.fn()} />, { fake });
    expect((await screen.findByTestId('devices-problem')).textContent).toBe('You’re offline. Try again when the connection is back.');
  });
});

describe('Settings: password', () => {
  const fill = (oldPassword: string, next: string, again: string) => {
    fireEvent.change(screen.getByTestId('password-old'), { target: { value: oldPassword } });
    fireEvent.change(screen.getByTestId('password-new'), { target: { value: next } });
    fireEvent.change(screen.getByTestId('password-again'), { target: { value: again } });
    fireEvent.click(screen.getByTestId('password-submit'));
  };

  it('checks the new password before asking: too short, or the two differ', async () => {
    const { fake } = setup();
    fill('old password', 'short', 'short');
    expect((await screen.findByTestId('password-error')).textContent).toBe('The new password needs at least 8 characters.');
    fill('old password', 'a long new password', 'a long new passw0rd');
    expect(screen.getByTestId('password-error').textContent).toBe('The two new passwords don’t match.');
    expect(fake.calls.some((c) => c.method === 'auth.changePassword')).toBe(false);
  });

  it('changes it, and says the other devices were signed out', async () => {
    const { fake } = setup();
    await screen.findByTestId('devices-list');
    fill('old password', 'a long new password', 'a long new password');
    expect((await screen.findByTestId('password-done')).textContent).toBe('Password changed. Your other devices were signed out.');
    expect(fake.calls.filter((c) => c.method === 'auth.changePassword').map((c) => c.arg)).toEqual([{ oldPassword: 'old password', newPassword: 'a long new password' }]);
    expect((screen.getByTestId('password-old') as HTMLInputElement).value).toBe('');
    // The server signed the other devices out: the list shows it.
    await waitFor(() => expect(rows()).toEqual(['device-laptop']));
  });

  it('says so when the current password is wrong, in Chinese too', async () => {
    const { fake } = setup('zh-CN');
    fake.failNext('auth.changePassword', 'FORBIDDEN');
    fill('wrong', 'a long new password', 'a long new password');
    expect((await screen.findByTestId('password-error')).textContent).toBe('当前密码不正确。');
    expect(screen.queryByTestId('password-done')).toBeNull();
  });
});

describe('device labels and password checks', () => {
  it('name the platform as people know it, and fall back to the device id', () => {
    expect(deviceLabel({ deviceId: 'd', platform: 'linux', app: 'parley-desktop/1' })).toBe('Linux · parley-desktop/1');
    expect(deviceLabel({ deviceId: 'd', platform: 'freebsd', app: '' })).toBe('freebsd');
    expect(deviceLabel({ deviceId: 'phone-1', platform: '', app: ' ' })).toBe('phone-1');
  });

  it('find the first problem of a password change', () => {
    expect(passwordProblem('', 'long enough', 'long enough')).toBe('passwordMissing');
    expect(passwordProblem('x', '1234567', '1234567')).toBe('passwordTooShort');
    expect(passwordProblem('x', '12345678', '12345679')).toBe('passwordMismatch');
    expect(passwordProblem('x', '12345678', '12345678')).toBeNull();
  });
});
