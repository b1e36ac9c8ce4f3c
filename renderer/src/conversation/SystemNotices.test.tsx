// @vitest-environment jsdom
import { waitFor } from '@testing-library/react';
import { VirtuosoMockContext } from 'react-virtuoso';
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../preload/api-types';
import type { UiLanguage } from '../i18n/setup';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { ConversationPane } from './ConversationPane';

const G = 'g:hike';
const ts = Date.now() - 60_000;
let seq = 0;
const notice = (from: string, body: Record<string, unknown>): MessageView =>
  ({ convId: G, seq: ++seq, clientMsgId: `system-${seq}`, from, ts, status: 'sent', recalled: false, edited: false, kind: 'system', body: { actor: from, ...body } }) as MessageView;

function setup(language: UiLanguage) {
  seq = 0;
  const messages = [
    notice('alice', { event: 'group.created', targets: ['me', 'bob'], name: 'Hike' }),
    notice('alice', { event: 'group.updated', name: 'Weekend hike' }),
    notice('alice', { event: 'admins.changed', targets: ['bob'], admin: true }),
    notice('bob', { event: 'group.muted', targets: ['me'], untilTs: ts + 3600_000 }),
    notice('alice', { event: 'group.muted', untilTs: 0 }),
    notice('alice', { event: 'member.kicked', targets: ['me'] }),
    notice('bob', { event: 'group.updated', announcement: 'Meet at\n8am  sharp' }),
    notice('bob', { event: 'group.updated', announcement: '' }),
  ];
  const conversation = conv(G, { kind: 'group', title: 'Weekend hike', lastSeq: seq, readSeq: seq });
  renderWithModel(
    <VirtuosoMockContext.Provider value={{ viewportHeight: 2000, itemHeight: 40 }}>
      <ConversationPane conversation={conversation} target={{ convId: G, nonce: 1 }} selfId="me" onSearchHere={() => undefined} />
    </VirtuosoMockContext.Provider>,
    {
      language,
      conversations: [conversation],
      logs: { [G]: { messages } },
      users: [
        { userId: 'alice', name: 'Alice', online: false, lastSeen: 0 },
        { userId: 'bob', name: 'Bob', online: false, lastSeen: 0 },
      ],
    },
  );
}

const notices = () => Array.from(document.querySelectorAll('[data-seq]')).map((el) => el.textContent?.trim());

describe('system entries', () => {
  it('read as sentences about who did what, naming the user "you"', async () => {
    setup('en');
    await waitFor(() => expect(notices()).toHaveLength(8));
    expect(notices()).toEqual([
      expect.stringContaining('Alice created the group'),
      'Alice renamed the group “Weekend hike”',
      'Alice made Bob an admin',
      'Bob muted you',
      'Alice turned off “mute everyone”',
      'Alice removed you',
      'Bob updated the announcement: Meet at 8am sharp',
      'Bob cleared the announcement',
    ]);
  });

  it('read naturally in Chinese, without spaces around names', async () => {
    setup('zh-CN');
    await waitFor(() => expect(notices()).toHaveLength(8));
    expect(notices().slice(1)).toEqual(['Alice将群名改为“Weekend hike”', 'Alice将Bob设为管理员', 'Bob将你禁言', 'Alice关闭了全员禁言', 'Alice将你移出了群聊', 'Bob更新了群公告：Meet at 8am sharp', 'Bob清除了群公告']);
  });
});
