// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SessionView } from '../../../preload/api-types';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { Sidebar } from './Sidebar';

const session: SessionView = { state: 'signed-in', userId: 'me', name: 'Me', serverUrl: 'http://127.0.0.1:8080' };
const noop = () => undefined;
const preview = (from: string, text: string, ts: number, extra = {}) => ({ from, kind: 'text' as const, ts, text, recalled: false, status: 'sent' as const, ...extra });

const conversations = [
  conv('p:a|me', { title: 'Old friend', updatedAt: 100, lastMessage: preview('a', 'long ago', 100) }),
  conv('p:b|me', { title: 'Busy', updatedAt: 500, unread: 3, lastMessage: preview('b', 'three new', 500) }),
  conv('p:c|me', { title: 'Pinned', updatedAt: 50, pinned: true, lastMessage: preview('me', 'pinned chat', 50) }),
  conv('p:d|me', { title: 'Quiet', updatedAt: 300, muted: true, unread: 120, lastMessage: preview('d', 'muted chat', 300) }),
  conv('p:e|me', { title: 'Mention', updatedAt: 200, unread: 1, mentioned: true, lastMessage: preview('e', '@me look', 200) }),
  conv('p:f|me', { title: 'Drafty', updatedAt: 150, draft: 'half a thought', lastMessage: preview('f', 'question?', 150) }),
  conv('p:g|me', { title: 'Recaller', updatedAt: 120, lastMessage: preview('g', '', 120, { recalled: true }) }),
  conv('p:h|me', { title: 'Photographer', updatedAt: 110, lastMessage: preview('h', 'beach.jpg', 110, { kind: 'image' }) }),
];

function setup() {
  return renderWithModel(<Sidebar session={session} activeId={null} onSearch={noop} onNewChat={noop} onNewGroup={noop} onRooms={noop} onSettings={noop} onProfile={noop} />, { conversations });
}

const rows = () => screen.getAllByRole('listitem').map((li) => li.querySelector('button')?.getAttribute('data-testid'));
const rowOf = (convId: string) => screen.getByTestId(`conv-${convId}`);

describe('Sidebar conversation list', () => {
  it('sorts pinned first, then by last activity', async () => {
    setup();
    await waitFor(() => expect(rows()).toHaveLength(conversations.length));
    expect(rows()).toEqual(['conv-p:c|me', 'conv-p:b|me', 'conv-p:d|me', 'conv-p:e|me', 'conv-p:f|me', 'conv-p:g|me', 'conv-p:h|me', 'conv-p:a|me']);
  });

  it('shows unread badges (capped, grey when muted), the muted icon, mention and draft markers', async () => {
    setup();
    await screen.findByTestId('conv-p:b|me');
    expect(within(rowOf('p:b|me')).getByTestId('unread-badge').textContent).toContain('3');
    const quiet = within(rowOf('p:d|me')).getByTestId('unread-badge');
    expect(quiet.textContent).toContain('99+');
    expect(quiet.className).toContain('badge-muted');
    expect(within(rowOf('p:d|me')).getByText('Muted')).toBeTruthy();
    expect(within(rowOf('p:a|me')).queryByTestId('unread-badge')).toBeNull();
    expect(within(rowOf('p:e|me')).getByTestId('conv-marker-mention').textContent).toContain('[@me]');
    const draft = within(rowOf('p:f|me')).getByTestId('conv-marker-draft');
    expect(draft.textContent).toBe('[Draft]');
    expect(within(rowOf('p:f|me')).getByTestId('conv-preview').textContent).toContain('half a thought');
    expect(within(rowOf('p:g|me')).getByTestId('conv-preview').textContent).toBe('Recaller recalled a message');
    expect(within(rowOf('p:h|me')).getByTestId('conv-preview').textContent).toBe('[Image] beach.jpg');
  });

  it('filters by kind, offering only the kinds present', async () => {
    setup();
    await screen.findByTestId('conv-p:b|me');
    expect(screen.getByTestId('filter-all')).toBeTruthy();
    expect(screen.getByTestId('filter-private')).toBeTruthy();
    expect(screen.queryByTestId('filter-group')).toBeNull();
    expect(screen.queryByTestId('filter-room')).toBeNull();
  });

  it('pins and mutes from the context menu, opened with the keyboard', async () => {
    const { fake } = setup();
    const row = await screen.findByTestId('conv-p:a|me');
    fireEvent.keyDown(row, { key: 'F10', shiftKey: true });
    fireEvent.click(await screen.findByTestId('menu-pin'));
    await waitFor(() => expect(fake.calls.find((c) => c.method === 'conversation.update')?.arg).toEqual({ convId: 'p:a|me', pinned: true }));
    await waitFor(() => expect(rows()[0]).toBe('conv-p:a|me'));
    fireEvent.contextMenu(rowOf('p:b|me'));
    fireEvent.click(await screen.findByTestId('menu-mute'));
    await waitFor(() => expect(rowOf('p:b|me').dataset.muted).toBe('true'));
  });

  it('moves between rows with the arrow keys', async () => {
    setup();
    const first = await screen.findByTestId('conv-p:c|me');
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(rowOf('p:b|me'));
    fireEvent.keyDown(document.activeElement as Element, { key: 'End' });
    expect(document.activeElement).toBe(rowOf('p:a|me'));
  });
});
