// @vitest-environment jsdom
/** Recall follows the server's recall window (hello's limits, through server.limits and limits:changed). */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { VirtuosoMockContext } from 'react-virtuoso';
import { describe, expect, it } from 'vitest';
import type { UiLanguage } from '../i18n/setup';
import { textMessage } from '../testing/fake-api';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { ConversationPane } from './ConversationPane';

const C = 'p:alice|me';
const MINUTE = 60_000;

/** A private chat whose last message is the user's own, sent five minutes ago, on a server with this window. */
async function setup(recallWindowMs: number, language: UiLanguage = 'en') {
  const now = Date.now();
  const conversation = conv(C, { title: 'Alice', lastSeq: 2, readSeq: 2, peerReadSeq: 2 });
  const result = renderWithModel(
    <VirtuosoMockContext.Provider value={{ viewportHeight: 2000, itemHeight: 40 }}>
      <ConversationPane conversation={conversation} target={{ convId: C, nonce: 1 }} selfId="me" onSearchHere={() => undefined} />
    </VirtuosoMockContext.Provider>,
    {
      language,
      conversations: [conversation],
      logs: { [C]: { messages: [textMessage(C, 1, 'alice', 'see you tomorrow?', now - 6 * MINUTE), textMessage(C, 2, 'me', 'tomorrow works', now - 5 * MINUTE)] } },
      limits: { recallWindowMs },
    },
  );
  await waitFor(() => expect(result.model.limits.get().recallWindowMs).toBe(recallWindowMs));
  await waitFor(() => expect(row()).not.toBeNull());
  return result;
}

const row = () => document.querySelector<HTMLElement>('[data-seq="2"]') as HTMLElement;

async function menuLabels(): Promise<Array<string | null>> {
  fireEvent.keyDown(row(), { key: 'F10', shiftKey: true });
  const menu = await screen.findByRole('menu');
  const labels = within(menu).getAllByRole('menuitem').map((b) => b.textContent);
  fireEvent.keyDown(menu, { key: 'Escape' });
  await waitFor(() => expect(screen.queryByRole('menu')).toBeNull());
  return labels;
}

describe('the recall window', () => {
  it('offers Recall on a five-minute-old own message where the server allows ten minutes', async () => {
    await setup(10 * MINUTE);
    expect(await menuLabels()).toContain('Recall');
  });

  it('does not where the server allows two', async () => {
    await setup(2 * MINUTE);
    const labels = await menuLabels();
    expect(labels).toContain('Edit');
    expect(labels).not.toContain('Recall');
  });

  it('follows a server that announces another window', async () => {
    const { fake } = await setup(2 * MINUTE);
    expect(await menuLabels()).not.toContain('Recall');
    act(() => fake.setLimits({ recallWindowMs: 10 * MINUTE }));
    expect(await menuLabels()).toContain('Recall');
  });

  it('says the server’s window when a recall is refused as too late', async () => {
    const { fake } = await setup(10 * MINUTE, 'zh-CN');
    fake.refuseNextChange('FORBIDDEN', 'recall window has passed');
    fireEvent.keyDown(row(), { key: 'F10', shiftKey: true });
    fireEvent.click(within(await screen.findByRole('menu')).getByText('撤回'));
    await waitFor(() => expect(row().dataset.change).toBe('recall-failed'));
    expect(within(row()).getByTestId('change-failed').textContent).toContain('撤回失败 · 只能撤回 10 分钟内的消息。');
  });
});
