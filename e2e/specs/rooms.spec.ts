/**
 * Chatrooms end to end: the directory lists rooms with their online counts, two users talk in a room, a late
 * joiner gets the latest 50 entries and nothing older, and leaving removes the room from the list.
 */
import { admin, type App, expect, messageRows, openRegistered, send, test } from '../support/fixtures.js';

async function joinFromDirectory(app: App, roomId: string): Promise<void> {
  await app.page.getByTestId('rooms-open').click();
  await expect(app.page.getByTestId('rooms-dialog')).toBeVisible();
  await app.page.getByTestId(`room-${roomId}`).click();
  await expect(app.page.getByTestId('conversation')).toHaveAttribute('data-conv-id', `r:${roomId}`);
}

test('two users in a chatroom; a late joiner sees the latest 50', async ({ openApp, server }) => {
  await admin(server.url, 'POST', '/v1/admin/rooms', { roomId: 'lobby', name: '大厅' });
  await admin(server.url, 'POST', '/v1/admin/rooms', { roomId: 'quiet', name: 'Quiet corner' });
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');

  await joinFromDirectory(alice, 'lobby');
  await expect(alice.page.getByTestId('conversation-title')).toHaveText('大厅');
  // 60 entries before Bob comes: 59 posted for Alice by the admin API, the last typed by her.
  for (let i = 1; i <= 59; i++) await admin(server.url, 'POST', '/v1/admin/messages', { from: 'alice', convId: 'r:lobby', kind: 'text', body: { text: `line ${i}` } });
  await send(alice, 'line 60');
  await expect(messageRows(alice, 'line 60')).toHaveAttribute('data-status', 'sent');

  await bob.page.getByTestId('rooms-open').click();
  await expect(bob.page.getByTestId('room-online-lobby')).toContainText('1');
  await bob.page.getByTestId('room-lobby').click();
  await expect(bob.page.getByTestId('conversation')).toHaveAttribute('data-conv-id', 'r:lobby');
  await expect(messageRows(bob, 'line 60')).toBeVisible();
  await expect(bob.page.getByTestId('room-online')).toContainText('2');

  // Scrolled to the top, the oldest entry Bob has is line 11 (seq 11): the latest 50, nothing older.
  const list = bob.page.getByTestId('message-list');
  await expect(async () => {
    await list.evaluate((el) => {
      const scroller = el.querySelector('[data-virtuoso-scroller]') ?? el;
      scroller.scrollTop = 0;
    });
    await expect(list.locator('[data-seq="11"]')).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await expect(list.locator('[data-seq="10"]')).toHaveCount(0);

  // Both talk live.
  await send(bob, '大家好');
  await expect(messageRows(alice, '大家好')).toBeVisible();
  await send(alice, 'welcome, Bob');
  await expect(messageRows(bob, 'welcome, Bob')).toBeVisible();

  // Bob leaves: the room and its messages are gone from his app, and it no longer counts him.
  await bob.page.getByTestId('room-leave').click();
  await expect(bob.page.getByTestId('conv-r:lobby')).toHaveCount(0);
  await expect(alice.page.getByTestId('room-online')).toContainText('1', { timeout: 20_000 });
});
