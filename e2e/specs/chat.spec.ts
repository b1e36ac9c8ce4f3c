import { convIdOf, expect, messageRows, openConversation, openRegistered, send, startChat, test } from '../support/fixtures.js';

test('two users register and chat both ways; read receipts appear', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');
  const conv = convIdOf('alice', 'bob');

  await startChat(alice, 'bob');
  await send(alice, 'Hello Bob, are you there?');
  await expect(messageRows(alice, 'Hello Bob')).toHaveAttribute('data-status', 'sent');

  await expect(bob.page.getByTestId(`conv-${conv}`)).toContainText('Hello Bob');
  await openConversation(bob, conv);
  await expect(messageRows(bob, 'Hello Bob')).toBeVisible();
  await send(bob, '你好 Alice，我在。');

  await expect(messageRows(alice, '你好 Alice')).toBeVisible();
  // Bob has the conversation open, so he has read Alice's message: she sees it marked read.
  await expect(messageRows(alice, 'Hello Bob')).toHaveAttribute('data-read', 'true');
  // And Bob sees his reply read by Alice, who has it open.
  await expect(messageRows(bob, '你好 Alice')).toHaveAttribute('data-read', 'true');
});
