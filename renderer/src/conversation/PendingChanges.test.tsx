// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { VirtuosoMockContext } from 'react-virtuoso';
import { describe, expect, it } from 'vitest';
import type { UiLanguage } from '../i18n/setup';
import { textMessage } from '../testing/fake-api';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { ConversationPane } from './ConversationPane';

const C = 'p:alice|me';

/** Edits and recalls stay pending until `deliver()` (the fake's connection coming back settles them). */
function setup(language: UiLanguage = 'en') {
  const now = Date.now();
  const conversation = conv(C, { title: 'Alice', lastSeq: 2, readSeq: 2, peerReadSeq: 2 });
  const result = renderWithModel(
    <VirtuosoMockContext.Provider value={{ viewportHeight: 2000, itemHeight: 40 }}>
      <ConversationPane conversation={conversation} target={{ convId: C, nonce: 1 }} selfId="me" onSearchHere={() => undefined} />
    </VirtuosoMockContext.Provider>,
    { language, conversations: [conversation], logs: { [C]: { messages: [textMessage(C, 1, 'alice', 'see you tomorrow?', now - 2000), textMessage(C, 2, 'me', 'tomorow works', now - 1000)] } }, changeDelayMs: null },
  );
  const deliver = () => act(() => result.fake.setConnection({ state: 'online', queued: 0 }));
  return { ...result, deliver };
}

const row = () => document.querySelector<HTMLElement>('[data-seq="2"]') as HTMLElement;

async function openMenu() {
  fireEvent.keyDown(row(), { key: 'F10', shiftKey: true });
  const menu = await screen.findByRole('menu');
  return { menu, labels: within(menu).getAllByRole('menuitem').map((b) => b.textContent) };
}

async function editTo(text: string) {
  const { menu } = await openMenu();
  fireEvent.click(within(menu).getByText('Edit'));
  const input = screen.getByTestId('composer-input');
  await waitFor(() => expect((input as HTMLTextAreaElement).value).toBe('tomorow works'));
  fireEvent.change(input, { target: { value: text } });
  fireEvent.keyDown(input, { key: 'Enter' });
}

describe('an edit on its way', () => {
  it('shows the new text marked "Editing…", offers no second edit or recall, then reads "edited"', async () => {
    const { fake, deliver } = setup();
    await waitFor(() => expect(row()).not.toBeNull());
    await editTo('tomorrow works');
    await waitFor(() => expect(row().dataset.change).toBe('edit-pending'));
    expect(row().textContent).toContain('tomorrow works');
    expect(within(row()).getByTestId('change-pending').textContent).toBe('Editing…');
    expect(within(row()).queryByText('edited')).toBeNull();
    expect(screen.queryByTestId('composer-editing')).toBeNull();
    expect(fake.calls.find((c) => c.method === 'messages.edit')?.arg).toEqual({ convId: C, seq: 2, text: 'tomorrow works' });

    const { labels } = await openMenu();
    expect(labels).toEqual(['Reply', 'Copy text']);
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    // ↑ in the empty composer does not open an edit of it either.
    fireEvent.keyDown(screen.getByTestId('composer-input'), { key: 'ArrowUp' });
    expect(screen.queryByTestId('composer-editing')).toBeNull();

    deliver();
    await waitFor(() => expect(row().dataset.change).toBeUndefined());
    expect(row().textContent).toContain('tomorrow works');
    expect(within(row()).getByText('edited')).toBeTruthy();
  });

  it('keeps edit mode and says why when the edit is refused before it is queued', async () => {
    const { fake, model } = setup();
    await waitFor(() => expect(row()).not.toBeNull());
    fake.failNext('messages.edit', 'BAD_REQUEST');
    await editTo('tomorrow works');
    await waitFor(() => expect(model.toasts.get().some((t) => t.kind === 'error')).toBe(true));
    expect(screen.getByTestId('composer-editing')).toBeTruthy();
    expect((screen.getByTestId('composer-input') as HTMLTextAreaElement).value).toBe('tomorrow works');
    expect(row().dataset.change).toBeUndefined();
  });

  it('when refused by the server shows the acknowledged text, why, and Retry and Discard', async () => {
    const { fake, deliver } = setup();
    await waitFor(() => expect(row()).not.toBeNull());
    fake.refuseNextChange('CONTENT_REJECTED', 'contains a banned word');
    await editTo('tomorrow works');
    await waitFor(() => expect(row().dataset.change).toBe('edit-pending'));
    deliver();
    await waitFor(() => expect(row().dataset.change).toBe('edit-failed'));
    expect(row().textContent).toContain('tomorow works');
    expect(row().textContent).not.toContain('tomorrow works');
    const failed = within(row()).getByTestId('change-failed');
    expect(failed.textContent).toContain('Edit not saved · The message was rejected by the server’s content rules. (contains a banned word)');

    const retry = await within(row()).findByRole('button', { name: 'Try saving the edit again' });
    retry.focus();
    expect(document.activeElement).toBe(retry);
    fireEvent.click(retry);
    const changeId = (fake.calls.find((c) => c.method === 'messages.retry')?.arg as { clientMsgId: string }).clientMsgId;
    expect(changeId).toMatch(/^change-/);
    await waitFor(() => expect(row().dataset.change).toBe('edit-pending'));
    expect(row().textContent).toContain('tomorrow works');
    deliver();
    await waitFor(() => expect(row().dataset.change).toBeUndefined());
    expect(row().textContent).toContain('tomorrow works');
  });

  it('discarded after a refusal, leaves the message as it was', async () => {
    const { fake, deliver } = setup();
    await waitFor(() => expect(row()).not.toBeNull());
    fake.refuseNextChange('INTERNAL');
    await editTo('tomorrow works');
    deliver();
    await waitFor(() => expect(row().dataset.change).toBe('edit-failed'));
    expect(within(row()).getByTestId('change-failed').textContent).toContain('Edit not saved · Something went wrong on the server. Try again.');
    fireEvent.click(await within(row()).findByRole('button', { name: 'Discard the edit and keep the message as it was' }));
    await waitFor(() => expect(row().dataset.change).toBeUndefined());
    expect(fake.calls.find((c) => c.method === 'messages.delete')?.arg).toEqual({ clientMsgId: expect.stringMatching(/^change-/) });
    expect(row().textContent).toContain('tomorow works');
    expect(within(row()).queryByText('edited')).toBeNull();
  });
});

