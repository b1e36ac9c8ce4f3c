import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { PREVIEW_MAX_BYTES } from '../../protocol/pure.js';
import { convIdOf, expect, openConversation, openRegistered, startChat, test } from '../support/fixtures.js';

/** A real PNG of noise (so it does not compress), stored without compression: about width × height × 3 bytes. */
function noisePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0]), randomBytes(width * 3));
  const pixels = zlib.deflateSync(Buffer.concat(rows), { level: 0 });
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
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
