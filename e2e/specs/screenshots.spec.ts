/**
 * Produces the screenshots in docs/screenshots (light and dark, 简体中文 and English) from a real session,
 * and checks the main screens render in each. Host-chromium only: one set of pictures is enough.
 */
import path from 'node:path';
import { ROOT } from '../support/processes.js';
import { admin, convIdOf, expect, messageRows, openConversation, register, send, startChat, test } from '../support/fixtures.js';

const SHOTS = path.join(ROOT, 'docs', 'screenshots');

for (const locale of ['en-US', 'zh-CN'] as const) {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`main screens in ${locale}, ${colorScheme}`, async ({ openApp, server }, testInfo) => {
      test.skip(testInfo.project.name !== 'host-chromium', 'screenshots are taken once, in host-chromium');
      const tag = `${locale === 'zh-CN' ? 'zh' : 'en'}-${colorScheme}`;
      const ada = await openApp('ada', { locale, colorScheme });
      const lin = await openApp('lin', { locale, colorScheme });
      await ada.page.screenshot({ path: path.join(SHOTS, `sign-in-${tag}.png`) });
      await register(ada, locale === 'zh-CN' ? '艾达' : 'Ada Lovelace');
      await register(lin, locale === 'zh-CN' ? '林小雨' : 'Lin Xiaoyu');

      await startChat(lin, 'ada');
      const lines =
        locale === 'zh-CN'
          ? ['早上好！周五的发布准备好了吗？', '设计稿我已经更新到群聊里了。', '好的，我下午看一下。']
          : ['Morning! Are we ready for Friday’s release?', 'I updated the layout in the shared folder.', 'Great, I’ll review it this afternoon.'];
      await send(lin, lines[0]!);
      await send(lin, lines[1]!);
      const conv = convIdOf('ada', 'lin');
      await expect(ada.page.getByTestId(`conv-${conv}`)).toBeVisible();
      await openConversation(ada, conv);
      await send(ada, lines[2]!);
      await expect(messageRows(ada, lines[2]!)).toHaveAttribute('data-status', 'sent');
      await expect(messageRows(ada, lines[2]!)).toHaveAttribute('data-read', 'true');
      await ada.page.screenshot({ path: path.join(SHOTS, `chat-${tag}.png`) });

      await ada.page.keyboard.press('Control+k');
      await ada.page.getByTestId('search-input').fill(locale === 'zh-CN' ? '发布' : 'release');
      await expect(ada.page.getByTestId('search-hit').first()).toBeVisible();
      await ada.page.screenshot({ path: path.join(SHOTS, `search-${tag}.png`) });
      await ada.page.keyboard.press('Escape');

      await ada.page.getByTestId('me-menu').click();
      await ada.page.getByTestId('menu-settings').click();
      await expect(ada.page.getByRole('dialog')).toBeVisible();
      await ada.page.screenshot({ path: path.join(SHOTS, `settings-${tag}.png`) });
      await ada.page.keyboard.press('Escape');

      // A group: created by Ada with Lin, a mention, and the info panel with roles.
      await ada.page.getByTestId('new-group').click();
      await ada.page.getByTestId('group-name-input').fill(locale === 'zh-CN' ? '发布小组' : 'Release crew');
      await ada.page.getByTestId('group-member-input').fill('lin');
      await ada.page.getByTestId('group-member-input').press('Enter');
      await expect(ada.page.getByTestId('group-member-chip-lin')).toBeVisible();
      await ada.page.getByTestId('group-create-submit').click();
      await expect(ada.page.getByTestId('conversation')).toHaveAttribute('data-conv-id', /^g:/);
      const group = await ada.page.getByTestId('conversation').getAttribute('data-conv-id');
      await send(ada, locale === 'zh-CN' ? '周五发布，大家分工一下。' : 'Friday release: who takes what?');
      await expect(lin.page.getByTestId(`conv-${group}`)).toBeVisible();
      await openConversation(lin, group!);
      const reply = locale === 'zh-CN' ? '@ada 我负责测试和发布说明。' : '@ada I’ll take testing and the release notes.';
      await send(lin, reply);
      await expect(messageRows(ada, reply.slice(5))).toBeVisible();
      await ada.page.getByTestId('header-info').click();
      await expect(ada.page.getByTestId('group-member-lin')).toBeVisible();
      await expect(messageRows(ada, 'release').or(messageRows(ada, '发布')).getByTestId('read-count')).toBeVisible();
      await expect(ada.page.getByTestId('toast')).toHaveCount(0, { timeout: 15_000 }); // the private chat's notification fades
      await ada.page.screenshot({ path: path.join(SHOTS, `group-${tag}.png`) });

      // A chatroom: the directory with online counts, then the room itself.
      const zh = locale === 'zh-CN';
      await admin(server.url, 'POST', '/v1/admin/rooms', { roomId: 'launch', name: zh ? '新版本发布会直播' : 'Launch livestream' });
      await admin(server.url, 'POST', '/v1/admin/rooms', { roomId: 'help', name: zh ? '新手答疑' : 'Help desk' });
      await lin.page.getByTestId('rooms-open').click();
      await lin.page.getByTestId('room-launch').click();
      // The room opens once the server answers the join; typing before that would go to the group still open.
      await expect(lin.page.getByTestId('conversation')).toHaveAttribute('data-conv-id', 'r:launch');
      await send(lin, zh ? '直播马上开始！' : 'We go live in five minutes!');
      await expect(messageRows(lin, zh ? '直播马上开始' : 'We go live')).toHaveAttribute('data-status', 'sent');
      await ada.page.getByTestId('rooms-open').click();
      await expect(ada.page.getByTestId('room-online-launch')).toContainText('1');
      await ada.page.screenshot({ path: path.join(SHOTS, `rooms-${tag}.png`) });
      await ada.page.getByTestId('room-launch').click();
      await expect(messageRows(ada, zh ? '直播马上开始' : 'We go live')).toBeVisible();
      await send(ada, zh ? '来了来了 🎉' : 'Tuning in from Berlin 🎉');
      await expect(ada.page.getByTestId('room-online')).toContainText('2');
      await ada.page.screenshot({ path: path.join(SHOTS, `room-${tag}.png`) });
    });
  }
}
