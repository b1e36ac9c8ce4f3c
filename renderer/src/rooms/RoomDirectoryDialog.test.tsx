// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { createFakeApi } from '../testing/fake-api';
import type { FakeRoomSpec } from '../testing/fake-rooms';
import { renderWithModel } from '../testing/render';
import { RoomDirectoryDialog } from './RoomDirectoryDialog';

const ROOMS: FakeRoomSpec[] = [
  { roomId: 'quiet', name: 'Quiet corner', online: 2 },
  { roomId: 'lobby', name: 'Lobby', online: 40 },
  { roomId: 'music', name: 'Music', online: 7 },
];

function setup(rooms: FakeRoomSpec[] = ROOMS) {
  const onJoined = vi.fn();
  const onClose = vi.fn();
  const result = renderWithModel(<RoomDirectoryDialog onClose={onClose} onJoined={onJoined} />, { rooms });
  return { ...result, onJoined, onClose };
}

const rowIds = () => within(screen.getByTestId('rooms-list')).getAllByRole('listitem').map((li) => li.getAttribute('data-testid'));

describe('RoomDirectoryDialog', () => {
  it('lists the rooms most online first, with their counts', async () => {
    setup();
    await waitFor(() => expect(rowIds()).toEqual(['room-lobby', 'room-music', 'room-quiet']));
    expect(screen.getByTestId('room-lobby').textContent).toContain('Lobby');
    expect(screen.getByTestId('room-online-lobby').textContent).toBe('40 online');
    expect(screen.getByTestId('room-online-quiet').textContent).toBe('2 online');
  });

  it('joins a room by its Join button or by clicking its row, and opens it', async () => {
    const { fake, onJoined } = setup();
    fireEvent.click(await screen.findByTestId('room-join-music'));
    await waitFor(() => expect(onJoined).toHaveBeenCalledWith('r:music'));
    expect(fake.calls.filter((c) => c.method === 'room.join').map((c) => c.arg)).toEqual([{ roomId: 'music' }]);
    expect(fake.conversation('r:music')?.kind).toBe('room');

    fireEvent.click(screen.getByTestId('room-lobby'));
    await waitFor(() => expect(onJoined).toHaveBeenLastCalledWith('r:lobby'));
    // One room at a time: the previous one is gone.
    expect(fake.conversation('r:music')).toBeUndefined();
  });

  it('joins by ID, and says so when there is no such room', async () => {
    const { onJoined } = setup();
    await screen.findByTestId('room-lobby');
    fireEvent.change(screen.getByTestId('room-join-id'), { target: { value: 'nowhere' } });
    fireEvent.click(screen.getByTestId('room-join-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('No such room');
    expect(onJoined).not.toHaveBeenCalled();

    fireEvent.change(screen.getByTestId('room-join-id'), { target: { value: 'quiet' } });
    expect(screen.queryByRole('alert')).toBeNull();
    fireEvent.submit(screen.getByTestId('room-join-id').closest('form') as HTMLFormElement);
    await waitFor(() => expect(onJoined).toHaveBeenCalledWith('r:quiet'));
  });

  it('refuses an ID the server could not accept, without asking it', async () => {
    const { fake } = setup();
    await screen.findByTestId('room-lobby');
    fireEvent.change(screen.getByTestId('room-join-id'), { target: { value: 'no spaces' } });
    fireEvent.click(screen.getByTestId('room-join-submit'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/letters, digits/);
    expect(fake.calls.some((c) => c.method === 'room.join')).toBe(false);
  });

  it('shows an empty state, and the refresh button asks again', async () => {
    const { fake } = setup([]);
    expect((await screen.findByTestId('rooms-empty')).textContent).toContain('No chatrooms right now');
    const lists = () => fake.calls.filter((c) => c.method === 'rooms.list').length;
    await waitFor(() => expect((screen.getByTestId('rooms-refresh') as HTMLButtonElement).disabled).toBe(false));
    const before = lists();
    fireEvent.click(screen.getByTestId('rooms-refresh'));
    await waitFor(() => expect(lists()).toBe(before + 1));
  });

  it('explains when the list cannot be loaded, and tries again', async () => {
    const fake = createFakeApi({ rooms: ROOMS });
    fake.failNext('rooms.list', 'INTERNAL');
    renderWithModel(<RoomDirectoryDialog onClose={() => undefined} onJoined={() => undefined} />, { fake });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Couldn’t load the chatrooms.');
    fireEvent.click(within(alert).getByRole('button'));
    expect(await screen.findByTestId('room-lobby')).toBeTruthy();
  });
});
