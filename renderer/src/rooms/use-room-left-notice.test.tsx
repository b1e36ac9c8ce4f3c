// @vitest-environment jsdom
import { act, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useModel } from '../app/model-context';
import { renderWithModel } from '../testing/render';
import { useRoomLeftNotice } from './use-room-left-notice';

function Probe() {
  useRoomLeftNotice(useModel());
  return null;
}

const infoTexts = (toasts: ReturnType<ReturnType<typeof renderWithModel>['model']['toasts']['get']>) => toasts.flatMap((t) => (t.kind === 'info' ? [t.text] : []));

describe('useRoomLeftNotice', () => {
  it('tells why the user is out of a chatroom, once per event', async () => {
    const { fake, model } = renderWithModel(<Probe />);
    act(() => fake.emit('room:left', { roomId: 'lobby', convId: 'r:lobby', reason: 'idle' }));
    await waitFor(() => expect(infoTexts(model.toasts.get())).toEqual(['The room closed after an hour without activity']));
    act(() => fake.emit('room:left', { roomId: 'lobby', convId: 'r:lobby', reason: 'switched' }));
    await waitFor(() => expect(infoTexts(model.toasts.get())).toEqual(['The room closed after an hour without activity', 'You joined another room on another device']));
    act(() => fake.emit('room:left', { roomId: 'news', convId: 'r:news', reason: 'deleted' }));
    await waitFor(() => expect(infoTexts(model.toasts.get())).toHaveLength(3));
    expect(infoTexts(model.toasts.get())[2]).toBe('The room was closed');
  });
});
