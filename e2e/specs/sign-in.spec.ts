import { expect, PASSWORD, test } from '../support/fixtures.js';

test('the sign-in form asks before a password goes over plain http to another computer, not to this one', async ({ openApp }) => {
  const { page } = await openApp('carol');
  const server = page.getByTestId('auth-server');
  const local = await server.inputValue(); // the test server, on 127.0.0.1
  await page.getByTestId('auth-mode-register').click();
  await page.getByTestId('auth-user').fill('carol');
  await page.getByTestId('auth-name').fill('Carol');
  await page.getByTestId('auth-password').fill(PASSWORD);
  await expect(page.getByTestId('auth-cleartext-warning')).toHaveCount(0);

  await server.fill('http://parley.invalid:8080');
  await expect(page.getByTestId('auth-cleartext-warning')).toBeVisible();
  await page.getByTestId('auth-submit').click();
  await expect(page.getByRole('alertdialog')).toContainText('Your password would be sent in clear');
  await page.getByTestId('auth-cleartext-cancel').click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);
  await expect(page.getByTestId('auth-error')).toHaveCount(0);

  // Agreeing sends it: here the host does not exist, so the attempt fails with a message.
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('auth-cleartext-continue').click();
  await expect(page.getByTestId('auth-error')).toBeVisible();

  // This computer's server is not asked about.
  await server.fill(local);
  await expect(page.getByTestId('auth-cleartext-warning')).toHaveCount(0);
  await page.getByTestId('auth-submit').click();
  await expect(page.getByTestId('new-chat').first()).toBeVisible();
});
