import { convIdOf, expect, messageRows, openConversation, openRegistered, send, startChat, test } from '../support/fixtures.js';

test('search finds a Chinese word and an accented Latin word and jumps to the message', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');
  const conv = convIdOf('alice', 'bob');
  await startChat(bob, 'alice');
  await send(bob, '我们在群聊里讨论明天的发布');
  for (let i = 0; i < 40; i++) await send(bob, `filler message number ${i}`);
  await send(bob, 'Please review my Résumé before Friday');
  await expect(messageRows(bob, 'Please review my')).toHaveAttribute('data-status', 'sent');
  await expect(alice.page.getByTestId(`conv-${conv}`)).toContainText('Résumé');

  const { page } = alice;
  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').fill('群聊');
  const hit = page.getByTestId('search-hit').first();
  await expect(hit).toContainText('群聊');
  await expect(hit.locator('mark')).toHaveText('群聊');
  await hit.click();
  await expect(page.getByTestId('conversation-title')).toBeVisible();
  await expect(messageRows(alice, '我们在群聊里讨论')).toBeInViewport();

  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').fill('resume');
  const latin = page.getByTestId('search-hit').first();
  await expect(latin).toContainText('Résumé');
  await latin.click();
  await expect(messageRows(alice, 'Please review my Résumé')).toBeInViewport();
});

test('searching the open conversation with Ctrl+F', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');
  await startChat(bob, 'alice');
  await send(bob, 'the café on the corner');
  const conv = convIdOf('alice', 'bob');
  await expect(alice.page.getByTestId(`conv-${conv}`)).toBeVisible();
  await openConversation(alice, conv);
  await alice.page.keyboard.press('Control+f');
  await alice.page.getByTestId('search-input').fill('CAFE');
  await expect(alice.page.getByTestId('search-hit').first()).toContainText('café');
});
