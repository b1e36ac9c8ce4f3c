// @vitest-environment jsdom
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { textMessage } from '../testing/fake-api';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { SearchDialog } from './SearchDialog';

const A = 'p:alice|me';
const B = 'p:bob|me';

function setup(initialConvId: string | null = null) {
  const onOpen = vi.fn();
  const r = renderWithModel(<SearchDialog initialConvId={initialConvId} onClose={() => undefined} onOpen={onOpen} />, {
    conversations: [conv(A, { title: 'Alice' }), conv(B, { title: 'Bob' })],
    logs: {
      [A]: { messages: [textMessage(A, 1, 'alice', 'the <b>release</b> is friday', 1000), textMessage(A, 2, 'me', 'release notes attached', 2000)] },
      [B]: { messages: [textMessage(B, 1, 'bob', 'after the release we celebrate', 3000)] },
    },
  });
  return { ...r, onOpen };
}

describe('SearchDialog', () => {
  it('highlights matches with <mark> elements and never renders the text as HTML', async () => {
    setup();
    fireEvent.change(screen.getByTestId('search-input'), { target: { value: 'release' } });
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(3));
    const hit = screen.getAllByTestId('search-hit').find((h) => h.textContent?.includes('<b>')) as HTMLElement;
    expect(hit.querySelector('b')).toBeNull();
    expect(hit.textContent).toContain('the <b>release</b> is friday');
    expect([...hit.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['release']);
  });

  it('groups results by conversation and opens the chosen one at its message', async () => {
    const { onOpen } = setup();
    fireEvent.change(screen.getByTestId('search-input'), { target: { value: 'release' } });
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(3));
    const groups = screen.getAllByRole('group').map((g) => g.getAttribute('aria-label'));
    expect(groups).toEqual(['Bob', 'Alice']);
    const input = screen.getByTestId('search-input');
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledTimes(1);
    const [convId, seq] = onOpen.mock.calls[0] as [string, number];
    expect(convId).toBe(A);
    expect([1, 2]).toContain(seq);
  });

  it('searches only the open conversation when asked to (Ctrl+F)', async () => {
    const { fake } = setup(A);
    fireEvent.change(screen.getByTestId('search-input'), { target: { value: 'release' } });
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(2));
    expect(fake.calls.find((c) => c.method === 'search.query')?.arg).toMatchObject({ query: 'release', convId: A });
    fireEvent.click(screen.getByTestId('search-scope-all'));
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(3));
    expect(within(screen.getByTestId('search-results')).queryByText('No messages found')).toBeNull();
  });

  it('says so when nothing matches, and shows errors in words', async () => {
    const { fake } = setup();
    fireEvent.change(screen.getByTestId('search-input'), { target: { value: 'zzz' } });
    await screen.findByText('No messages found');
    fake.failNext('search.query', 'UNAVAILABLE');
    fireEvent.change(screen.getByTestId('search-input'), { target: { value: 'zzzz' } });
    await screen.findByText('The app isn’t responding. Try again in a moment.');
  });
});

describe('SearchDialog snippets', () => {
  it('show mentions as names, with the matches still on the matched words', async () => {
    const C = 'g:team';
    renderWithModel(<SearchDialog initialConvId={null} onClose={() => undefined} onOpen={() => undefined} />, {
      session: { state: 'signed-in', userId: 'me', name: 'Alex', serverUrl: 'http://127.0.0.1:8080' },
      conversations: [conv(C, { kind: 'group', title: 'Team' })],
      users: [{ userId: 'bob', name: 'Bob 李', online: false, lastSeen: 0 }],
      logs: { [C]: { messages: [textMessage(C, 1, 'bob', '@me and @all: tomorrow at 10, @carol?', 1000, { mentions: ['me', '@all'] }), textMessage(C, 2, 'me', '@bob tomorrow works', 2000, { mentions: ['bob'] })] } },
    });
    fireEvent.change(screen.getByTestId('search-input'), { target: { value: 'tomorrow' } });
    await waitFor(() => expect(screen.getAllByTestId('search-hit')).toHaveLength(2));
    const [mine, bobs] = screen.getAllByTestId('search-hit') as [HTMLElement, HTMLElement];
    await waitFor(() => expect(mine.querySelector('.search-hit-text')?.textContent).toBe('@Bob 李 tomorrow works'));
    expect([...mine.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['tomorrow']);
    expect(bobs.querySelector('.search-hit-text')?.textContent).toBe('@Alex and @Everyone: tomorrow at 10, @carol?');
    expect([...bobs.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['tomorrow']);
  });
});
