import { convIdOf, expect, messageRows, openConversation, openRegistered, send, startChat, test, type App } from '../support/fixtures.js';

/** The open conversation's acknowledged message rows reading `text`. */
const rowsWith = (app: App, text: string) => messageRows(app, text).and(app.page.locator('[data-seq]'));

async function expectEdited(app: App, before: string, after: string): Promise<void> {
  const row = rowsWith(app, after);
  await expect(row).toHaveCount(1);
  await expect(row.locator('.msg-edited')).toHaveText('edited');
  // Acknowledged: no edit on its way or refused.
  await expect(row).not.toHaveAttribute('data-change', /.+/);
  await expect(messageRows(app, before)).toHaveCount(0);
}

test('an edit shows for its author (also after a reload), for the peer, in the chat list and in search', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');
  const conv = convIdOf('alice', 'bob');
  await startChat(alice, 'bob');
  await send(alice, 'tomorow');
  const typo = messageRows(alice, 'tomorow');
  await expect(typo).toHaveAttribute('data-status', 'sent');
  await expect(bob.page.getByTestId(`conv-${conv}`)).toContainText('tomorow');
  await openConversation(bob, conv);
  await expect(messageRows(bob, 'tomorow')).toBeVisible();

  await typo.click({ button: 'right' });
  await alice.page.getByTestId('menu-edit').click();
  const input = alice.page.getByTestId('composer-input');
  await expect(input).toHaveValue('tomorow');
  await input.fill('tomorrow');
  await input.press('Enter');
  await expect(alice.page.getByTestId('composer-editing')).toHaveCount(0);

  await expectEdited(alice, 'tomorow', 'tomorrow');
  await expectEdited(bob, 'tomorow', 'tomorrow');
  await expect(alice.page.getByTestId(`conv-${conv}`).locator('.conv-preview-text')).toHaveText('tomorrow');

  const { page } = alice;
  await page.keyboard.press('Control+k');
  await page.getByTestId('search-input').fill('tomorrow');
  await expect(page.getByTestId('search-hit')).toHaveCount(1);
  await expect(page.getByTestId('search-hit').locator('mark')).toHaveText('tomorrow');
  await page.getByTestId('search-input').fill('tomorow');
  await expect(page.getByTestId('search-results')).toContainText('No messages found');
  await expect(page.getByTestId('search-hit')).toHaveCount(0);
  await page.keyboard.press('Escape');

  await page.reload();
  await expect(page.getByTestId(`conv-${conv}`)).toBeVisible();
  await expect(page.getByTestId(`conv-${conv}`).locator('.conv-preview-text')).toHaveText('tomorrow');
  await openConversation(alice, conv);
  await expectEdited(alice, 'tomorow', 'tomorrow');
});
