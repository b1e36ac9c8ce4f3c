import { convIdOf, expect, messageRows, openConversation, openRegistered, registerOverHttp, send, startChat, test } from '../support/fixtures.js';

test('recall shows who recalled a message on both sides', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');
  const conv = convIdOf('alice', 'bob');
  await startChat(alice, 'bob');
  await send(alice, 'oops, wrong chat');
  const row = messageRows(alice, 'oops, wrong chat');
  await expect(row).toHaveAttribute('data-status', 'sent');
  await expect(bob.page.getByTestId(`conv-${conv}`)).toBeVisible();
  await openConversation(bob, conv);
  await expect(messageRows(bob, 'oops, wrong chat')).toBeVisible();

  await row.click({ button: 'right' });
  await alice.page.getByTestId('menu-recall').click();
  await expect(alice.page.getByTestId('message-list')).toContainText('You recalled a message');
  await expect(bob.page.getByTestId('message-list')).toContainText('Alice recalled a message');
  await expect(bob.page.getByTestId('message-list')).not.toContainText('oops, wrong chat');
});

test('mute suppresses notifications, and an @mention still gets through', async ({ openApp, server }) => {
  await registerOverHttp(server.url, 'carol');
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');
  const conv = convIdOf('alice', 'bob');
  await startChat(bob, 'alice');
  await send(bob, 'first message');
  await expect(alice.page.getByTestId(`conv-${conv}`)).toBeVisible();
  await openConversation(alice, conv);
  await alice.page.getByTestId('header-mute').click();
  await expect(alice.page.getByTestId(`conv-${conv}`)).toHaveAttribute('data-muted', 'true');
  // Alice looks at another conversation, so Bob's chat is not on her screen.
  await startChat(alice, 'carol');

  await send(bob, 'a quiet update');
  await expect(alice.page.getByTestId(`conv-${conv}`)).toContainText('a quiet update');
  await send(bob, '@alice urgent: please look');
  await expect(alice.page.getByTestId('toast')).toContainText('urgent');
  await expect(alice.page.getByTestId('toast')).toHaveCount(1);
  await expect(alice.page.getByTestId('toast')).not.toContainText('a quiet update');
});
