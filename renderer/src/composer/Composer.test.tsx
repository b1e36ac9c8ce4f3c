// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { Composer, DRAFT_DEBOUNCE_MS } from './Composer';

const A = 'p:me|alice';
const B = 'p:bob|me';
const noop = () => undefined;

function Harness({ initial = A }: { initial?: string }) {
  const [convId, setConvId] = useState(initial);
  return (
    <>
      <button type="button" onClick={() => setConvId(convId === A ? B : A)}>
        switch
      </button>
      <Composer key={convId} convId={convId} reply={null} edit={null} offline={false} nameOf={(id) => id} onCancelReply={noop} onCancelEdit={noop} onSent={noop} onEditLast={noop} />
    </>
  );
}

const input = () => screen.getByTestId('composer-input') as HTMLTextAreaElement;
const sends = (calls: Array<{ method: string; arg: unknown }>) => calls.filter((c) => c.method === 'messages.send');

describe('Composer', () => {
  it('sends on Enter and clears the box', async () => {
    const { fake } = renderWithModel(<Harness />, { conversations: [conv(A), conv(B)] });
    fireEvent.change(input(), { target: { value: 'hello there' } });
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(sends(fake.calls)).toHaveLength(1));
    expect(sends(fake.calls)[0]?.arg).toMatchObject({ convId: A, kind: 'text', body: { text: 'hello there' } });
    expect(input().value).toBe('');
  });

  it('leaves Shift+Enter to the textarea (a new line) and does not send', () => {
    const { fake } = renderWithModel(<Harness />, { conversations: [conv(A)] });
    fireEvent.change(input(), { target: { value: 'line one' } });
    const notPrevented = fireEvent.keyDown(input(), { key: 'Enter', shiftKey: true });
    expect(notPrevented).toBe(true);
    expect(sends(fake.calls)).toHaveLength(0);
  });

  it('does not send while an IME is composing', () => {
    const { fake } = renderWithModel(<Harness />, { conversations: [conv(A)] });
    fireEvent.change(input(), { target: { value: 'nihao' } });
    fireEvent.keyDown(input(), { key: 'Enter', isComposing: true });
    fireEvent.keyDown(input(), { key: 'Enter', keyCode: 229 });
    expect(sends(fake.calls)).toHaveLength(0);
    expect(input().value).toBe('nihao');
  });

  it('does not send blank text', () => {
    const { fake } = renderWithModel(<Harness />, { conversations: [conv(A)] });
    fireEvent.change(input(), { target: { value: '   \n ' } });
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(sends(fake.calls)).toHaveLength(0);
    expect((screen.getByTestId('composer-send') as HTMLButtonElement).disabled).toBe(true);
  });

  it('keeps a draft per conversation, and saves it in main debounced', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { fake } = renderWithModel(<Harness />, { conversations: [conv(A), conv(B)] });
      fireEvent.change(input(), { target: { value: 'for alice' } });
      fireEvent.change(input(), { target: { value: 'for alice, later' } });
      expect(fake.calls.filter((c) => c.method === 'conversation.setDraft')).toHaveLength(0);
      act(() => void vi.advanceTimersByTime(DRAFT_DEBOUNCE_MS + 10));
      expect(fake.calls.filter((c) => c.method === 'conversation.setDraft').map((c) => c.arg)).toEqual([{ convId: A, text: 'for alice, later' }]);

      fireEvent.change(input(), { target: { value: 'for alice, final' } });
      fireEvent.click(screen.getByText('switch'));
      // Leaving the conversation saves at once.
      expect(fake.calls.filter((c) => c.method === 'conversation.setDraft').at(-1)?.arg).toEqual({ convId: A, text: 'for alice, final' });
      expect(input().value).toBe('');
      fireEvent.change(input(), { target: { value: 'for bob' } });
      fireEvent.click(screen.getByText('switch'));
      expect(input().value).toBe('for alice, final');
      fireEvent.click(screen.getByText('switch'));
      expect(input().value).toBe('for bob');
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts from the draft main kept', () => {
    renderWithModel(<Harness />, { conversations: [conv(A, { draft: 'from last time' })] });
    return waitFor(() => expect(input().value).toBe('from last time'));
  });

  it('gives the text back and explains when main refuses the message', async () => {
    const { fake } = renderWithModel(<Harness />, { conversations: [conv(A)] });
    fake.failNext('messages.send', 'CONTENT_REJECTED');
    fireEvent.change(input(), { target: { value: 'oops' } });
    fireEvent.keyDown(input(), { key: 'Enter' });
    await waitFor(() => expect(input().value).toBe('oops'));
  });

  it('holds the text to the server’s maxTextChars, and follows it when the server announces another', async () => {
    const { fake } = renderWithModel(<Harness />, { conversations: [conv(A)], limits: { maxTextChars: 10 } });
    const send = () => screen.getByTestId('composer-send') as HTMLButtonElement;
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'server.limits')).toBe(true));
    fireEvent.change(input(), { target: { value: '😀'.repeat(10) } });
    await waitFor(() => expect(send().disabled).toBe(false));
    expect(screen.queryByTestId('composer-limit')).toBeNull();
    fireEvent.change(input(), { target: { value: '😀'.repeat(11) } });
    await waitFor(() => expect(screen.getByTestId('composer-limit').textContent).toBe('11 / 10'));
    expect(send().disabled).toBe(true);
    fireEvent.keyDown(input(), { key: 'Enter' });
    expect(sends(fake.calls)).toHaveLength(0);

    act(() => fake.setLimits({ maxTextChars: 20 }));
    await waitFor(() => expect(screen.queryByTestId('composer-limit')).toBeNull());
    expect(send().disabled).toBe(false);
    fireEvent.change(input(), { target: { value: 'x'.repeat(21) } });
    expect(screen.getByTestId('composer-limit').textContent).toBe('21 / 20');
  });
});
