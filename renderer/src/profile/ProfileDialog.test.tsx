// @vitest-environment jsdom
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { renderWithModel } from '../testing/render';
import { ProfileDialog } from './ProfileDialog';

// jsdom decodes no image: the size the browser would measure stands in (the e2e spec decodes real ones).
vi.mock('./image-size', () => ({ measureImage: async () => ({ width: 400, height: 200 }) }));

const session = { state: 'signed-in' as const, userId: 'me', name: 'Me', serverUrl: 'http://127.0.0.1:8080' };
const self = { userId: 'me', name: 'Mei Lin', online: true, lastSeen: 0, status: 'on holiday' };

beforeEach(() => {
  let n = 0;
  URL.createObjectURL = () => `blob:test/${++n}`;
  URL.revokeObjectURL = () => undefined;
});

function open(options: Parameters<typeof renderWithModel>[1] = {}) {
  const onClose = vi.fn();
  const onOpenSettings = vi.fn();
  const rendered = renderWithModel(<ProfileDialog session={session} onClose={onClose} onOpenSettings={onOpenSettings} />, { session, users: [self], ...options });
  return { ...rendered, onClose, onOpenSettings };
}

describe('ProfileDialog', () => {
  it('starts from the profile main has and saves only what changed, trimmed', async () => {
    const { fake, model, onClose } = open();
    await waitFor(() => expect((screen.getByTestId('profile-name') as HTMLInputElement).value).toBe('Mei Lin'));
    expect((screen.getByTestId('profile-status') as HTMLInputElement).value).toBe('on holiday');
    fireEvent.change(screen.getByTestId('profile-status'), { target: { value: '  back on Monday ' } });
    fireEvent.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(fake.calls.find((c) => c.method === 'profile.update')?.arg).toEqual({ status: 'back on Monday' });
    expect(model.profile.get()).toMatchObject({ name: 'Mei Lin', status: 'back on Monday' });
  });

  it('refuses an empty name and one too long, in the user’s language', async () => {
    const { fake } = open({ language: 'zh-CN' });
    await waitFor(() => expect((screen.getByTestId('profile-name') as HTMLInputElement).value).toBe('Mei Lin'));
    fireEvent.change(screen.getByTestId('profile-name'), { target: { value: '   ' } });
    fireEvent.click(screen.getByTestId('profile-save'));
    expect((await screen.findByTestId('profile-error')).textContent).toBe('请输入昵称。');
    fireEvent.change(screen.getByTestId('profile-name'), { target: { value: '名'.repeat(65) } });
    fireEvent.click(screen.getByTestId('profile-save'));
    await waitFor(() => expect(screen.getByTestId('profile-error').textContent).toBe('昵称最多 64 个字符。'));
    expect(fake.calls.some((c) => c.method === 'profile.update')).toBe(false);
  });

  it('says why a save failed and keeps the dialog open', async () => {
    const { fake, onClose } = open();
    await waitFor(() => expect((screen.getByTestId('profile-name') as HTMLInputElement).value).toBe('Mei Lin'));
    fake.failNext('profile.update', 'OFFLINE');
    fireEvent.change(screen.getByTestId('profile-name'), { target: { value: 'Mei' } });
    fireEvent.click(screen.getByTestId('profile-save'));
    expect((await screen.findByTestId('profile-error')).textContent).toContain('Your profile could not be saved.');
    expect(onClose).not.toHaveBeenCalled();
  });

  it('crops a picked image to the centred square by default and uploads it with the crop', async () => {
    const { fake, model } = open();
    const file = new File([new Uint8Array([137, 80, 78, 71, 1, 2, 3])], 'me.png', { type: 'image/png' });
    fireEvent.change(screen.getByTestId('profile-photo-input'), { target: { files: [file] } });
    await screen.findByTestId('avatar-cropper');
    fireEvent.click(screen.getByTestId('avatar-use'));
    await waitFor(() => expect(screen.queryByTestId('avatar-cropper')).toBeNull());
    const arg = fake.calls.find((c) => c.method === 'profile.setAvatar')?.arg as { data: Uint8Array; mime: string; crop: unknown };
    expect(arg.mime).toBe('image/png');
    expect([...arg.data]).toEqual([137, 80, 78, 71, 1, 2, 3]);
    expect(arg.crop).toEqual({ x: 100, y: 0, size: 200 });
    expect(model.profile.get()?.avatar).toBe('/v1/avatars/fake-1');
    expect(await screen.findByTestId('profile-remove-photo')).toBeTruthy();
  });

  it('moves the square with the arrow keys', async () => {
    const { fake } = open();
    const file = new File([new Uint8Array([1])], 'me.webp', { type: 'image/webp' });
    fireEvent.change(screen.getByTestId('profile-photo-input'), { target: { files: [file] } });
    const frame = await screen.findByTestId('avatar-crop-frame');
    for (let i = 0; i < 100; i++) fireEvent.keyDown(frame, { key: 'ArrowRight' });
    fireEvent.click(screen.getByTestId('avatar-use'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'profile.setAvatar')).toBe(true));
    expect((fake.calls.find((c) => c.method === 'profile.setAvatar')?.arg as { crop: unknown }).crop).toEqual({ x: 200, y: 0, size: 200 });
  });

  it('turns away a file that is not an image or is too large, before sending anything', async () => {
    const { fake } = open();
    fireEvent.change(screen.getByTestId('profile-photo-input'), { target: { files: [new File(['hi'], 'notes.txt', { type: 'text/plain' })] } });
    expect((await screen.findByTestId('profile-photo-error')).textContent).toContain('not an image');
    const big = new File([new Uint8Array(1)], 'big.png', { type: 'image/png' });
    Object.defineProperty(big, 'size', { value: 10 * 1024 * 1024 + 1 });
    fireEvent.change(screen.getByTestId('profile-photo-input'), { target: { files: [big] } });
    await waitFor(() => expect(screen.getByTestId('profile-photo-error').textContent).toContain('larger than'));
    expect(fake.calls.some((c) => c.method === 'profile.setAvatar')).toBe(false);
  });

  it('takes a dropped image too, and removes the photo', async () => {
    const { fake, model } = open({ users: [{ ...self, avatar: '/v1/avatars/old' }], avatars: { '/v1/avatars/old': { bytes: new Uint8Array([1]), mime: 'image/png' } } });
    fireEvent.drop(screen.getByTestId('profile-drop'), { dataTransfer: { files: [new File([new Uint8Array([1])], 'd.gif', { type: 'image/gif' })] } });
    await screen.findByTestId('avatar-cropper');
    fireEvent.click(screen.getByText('Cancel'));
    fireEvent.click(await screen.findByTestId('profile-remove-photo'));
    await waitFor(() => expect(model.profile.get()?.avatar).toBeUndefined());
    expect(fake.calls.some((c) => c.method === 'profile.removeAvatar')).toBe(true);
  });

  it('leads to the password and the devices in the settings', async () => {
    const { onOpenSettings } = open();
    fireEvent.click(screen.getByTestId('profile-open-password'));
    fireEvent.click(screen.getByTestId('profile-open-devices'));
    expect(onOpenSettings.mock.calls).toEqual([['password'], ['devices']]);
  });
});
