/**
 * Demo data for looking at the UI without main or a server (dev/demo.html only, never the app bundle):
 * a handful of chats in English and Chinese, every message state, and one chat of 100,000 messages.
 */
import type { ConversationView, MessageView, UserView } from '../../preload/api-types';
import { messagePreview, textMessage, type FakeApiOptions, type FakeLog } from '../src/testing/fake-api';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const SELF = 'me';

export function demoOptions(now: number, imageBytes: Uint8Array | null): FakeApiOptions {
  const users: UserView[] = [
    { userId: 'ada', name: 'Ada Lovelace', online: true, lastSeen: now },
    { userId: 'li.wei', name: '李伟', online: false, lastSeen: now - 14 * MIN },
    { userId: 'zhang.min', name: '张敏', online: false, lastSeen: now - 3 * HOUR },
    { userId: 'grace', name: 'Grace Hopper', online: false, lastSeen: now - 2 * DAY },
    { userId: 'sam', name: 'Sam Rivera', online: true, lastSeen: now },
    { userId: 'yuki', name: 'Yuki Tanaka', online: false, lastSeen: now - DAY - 2 * HOUR },
    { userId: 'kim', name: 'Kim Park', online: false, lastSeen: now - 40 * MIN },
    { userId: 'bench', name: 'Load Test · 100k', online: false, lastSeen: now - 5 * DAY },
    { userId: SELF, name: 'Alex Wang', online: true, lastSeen: now },
  ];

  const pc = (peer: string) => (SELF < peer ? `p:${SELF}|${peer}` : `p:${peer}|${SELF}`);
  const logs: Record<string, FakeLog> = {};
  const conversations: ConversationView[] = [];

  const conv = (peer: string, messages: MessageView[], extra: Partial<ConversationView> = {}) => {
    const convId = pc(peer);
    logs[convId] = { messages };
    const last = messages[messages.length - 1];
    const lastSeq = messages.reduce((n, m) => Math.max(n, m.seq ?? 0), 0);
    conversations.push({
      convId,
      kind: 'private',
      title: users.find((u) => u.userId === peer)?.name ?? peer,
      lastSeq,
      readSeq: lastSeq,
      peerReadSeq: lastSeq,
      unread: 0,
      mentioned: false,
      muted: false,
      pinned: false,
      updatedAt: last?.ts ?? now,
      lastMessage: last ? messagePreview(last) : null,
      draft: '',
      ...extra,
    });
    return convId;
  };

  let id = 0;
  const t = (convId: string, seq: number | null, from: string, text: string, ts: number, extra: Partial<MessageView> = {}) =>
    textMessage(convId, seq, from, text, ts, { clientMsgId: `demo-${++id}`, ...extra });

  // Ada: an English conversation over two days, with a reply, an edit, an image, a file, read receipts.
  {
    const c = pc('ada');
    const y = now - DAY;
    const msgs: MessageView[] = [
      t(c, 1, 'ada', 'Morning! Did the analytical engine notes make it to the printer?', y - 3 * HOUR),
      t(c, 2, SELF, 'They did — 42 pages. I added your diagrams as an appendix.', y - 3 * HOUR + 2 * MIN),
      t(c, 3, 'ada', 'Wonderful. Note G is the one that matters most.', y - 3 * HOUR + 3 * MIN),
      t(c, 4, 'ada', 'It computes the Bernoulli numbers step by step.', y - 3 * HOUR + 3 * MIN + 20_000),
      t(c, 5, SELF, 'I’ll double-check the table before Friday 👍', y - 2 * HOUR, { edited: true }),
      t(c, 6, 'ada', 'Can you send me the final layout when you have it?', now - 2 * HOUR),
    ];
    if (imageBytes) {
      msgs.push({
        convId: c, seq: 7, clientMsgId: `demo-${++id}`, from: SELF, ts: now - 90 * MIN, status: 'sent', recalled: false, edited: false,
        kind: 'image', body: { fileId: 'demo-image', name: 'layout-v3.png', size: imageBytes.byteLength, mime: 'image/png', width: 640, height: 420 },
      } as MessageView);
    }
    msgs.push(
      {
        convId: c, seq: 8, clientMsgId: `demo-${++id}`, from: SELF, ts: now - 89 * MIN, status: 'sent', recalled: false, edited: false,
        kind: 'file', body: { fileId: 'demo-file', name: 'Sketch of the Analytical Engine.pdf', size: 2_483_112, mime: 'application/pdf' },
      } as MessageView,
      t(c, 9, 'ada', 'This is lovely. The margins are much better now.', now - 30 * MIN, { replyTo: 7 }),
      t(c, 10, SELF, 'Great, then it goes to print tomorrow morning.', now - 12 * MIN),
      t(c, 11, SELF, 'Shall we meet at 10?', now - 11 * MIN),
    );
    conv('ada', msgs, { pinned: true, peerReadSeq: 10 });
  }

  // 李伟: Chinese, three unread, a mention.
  {
    const c = pc('li.wei');
    conv(
      'li.wei',
      [
        t(c, 1, SELF, '周五的发布计划发你了，有空看一下。', now - 5 * HOUR),
        t(c, 2, 'li.wei', '收到，我下午看。', now - 4 * HOUR),
        t(c, 3, 'li.wei', '服务端的压测报告已经上传到共享盘了', now - 25 * MIN),
        t(c, 4, 'li.wei', '@Alex 你看一下第三节的数据，P99 延迟比上周低了 18%', now - 24 * MIN),
        t(c, 5, 'li.wei', '另外，客户端离线重发的问题已经修好了 🎉', now - 6 * MIN),
      ],
      { readSeq: 2, unread: 3, mentioned: true },
    );
  }

  // 张敏: has a draft.
  {
    const c = pc('zhang.min');
    conv('zhang.min', [t(c, 1, 'zhang.min', '明天上午的评审改到十点半了', now - DAY - 3 * HOUR), t(c, 2, SELF, '好的，我会准时参加', now - DAY - 2 * HOUR)], {
      draft: '明天的会议我可能会晚到十分钟',
    });
  }

  // Sam: the last message failed.
  {
    const c = pc('sam');
    conv(
      'sam',
      [
        t(c, 1, 'sam', 'Are you coming to the climbing gym tonight?', now - 3 * HOUR),
        t(c, 2, SELF, 'Yes! Bringing the new shoes.', now - 50 * MIN),
        t(c, null, SELF, 'Leaving the office now, see you in 20', now - 48 * MIN, { status: 'failed', failure: { code: 'BLOCKED', message: 'blocked' } }),
      ],
      { peerReadSeq: 2 },
    );
  }

  // Grace: muted, many unread.
  {
    const c = pc('grace');
    const msgs: MessageView[] = [];
    for (let i = 1; i <= 14; i++) msgs.push(t(c, i, 'grace', i === 14 ? 'Found the moth. Taping it into the logbook.' : `Relay ${i} checked.`, now - 2 * DAY + i * MIN));
    conv('grace', msgs, { muted: true, readSeq: 2, unread: 12 });
  }

  // Yuki: recalled.
  {
    const c = pc('yuki');
    conv('yuki', [t(c, 1, SELF, 'See you in Kyoto!', now - 3 * DAY), t(c, 2, 'yuki', '', now - 3 * DAY + 5 * MIN, { recalled: true, body: {} } as Partial<MessageView>)]);
  }

  // Kim: last message an image.
  {
    const c = pc('kim');
    const msgs: MessageView[] = [t(c, 1, 'kim', 'Photos from the offsite are up', now - 9 * DAY)];
    if (imageBytes) {
      msgs.push({
        convId: c, seq: 2, clientMsgId: `demo-${++id}`, from: 'kim', ts: now - 9 * DAY + MIN, status: 'sent', recalled: false, edited: false,
        kind: 'image', body: { fileId: 'demo-image', name: 'offsite.png', size: imageBytes.byteLength, mime: 'image/png', width: 640, height: 420 },
      } as MessageView);
    }
    conv('kim', msgs);
  }

  // A group: sender names and avatars, a system notice, consecutive messages grouped.
  {
    const c = 'g:design';
    const sys = (seq: number, ts: number, body: Record<string, unknown>) =>
      ({ convId: c, seq, clientMsgId: `demo-${++id}`, from: 'li.wei', ts, status: 'sent', recalled: false, edited: false, kind: 'system', body } as MessageView);
    const msgs: MessageView[] = [
      sys(1, now - 26 * HOUR, { event: 'group.created', actor: 'li.wei' }),
      sys(2, now - 26 * HOUR + MIN, { event: 'member.invited', actor: 'li.wei', targets: [SELF, 'zhang.min', 'ada'] }),
      t(c, 3, 'zhang.min', '新版图标的三套方案都放到设计稿里了', now - 70 * MIN),
      t(c, 4, 'zhang.min', '大家看看更喜欢哪一套？', now - 69 * MIN),
      t(c, 5, 'ada', 'The second one reads best at small sizes.', now - 40 * MIN),
      t(c, 6, SELF, '同意，第二套在深色模式下也更清楚', now - 38 * MIN),
      t(c, 7, 'li.wei', `@${SELF} 那就定第二套，周五前出切图 👍`, now - 20 * MIN, { mentions: [SELF] }),
    ];
    logs[c] = { messages: msgs };
    conversations.push({
      convId: c, kind: 'group', title: '设计组 · Design', lastSeq: 7, readSeq: 6, unread: 1, mentioned: true, muted: false, pinned: false,
      updatedAt: now - 20 * MIN, lastMessage: messagePreview(msgs[msgs.length - 1] as MessageView), draft: '',
    });
  }

  // 100,000 messages, made on demand.
  {
    const c = pc('bench');
    const count = 100_000;
    const start = now - 400 * DAY;
    const step = (400 * DAY) / count;
    const words = ['latency', 'throughput', 'sync', 'outbox', 'seq', '延迟', '吞吐量', '同步', 'reconnect', 'backoff'];
    logs[c] = {
      count,
      make: (seq) =>
        textMessage(c, seq, seq % 3 === 0 ? SELF : 'bench', `#${seq} ${words[seq % words.length]} ${'·'.repeat(seq % 7)} ${seq % 11 === 0 ? 'A longer message that wraps over more than one line, to give the list rows different heights as real chats have.' : ''}`.trim(), Math.round(start + seq * step), {
          clientMsgId: `bench-${seq}`,
        }),
    };
    conversations.push({
      convId: c, kind: 'private', title: 'Load Test · 100k', lastSeq: count, readSeq: count, peerReadSeq: count, unread: 0, mentioned: false,
      muted: false, pinned: false, updatedAt: now - 5 * DAY,
      lastMessage: { from: 'bench', kind: 'text', ts: now - 5 * DAY, text: `#${count}`, recalled: false, status: 'sent' }, draft: '',
    });
  }

  const files: FakeApiOptions['files'] = {
    'demo-file': { data: new TextEncoder().encode('%PDF-1.4 demo'), mime: 'application/pdf' },
  };
  if (imageBytes) files['demo-image'] = { data: imageBytes, mime: 'image/png' };
  // One person with a photo (the generated picture), the others with their initials.
  const avatars: FakeApiOptions['avatars'] = {};
  if (imageBytes) {
    avatars['/v1/avatars/demo-ada'] = { bytes: imageBytes, mime: 'image/png' };
    const ada = users.find((u) => u.userId === 'ada');
    if (ada) ada.avatar = '/v1/avatars/demo-ada';
  }

  return {
    session: { state: 'signed-in', userId: SELF, name: 'Alex Wang', serverUrl: 'http://127.0.0.1:8080' },
    conversations,
    logs,
    users,
    files,
    avatars,
    ackDelayMs: 400,
    // Long enough to see an edit or recall marked while it is on its way.
    changeDelayMs: 1500,
    people: {
      contacts: [
        { userId: 'ada', since: now - 90 * DAY },
        { userId: 'li.wei', remark: '伟哥', tags: ['同事'], since: now - 30 * DAY },
        { userId: 'zhang.min', since: now - 7 * DAY },
        { userId: 'grace', since: now - 200 * DAY },
      ],
      requests: [
        { userId: 'yuki', direction: 'in', message: 'Hi Alex, we met at the design review', ts: now - 2 * HOUR },
        { userId: 'kim', direction: 'out', ts: now - DAY },
      ],
      publicGroups: [{ groupId: 'book-club', name: '读书会 Book club', memberCount: 12, joinPolicy: 'approval' }],
    },
  };
}

/** A generated picture for the image messages (demo only): no asset files, nothing fetched. */
export async function demoImage(): Promise<Uint8Array | null> {
  if (typeof OffscreenCanvas === 'undefined') return null;
  const canvas = new OffscreenCanvas(640, 420);
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const sky = ctx.createLinearGradient(0, 0, 0, 420);
  sky.addColorStop(0, '#8ec5ff');
  sky.addColorStop(1, '#f6d6b8');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, 640, 420);
  ctx.fillStyle = '#ffd36e';
  ctx.beginPath();
  ctx.arc(470, 140, 52, 0, Math.PI * 2);
  ctx.fill();
  const hills: Array<[string, number]> = [['#6a8fb8', 250], ['#47698f', 300], ['#2f4a68', 350]];
  for (const [color, base] of hills) {
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.moveTo(0, 420);
    for (let x = 0; x <= 640; x += 40) ctx.lineTo(x, base - 40 * Math.sin((x + base) / 90));
    ctx.lineTo(640, 420);
    ctx.fill();
  }
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new Uint8Array(await blob.arrayBuffer());
}
