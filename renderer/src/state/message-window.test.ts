import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../preload/api-types';
import { createFakeApi, textMessage } from '../testing/fake-api';
import { MessageWindow, PAGE_SIZE, START_INDEX } from './message-window';

const convId = 'p:me|peer';
const synthetic = (count: number) =>
  createFakeApi({ logs: { [convId]: { count, make: (seq) => textMessage(convId, seq, seq % 2 ? 'peer' : 'me', `m${seq}`, seq * 1000, { clientMsgId: `c${seq}` }) } }, ackDelayMs: null });
const seqs = (w: MessageWindow) => w.state.get().items.map((m) => m.seq);

describe('MessageWindow', () => {
  it('opens at the latest page and prepends older pages, lowering firstItemIndex by their count', async () => {
    const fake = synthetic(100_000);
    const w = new MessageWindow(fake.api, convId, () => 100_000);
    w.start();
    await w.openLatest();
    expect(seqs(w)).toHaveLength(PAGE_SIZE);
    expect(seqs(w).at(-1)).toBe(100_000);
    expect(w.state.get().firstItemIndex).toBe(START_INDEX);
    await w.loadOlder();
    const s = w.state.get();
    expect(s.items).toHaveLength(2 * PAGE_SIZE);
    expect(s.items[0]?.seq).toBe(100_000 - 2 * PAGE_SIZE + 1);
    expect(s.firstItemIndex).toBe(START_INDEX - PAGE_SIZE);
    expect(s.hasOlder).toBe(true);
  });

  it('jumps into history and loads newer pages until it reaches the end', async () => {
    const fake = synthetic(200);
    const w = new MessageWindow(fake.api, convId, () => 200);
    w.start();
    await w.openAround(20, true);
    expect(w.state.get().hasNewer).toBe(true);
    expect(w.state.get().anchor).toEqual({ seq: 20, highlight: true });
    expect(seqs(w)).toContain(20);
    // A live message past the window waits: inserting it would leave a hole.
    fake.receive(convId, 'peer', 'live');
    expect(seqs(w)).not.toContain(201);
    for (let i = 0; i < 6 && w.state.get().hasNewer; i++) await w.loadNewer();
    expect(w.state.get().hasNewer).toBe(false);
    expect(seqs(w).at(-1)).toBe(201);
  });

  it('shows a sent message at once and moves it into place when acknowledged', async () => {
    const fake = synthetic(3);
    const w = new MessageWindow(fake.api, convId, () => 3);
    w.start();
    await w.openLatest();
    const { clientMsgId } = await fake.api.messages.send({ convId, kind: 'text', body: { text: 'hi' } });
    expect(w.state.get().items.at(-1)).toMatchObject({ clientMsgId, seq: null, status: 'pending' });
    fake.receive(convId, 'peer', 'meanwhile');
    expect(seqs(w)).toEqual([1, 2, 3, 4, null]);
    const pending = w.state.get().items.at(-1) as MessageView;
    w.upsert({ ...pending, seq: 5, status: 'sent' } as MessageView, false);
    expect(seqs(w)).toEqual([1, 2, 3, 4, 5]);
  });

  it('removes deleted messages and ignores other conversations', async () => {
    const fake = synthetic(3);
    const w = new MessageWindow(fake.api, convId, () => 3);
    w.start();
    await w.openLatest();
    fake.emit('messages:removed', { convId: 'p:x|y', clientMsgIds: ['c1'] });
    fake.emit('messages:removed', { convId, clientMsgIds: ['c2'] });
    expect(seqs(w)).toEqual([1, 3]);
  });
});
