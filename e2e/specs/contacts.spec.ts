import { convIdOf, expect, messageRows, openConversation, register, send, test } from '../support/fixtures.js';

test('two users find each other by a Chinese name, become contacts, and chat', async ({ openApp }) => {
  const [alice, bob] = await Promise.all([openApp('alice'), openApp('bob')]);
  await register(alice, 'Alice');
  await register(bob, '王小明');

  // Alice searches the directory by part of his name and asks him, with a message.
  await alice.page.getByTestId('sidebar-tab-contacts').click();
  await alice.page.getByTestId('contacts-add').click();
  await alice.page.getByTestId('directory-search').fill('小明');
  const result = alice.page.getByTestId('directory-user-bob');
  await expect(result).toContainText('王小明');
  await result.getByTestId('contact-add-bob').click();
  await alice.page.getByTestId('contact-request-message-bob').fill('你好，我是 Alice');
  await alice.page.getByTestId('contact-request-send-bob').click();
  await expect(result).toContainText('Requested');
  await alice.page.keyboard.press('Escape');
  await expect(alice.page.getByTestId('contacts-outgoing')).toContainText('王小明');

  // Bob sees the request counted on the Contacts tab, reads its message and accepts.
  await expect(bob.page.getByTestId('contacts-request-badge')).toContainText('1');
  await bob.page.getByTestId('sidebar-tab-contacts').click();
  await expect(bob.page.getByTestId('contact-request-alice')).toContainText('你好，我是 Alice');
  await bob.page.getByTestId('contact-accept-alice').click();
  await expect(bob.page.getByTestId('contacts-list').getByTestId('contact-alice')).toContainText('Alice');
  await expect(bob.page.getByTestId('contacts-request-badge')).toHaveCount(0);

  // Alice has him as a contact now; his card starts the chat.
  const contact = alice.page.getByTestId('contacts-list').getByTestId('contact-bob');
  await expect(contact).toContainText('王小明');
  await expect(alice.page.getByTestId('contacts-outgoing')).toHaveCount(0);
  await contact.click();
  const card = alice.page.getByTestId('profile-card');
  await expect(card.getByTestId('profile-user-id')).toHaveText('bob');
  await card.getByTestId('profile-message').click();
  await expect(alice.page.getByTestId('conversation-title')).toContainText('王小明');
  await send(alice, '小明你好！');
  await expect(messageRows(alice, '小明你好')).toHaveAttribute('data-status', 'sent');

  await bob.page.getByTestId('sidebar-tab-chats').click();
  const conv = convIdOf('alice', 'bob');
  await expect(bob.page.getByTestId(`conv-${conv}`)).toContainText('小明你好');
  await openConversation(bob, conv);
  await send(bob, '你好 Alice');
  await expect(messageRows(alice, '你好 Alice')).toBeVisible();
});
