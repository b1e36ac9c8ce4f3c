// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { beforeAll, describe, expect, it } from 'vitest';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { InfoPanel } from './InfoPanel';

beforeAll(() => {
  URL.createObjectURL = () => 'blob:test/1';
  URL.revokeObjectURL = () => undefined;
});

describe('a private chat’s info', () => {
  it('shows the other person’s photo, large, and their status line', async () => {
    const peer = { userId: 'alice', name: 'Alice Chen', online: false, lastSeen: 0, avatar: '/v1/avatars/a1', status: '在上海出差' };
    const { fake } = renderWithModel(<InfoPanel conversation={conv('p:alice|me', { title: 'Alice Chen' })} peer={peer} peerId="alice" onClose={() => undefined} />, {
      avatars: { '/v1/avatars/a1': { bytes: new Uint8Array([1]), mime: 'image/webp' } },
    });
    expect(screen.getByTestId('info-status').textContent).toBe('在上海出差');
    await waitFor(() => expect(document.querySelector('.info-profile img.avatar-image')?.getAttribute('src')).toBe('blob:test/1'));
    expect(fake.calls.find((c) => c.method === 'avatars.read')?.arg).toEqual({ avatar: '/v1/avatars/a1', size: 'profile' });
  });

  it('shows no status line when there is none', () => {
    renderWithModel(<InfoPanel conversation={conv('p:bob|me', { title: 'Bob' })} peer={{ userId: 'bob', name: 'Bob', online: true, lastSeen: 0 }} peerId="bob" onClose={() => undefined} />);
    expect(screen.queryByTestId('info-status')).toBeNull();
    expect(document.querySelector('.info-profile .avatar-text')?.textContent).toBe('B');
  });
});
