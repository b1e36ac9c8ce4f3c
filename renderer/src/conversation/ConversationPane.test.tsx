// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { VirtuosoMockContext } from 'react-virtuoso';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../preload/api-types';
import { textMessage } from '../testing/fake-api';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { ConversationPane } from './ConversationPane';

const C = 'p:alice|me';
const now = Date.now();

function setup(messages: MessageView[], patch: Parameters<typeof conv>[1] = {}) {
  const conversation = conv(C, { title: 'Alice', lastSeq: 3, readSeq: 3, peerReadSeq: 2, ...patch });
  const result = renderWithModel(
    <VirtuosoMockContext.Provider value={{ viewportHeight: 2000, itemHeight: 40 }}>
      <ConversationPane conversation={conversation} target={{ convId: C, nonce: 1 }} selfId="me" onSearchHere={() => undefined} />
    </VirtuosoMockContext.Provider>,
    { conversations: [conversation], logs: { [C]: { messages } }, ackDelayMs: null },
  );
  return result;
}

const row = (seqOrId: string) => document.querySelector<HTMLElement>(`[data-seq="${seqOrId}"], [data-client-msg-id="${seqOrId}"]`);

describe('ConversationPane', () => {
  it('shows delivery states: read up to peerReadSeq, sent after it', async () => {
    setup([textMessage(C, 1, 'alice', 'hi', now - 3000), textMessage(C, 2, 'me', 'hello', now - 2000), textMessage(C, 3, 'me', 'how are you?', now - 1000)]);
    await waitFor(() => expect(row('3')).not.toBeNull());
    expect(row('2')?.dataset.read).toBe('true');
    expect(row('3')?.dataset.read).toBeUndefined();
    expect(row('3')?.dataset.status).toBe('sent');
    expect(within(row('2') as HTMLElement).getByText('Read')).toBeTruthy();
    expect(within(row('3') as HTMLElement).getByText('Sent')).toBeTruthy();
  });

  it('offers Retry and Delete on a failed message, and they call the api', async () => {
    const failed = (id: string, ts: number) => textMessage(C, null, 'me', `did not go ${id}`, ts, { clientMsgId: id, status: 'failed', failure: { code: 'BLOCKED', message: 'x' } });
    const { fake } = setup([textMessage(C, 1, 'alice', 'hi', now - 1000), failed('f-1', now), failed('f-2', now + 1)]);
    await waitFor(() => expect(row('f-1')).not.toBeNull());
    const first = row('f-1') as HTMLElement;
    expect(first.dataset.status).toBe('failed');
    expect(within(first).getByTestId('message-failed').textContent).toContain('isn’t accepting your messages');
    fireEvent.click(within(first).getByTestId('message-retry'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'messages.retry' && (c.arg as { clientMsgId: string }).clientMsgId === 'f-1')).toBe(true));
    await waitFor(() => expect(row('f-1')?.dataset.status).toBe('pending'));
    fireEvent.click(within(row('f-2') as HTMLElement).getByTestId('message-delete'));
    await waitFor(() => expect(fake.calls.some((c) => c.method === 'messages.delete' && (c.arg as { clientMsgId: string }).clientMsgId === 'f-2')).toBe(true));
    await waitFor(() => expect(row('f-2')).toBeNull());
  });

  it('says a message was refused for not being contacts, and offers to add the contact', async () => {
    const { model } = setup([
      textMessage(C, null, 'me', 'anyone there?', now, { clientMsgId: 'nc-1', status: 'failed', failure: { code: 'FORBIDDEN', message: 'NOT_CONTACTS' } }),
    ]);
    await waitFor(() => expect(row('nc-1')).not.toBeNull());
    const failed = within(row('nc-1') as HTMLElement);
    expect(failed.getByTestId('message-failed').textContent).toContain('only delivers private messages between contacts');
    fireEvent.click(failed.getByTestId('message-add-contact'));
    expect(model.people.profile.get()).toBe('alice');
  });

  it('shows a recalled message as a notice, in the reader’s words', async () => {
    setup([
      textMessage(C, 1, 'alice', '', now - 2000, { recalled: true, body: {} } as Partial<MessageView>),
      textMessage(C, 2, 'me', '', now - 1000, { recalled: true, body: {} } as Partial<MessageView>),
    ]);
    await waitFor(() => expect(screen.getByText('Alice recalled a message')).toBeTruthy());
    expect(screen.getByText('You recalled a message')).toBeTruthy();
  });

  it('marks "edited", quotes replies and offers message actions from the keyboard', async () => {
    setup([textMessage(C, 1, 'alice', 'original question', now - 2000), textMessage(C, 2, 'me', 'answer', now - 1000, { replyTo: 1, edited: true })]);
    await waitFor(() => expect(row('2')).not.toBeNull());
    const mine = row('2') as HTMLElement;
    expect(within(mine).getByText('edited')).toBeTruthy();
    expect(within(mine).getByTestId('quote').textContent).toContain('original question');
    fireEvent.keyDown(mine, { key: 'F10', shiftKey: true });
    const menu = await screen.findByRole('menu');
    const labels = within(menu).getAllByRole('menuitem').map((b) => b.textContent);
    expect(labels).toEqual(['Reply', 'Copy text', 'Edit', 'Recall']);
    fireEvent.click(within(menu).getByText('Reply'));
    expect(screen.getByTestId('composer-reply').textContent).toContain('answer');
  });

  it('puts a "New messages" divider before the first unread message and a day separator on top', async () => {
    setup(
      [textMessage(C, 1, 'me', 'ping', now - 5000), textMessage(C, 2, 'alice', 'pong', now - 4000), textMessage(C, 3, 'alice', 'again', now - 3000)],
      { readSeq: 1, unread: 2 },
    );
    await waitFor(() => expect(screen.getByTestId('unread-divider')).toBeTruthy());
    const divider = screen.getByTestId('unread-divider');
    expect(divider.closest('.msg-item')?.querySelector('[data-seq]')?.getAttribute('data-seq')).toBe('2');
    expect(screen.getAllByRole('separator').some((s) => s.textContent === 'Today')).toBe(true);
  });

  it('turns web links in text into links that open outside the app, and nothing else', async () => {
    setup([textMessage(C, 1, 'alice', '文档在这里https://example.com/spec，还有 javascript:alert(1)', now)]);
    await waitFor(() => expect(row('1')).not.toBeNull());
    const links = (row('1') as HTMLElement).querySelectorAll('a');
    expect(links).toHaveLength(1);
    expect(links[0]!.getAttribute('href')).toBe('https://example.com/spec');
    expect(links[0]!.getAttribute('target')).toBe('_blank');
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(row('1')?.textContent).toContain('文档在这里https://example.com/spec，还有 javascript:alert(1)');
  });

  it('shows the mentions a message carries as names, the reader\'s own highlighted', async () => {
    setup([
      textMessage(C, 1, 'alice', '@me look (@carol is not mentioned)', now, { mentions: ['me'] }),
      textMessage(C, 2, 'me', 'sure @alice', now + 1, { mentions: ['alice'] }),
    ]);
    await waitFor(() => expect(row('2')).not.toBeNull());
    const shown = (seq: string) => within(row(seq) as HTMLElement).getAllByTestId('msg-mention').map((m) => [m.textContent, m.classList.contains('is-me')]);
    expect(shown('1')).toEqual([['@Me', true]]);
    expect(shown('2')).toEqual([['@Alice', false]]);
    expect(row('1')?.textContent).toContain('(@carol is not mentioned)');
  });
});
