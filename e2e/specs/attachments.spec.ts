import { randomBytes } from 'node:crypto';
import { PREVIEW_MAX_BYTES } from '../../protocol/pure.js';
import { convIdOf, expect, openConversation, openRegistered, startChat, test } from '../support/fixtures.js';
import { rgbPng } from '../support/png.js';

/** A real PNG of noise (so it does not compress), stored without compression: about width × height × 3 bytes. */
function noisePng(width: number, height: number): Buffer {
  return rgbPng(width, height, () => randomBytes(width * 3), 0);
}

test('an image over the preview cap from someone else waits for a click', async ({ openApp }) => {
  const [alice, bob] = await openRegistered(openApp, 'alice', 'bob');
  const conv = convIdOf('alice', 'bob');
  const png = noisePng(1800, 1700);
  expect(png.length).toBeGreaterThan(PREVIEW_MAX_BYTES);

  await startChat(alice, 'bob');
  await alice.page.getByTestId('composer-file-input').setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: png });
  await expect(alice.page.getByTestId('message-list').locator('[data-client-msg-id][data-status="sent"]')).toHaveCount(1, { timeout: 30_000 });

  await openConversation(bob, conv);
  const placeholder = bob.page.getByTestId('image-click-to-load');
  await expect(placeholder).toBeVisible();
  await expect(placeholder).toContainText('MB');
  await expect(bob.page.getByTestId('message-list').locator('img')).toHaveCount(0);
  await placeholder.click();
  await expect(bob.page.getByTestId('message-list').locator('img')).toBeVisible({ timeout: 30_000 });
});
