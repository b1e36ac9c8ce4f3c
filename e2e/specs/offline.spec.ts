import { convIdOf, expect, messageRows, openConversation, openRegistered, send, startChat, test } from '../support/fixtures.js';

test('messages written offline show as pending and arrive in order, once, when the connection is back', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, { userId: 'alice', viaProxy: true }, 'bob');
  const conv = convIdOf('alice', 'bob');
  await startChat(alice, 'bob');
  await send(alice, 'before the tunnel');
  await expect(bob.page.getByTestId(`conv-${conv}`)).toBeVisible();
  await openConversation(bob, conv);

  await alice.proxy!.cut(); // Alice's app loses the server; Bob's does not
  await expect(alice.page.getByTestId('connection-banner')).toBeVisible();
  for (const text of ['offline one', 'offline two', 'offline three']) await send(alice, text);
  for (const text of ['offline one', 'offline two', 'offline three']) await expect(messageRows(alice, text)).toHaveAttribute('data-status', 'pending');
  await expect(alice.page.getByTestId('connection-queued')).toContainText('3');

  await alice.proxy!.restore();
  for (const text of ['offline one', 'offline two', 'offline three']) await expect(messageRows(alice, text)).toHaveAttribute('data-status', 'sent');
  await expect(alice.page.getByTestId('connection-banner')).toBeHidden();

  const list = bob.page.getByTestId('message-list');
  await expect(list.locator('[data-client-msg-id]', { hasText: 'offline three' })).toBeVisible();
  const texts = await list.locator('[data-client-msg-id]').allInnerTexts();
  const order = ['before the tunnel', 'offline one', 'offline two', 'offline three'].map((t) => texts.findIndex((x) => x.includes(t)));
  expect(order).toEqual([...order].sort((a, b) => a - b));
  for (const text of ['offline one', 'offline two', 'offline three']) await expect(messageRows(bob, text)).toHaveCount(1);
});

test('a pending message survives a crash of the sender’s app and is delivered once', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, { userId: 'alice', viaProxy: true }, 'bob');
  const conv = convIdOf('alice', 'bob');
  await startChat(alice, 'bob');

  await alice.proxy!.cut();
  await send(alice, 'written just before the crash');
  await expect(messageRows(alice, 'written just before the crash')).toHaveAttribute('data-status', 'pending');
  await alice.crashAndRestart(); // SIGKILL of Alice's app process, then a new start on the same data
  await alice.proxy!.restore();

  await expect(alice.page.getByTestId(`conv-${conv}`)).toBeVisible();
  await openConversation(alice, conv);
  await expect(messageRows(alice, 'written just before the crash')).toHaveAttribute('data-status', 'sent');
  await expect(bob.page.getByTestId(`conv-${conv}`)).toBeVisible();
  await openConversation(bob, conv);
  await expect(messageRows(bob, 'written just before the crash')).toHaveCount(1);
});
