import { PASSWORD, admin, convIdOf, expect, messageRows, registerOverHttp, send, test, type App } from '../support/fixtures.js';

/** Adds an account from the switcher's "Add account" (the sign-in screen over the app), registering it. */
async function addAccount(app: App, userId: string, name: string): Promise<void> {
  const { page } = app;
  await page.getByTestId('account-add').click();
  await expect(page.getByRole('heading', { name: 'Add an account' })).toBeVisible();
  await page.getByTestId('auth-mode-register').click();
  await page.getByTestId('auth-user').fill(userId);
  await page.getByTestId('auth-name').fill(name);
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('auth-submit').click();
  await expect(page.getByTestId(`account-${userId}`)).toHaveAttribute('aria-current', 'true');
}

test('two accounts in one app: a message for the background one is badged and notified; switch and reply', async ({ openApp, server }) => {
  await registerOverHttp(server.url, 'carol');
  const app = await openApp('alice');
  const { page } = app;
  await page.getByTestId('auth-mode-register').click();
  await page.getByTestId('auth-user').fill('alice');
  await page.getByTestId('auth-name').fill('Alice');
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('auth-submit').click();
  await expect(page.getByTestId('account-alice')).toHaveAttribute('aria-current', 'true');

  await addAccount(app, 'bob', 'Bob');
  const alice = page.getByTestId('account-alice');
  await expect(alice).not.toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('account-switcher').getByRole('button')).toHaveCount(3); // Alice, Bob, Add account

  // Carol writes to Alice, who is in the background.
  const conv = convIdOf('alice', 'carol');
  await admin(server.url, 'POST', '/v1/admin/messages', { from: 'carol', convId: conv, kind: 'text', body: { text: 'are you around, Alice?' } });
  await expect(alice.getByTestId('account-unread')).toHaveText('1');
  const toast = page.getByTestId('toast');
  await expect(toast).toContainText('are you around, Alice?');
  await expect(toast).toContainText('· Alice'); // the notification names its account
  // Bob's list shows nothing of it.
  await expect(page.getByTestId(`conv-${conv}`)).toHaveCount(0);

  // The notification switches to Alice and opens Carol's chat; Alice replies.
  await toast.locator('button').first().click();
  await expect(alice).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('conversation')).toHaveAttribute('data-conv-id', conv);
  await expect(messageRows(app, 'are you around, Alice?')).toBeVisible();
  await send(app, 'yes, here');
  await expect(messageRows(app, 'yes, here')).toHaveAttribute('data-status', 'sent');
  await expect(alice.getByTestId('account-unread')).toHaveCount(0);

  // Ctrl+Shift+2: back to Bob, whose account stayed signed in.
  await page.keyboard.press('Control+Shift+Digit2');
  await expect(page.getByTestId('account-bob')).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId(`conv-${conv}`)).toHaveCount(0);
});
