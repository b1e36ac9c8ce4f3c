import { PASSWORD, convIdOf, expect, openConversation, openRegistered, register, send, startChat, test } from '../support/fixtures.js';
import { rgbPng } from '../support/png.js';

/** A real PNG: `width` × `height`, the left half one colour and the right half another. */
function twoColourPng(width: number, height: number): Buffer {
  const row = Buffer.alloc(width * 3);
  for (let x = 0; x < width; x++) row.set(x < width / 2 ? [220, 40, 40] : [40, 80, 220], x * 3);
  return rgbPng(width, height, () => row);
}

test('a new photo and name reach the other user: the chat list, the header and the messages', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');
  const conv = convIdOf('alice', 'bob');
  await startChat(alice, 'bob');
  await send(alice, 'hello from alice');
  await openConversation(bob, conv);
  const row = bob.page.getByTestId(`conv-${conv}`);
  await expect(row.locator('.avatar-text')).toBeVisible();
  await expect(row.locator('img')).toHaveCount(0);

  await alice.page.getByTestId('me-menu').click();
  await alice.page.getByTestId('menu-profile').click();
  const dialog = alice.page.getByTestId('profile-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('profile-photo-input').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: twoColourPng(320, 200) });
  await expect(dialog.getByTestId('avatar-cropper')).toBeVisible();
  await dialog.getByTestId('avatar-zoom').fill('2');
  await dialog.getByTestId('avatar-use').click();
  await expect(dialog.getByTestId('profile-remove-photo')).toBeVisible();
  await expect(dialog.locator('img.avatar-image')).toBeVisible();
  await dialog.getByTestId('profile-name').fill('Alice Chen');
  await dialog.getByTestId('profile-status').fill('on holiday');
  await dialog.getByTestId('profile-save').click();
  await expect(dialog).toBeHidden();
  await expect(alice.page.getByTestId('me-menu').locator('img.avatar-image')).toBeVisible();

  // Bob's window: the image, from a blob: URL main made (the renderer has no network), and the new name.
  await expect(row.locator('img.avatar-image')).toBeVisible();
  expect(await row.locator('img.avatar-image').getAttribute('src')).toMatch(/^blob:/);
  await expect(row).toContainText('Alice Chen');
  await expect(bob.page.locator('.conversation-header img.avatar-image')).toBeVisible();
  await expect(bob.page.getByTestId('conversation-title')).toContainText('Alice Chen');
  const size = await row.locator('img.avatar-image').evaluate((img) => {
    const { naturalWidth, naturalHeight } = img as unknown as { naturalWidth: number; naturalHeight: number };
    return [naturalWidth, naturalHeight];
  });
  expect(size).toEqual([96, 96]);
});

test('signing in again shows the name the user registered with, and their initials', async ({ openApp }) => {
  const ada = await openApp('ada');
  await register(ada, 'Ada Wong');
  await expect(ada.page.getByTestId('me-menu')).toHaveText('AW');
  await ada.page.getByTestId('me-menu').click();
  await ada.page.getByTestId('menu-settings').click();
  await ada.page.getByTestId('settings-sign-out').click();
  await ada.page.getByTestId('auth-mode-signin').click();
  await ada.page.getByTestId('auth-user').fill('ada');
  await ada.page.getByTestId('auth-password').fill(PASSWORD);
  await ada.page.getByTestId('auth-submit').click();
  await expect(ada.page.getByTestId('me-menu')).toHaveText('AW');
  await expect(ada.page.getByTestId('me-menu')).toHaveAttribute('aria-label', /Ada Wong/);
});