describe('a recall on its way', () => {
  it('dims the message marked "Recalling…", then shows it recalled', async () => {
    const { deliver } = setup();
    await waitFor(() => expect(row()).not.toBeNull());
    const { menu } = await openMenu();
    fireEvent.click(within(menu).getByText('Recall'));
    await waitFor(() => expect(row().dataset.change).toBe('recall-pending'));
    expect(row().className).toContain('is-recalling');
    expect(within(row()).getByTestId('change-pending').textContent).toBe('Recalling…');
    expect((await openMenu()).labels).toEqual(['Reply', 'Copy text']);
    fireEvent.keyDown(screen.getByRole('menu'), { key: 'Escape' });
    deliver();
    await waitFor(() => expect(screen.getByText('You recalled a message')).toBeTruthy());
  });

  it('refused past the recall window, says so and can only be discarded', async () => {
    const { fake, deliver } = setup();
    await waitFor(() => expect(row()).not.toBeNull());
    fake.refuseNextChange('FORBIDDEN', 'recall window has passed');
    fireEvent.click(within((await openMenu()).menu).getByText('Recall'));
    deliver();
    await waitFor(() => expect(row().dataset.change).toBe('recall-failed'));
    const failed = within(row()).getByTestId('change-failed');
    expect(failed.textContent).toContain('Not recalled · Messages can be recalled only within 2 minutes.');
    expect(within(failed).queryByTestId('change-retry')).toBeNull();
    const discard = await within(row()).findByRole('button', { name: 'Cancel the recall and keep the message' });
    fireEvent.click(discard);
    await waitFor(() => expect(row().dataset.change).toBeUndefined());
    expect(row().textContent).toContain('tomorow works');
    expect(row().className).not.toContain('is-recalling');
  });

  it('reads in 简体中文', async () => {
    const { fake, deliver } = setup('zh-CN');
    await waitFor(() => expect(row()).not.toBeNull());
    fake.refuseNextChange('FORBIDDEN');
    fireEvent.click(within((await openMenu()).menu).getByText('撤回'));
    await waitFor(() => expect(within(row()).getByTestId('change-pending').textContent).toBe('正在撤回…'));
    deliver();
    await waitFor(() => expect(within(row()).getByTestId('change-failed').textContent).toContain('撤回失败 · 只能撤回 2 分钟内的消息。'));
    expect((await within(row()).findByRole('button', { name: '取消撤回，保留这条消息' })).textContent).toBe('放弃');
  });
});
