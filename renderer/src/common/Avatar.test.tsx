// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { initials } from '../lib/avatar-color';
import { AvatarImages } from '../lib/avatar-images';
import { Sidebar } from '../sidebar/Sidebar';
import { createFakeApi } from '../testing/fake-api';
import { renderWithModel } from '../testing/render';
import { Avatar } from './Avatar';
import { UserAvatar } from './UserAvatar';

const png = { bytes: new Uint8Array([137, 80, 78, 71]), mime: 'image/png' };
let made: string[] = [];
let revoked: string[] = [];

beforeEach(() => {
  made = [];
  revoked = [];
  URL.createObjectURL = () => {
    const url = `blob:test/${made.length + 1}`;
    made.push(url);
    return url;
  };
  URL.revokeObjectURL = (url: string) => void revoked.push(url);
});

describe('initials', () => {
  it('are two letters of a Latin name and one character of a CJK name', () => {
    expect(initials('Ada Wong')).toBe('AW');
    expect(initials('王小明')).toBe('王');
    expect(initials('ada')).toBe('A');
  });

  it('follow the session to the name the server has after signing in again', async () => {
    const noop = () => undefined;
    const session = { state: 'signed-in' as const, userId: 'ada', name: 'ada', serverUrl: 'http://127.0.0.1:8080' };
    const { fake, model } = renderWithModel(
      <Sidebar session={session} activeId={null} onSearch={noop} onNewChat={noop} onNewGroup={noop} onRooms={noop} onSettings={noop} onProfile={noop} />,
      { session, users: [{ userId: 'ada', name: 'Ada Wong', online: true, lastSeen: 0 }] },
    );
    await waitFor(() => expect(model.session.get()).not.toBeNull());
    // Main learns the name once connected, and says so (as it does after auth.login).
    act(() => fake.emit('session:changed', { ...session, name: 'Ada Wong' }));
    await waitFor(() => expect(screen.getByTestId('me-menu').textContent).toBe('AW'));
    expect(model.session.get()?.name).toBe('Ada Wong');
  });
});

describe('Avatar', () => {
  it('shows the initials while the image loads, then the image from a blob: URL of the list size', async () => {
    const { fake } = renderWithModel(<Avatar id="bob" name="Bob Li" avatar="/v1/avatars/b1" size="sm" />, { avatars: { '/v1/avatars/b1': png } });
    expect(document.querySelector('.avatar-text')?.textContent).toBe('BL');
    await waitFor(() => expect(document.querySelector('img.avatar-image')?.getAttribute('src')).toBe('blob:test/1'));
    expect(document.querySelector('.avatar-text')).toBeNull();
    expect(fake.calls.filter((c) => c.method === 'avatars.read').map((c) => c.arg)).toEqual([{ avatar: '/v1/avatars/b1', size: 'list' }]);
  });

  it('asks for the profile size when shown large', async () => {
    const { fake } = renderWithModel(<Avatar id="bob" name="Bob" avatar="/v1/avatars/b1" size="xl" />, { avatars: { '/v1/avatars/b1': png } });
    await waitFor(() => expect(document.querySelector('img.avatar-image')).toBeTruthy());
    expect(fake.calls.find((c) => c.method === 'avatars.read')?.arg).toEqual({ avatar: '/v1/avatars/b1', size: 'profile' });
  });

  it('keeps the initials when the image cannot be read, or does not decode', async () => {
    const { fake } = renderWithModel(
      <>
        <Avatar id="x" name="Xu Ming" avatar="/v1/avatars/missing" />
        <Avatar id="y" name="Yan Li" avatar="/v1/avatars/broken" />
      </>,
      { avatars: { '/v1/avatars/broken': png } },
    );
    await waitFor(() => expect(fake.calls.filter((c) => c.method === 'avatars.read')).toHaveLength(2));
    const img = await waitFor(() => {
      const found = document.querySelector('img.avatar-image');
      if (!found) throw new Error('no image yet');
      return found;
    });
    fireEvent.error(img);
    await waitFor(() => expect(document.querySelector('img.avatar-image')).toBeNull());
    expect([...document.querySelectorAll('.avatar-text')].map((e) => e.textContent)).toEqual(['XM', 'YL']);
  });

  it('shows a user’s avatar and follows it when their profile changes', async () => {
    const { fake, model } = renderWithModel(<UserAvatar userId="bob" name="Bob" />, {
      users: [{ userId: 'bob', name: 'Bob', online: false, lastSeen: 0 }],
      avatars: { '/v1/avatars/new': png },
    });
    await waitFor(() => expect(model.session.get()).not.toBeNull());
    expect(document.querySelector('img')).toBeNull();
    act(() => fake.emit('users:changed', { users: [{ userId: 'bob', name: 'Bob', online: false, lastSeen: 0, avatar: '/v1/avatars/new' }] }));
    await waitFor(() => expect(document.querySelector('img.avatar-image')).toBeTruthy());
  });
});

describe('AvatarImages', () => {
  it('makes one URL per avatar and size, and revokes it once unused beyond what it keeps', async () => {
    const fake = createFakeApi({ avatars: { a: png, b: png } });
    const images = new AvatarImages(fake.api, 1);
    const one = images.acquire('a', 'list');
    const two = images.acquire('a', 'list');
    expect(await one.url).toBe(await two.url);
    expect(fake.calls.filter((c) => c.method === 'avatars.read')).toHaveLength(1);
    one.release();
    two.release();
    expect(revoked).toEqual([]); // idle, kept
    const other = images.acquire('b', 'list');
    await other.url;
    other.release(); // two idle now, one kept: the older goes
    await waitFor(() => expect(revoked).toEqual(['blob:test/1']));
    expect(images.size).toBe(1);
    images.clear();
    await waitFor(() => expect(revoked).toEqual(['blob:test/1', 'blob:test/2']));
  });

  it('asks again after a failure that may pass (offline), not after a refusal (no such avatar)', async () => {
    const fake = createFakeApi({ avatars: { a: png } });
    const images = new AvatarImages(fake.api);
    fake.failNext('avatars.read', 'OFFLINE');
    const first = images.acquire('a', 'list');
    await expect(first.url).rejects.toMatchObject({ code: 'OFFLINE' });
    first.release();
    expect(await images.acquire('a', 'list').url).toMatch(/^blob:/);

    const gone = images.acquire('gone', 'list');
    await expect(gone.url).rejects.toMatchObject({ code: 'NOT_FOUND' });
    gone.release();
    await expect(images.acquire('gone', 'list').url).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fake.calls.filter((c) => c.method === 'avatars.read').map((c) => (c.arg as { avatar: string }).avatar)).toEqual(['a', 'a', 'gone']);
    images.clear();
    await expect(images.acquire('gone', 'list').url).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(fake.calls.filter((c) => c.method === 'avatars.read')).toHaveLength(4);
  });
});
