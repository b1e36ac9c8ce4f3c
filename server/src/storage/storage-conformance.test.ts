/**
 * What every Storage must do, run against each implementation: SQLite always, PostgreSQL when
 * PARLEY_TEST_DATABASE_URL names a server (`npm run test:postgres`), with a note saying so when it does not.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { groupConvId, privateConvId, roomConvId, type EntryKind } from '../../../protocol/index.js';
import { TEST_DATABASE_URL, databaseUrlFor, dropDatabaseFor } from '../../test/test-database.js';
import { PgStorage } from './postgres/pg-storage.js';
import { SqliteStorage } from './sqlite/sqlite-storage.js';
import type { AppendItem, Storage } from './storage.js';
import type { ContactDecision } from './contact-state.js';

if (!TEST_DATABASE_URL) {
  process.stdout.write('storage conformance: PostgreSQL skipped: set PARLEY_TEST_DATABASE_URL (or run npm run test:postgres) to run it against PostgreSQL too\n');
}

const schemas: string[] = [];
afterAll(async () => {
  for (const s of schemas.splice(0)) await dropDatabaseFor(s);
});

/** A fresh PostgreSQL schema; its URL. */
async function freshPgUrl(): Promise<string> {
  const key = `conformance-${randomUUID()}`;
  schemas.push(key);
  return databaseUrlFor(key);
}

const implementations: Array<{ name: string; skip: boolean; open: () => Promise<Storage> }> = [
  { name: 'SQLite', skip: false, open: async () => new SqliteStorage({ file: ':memory:' }) },
  { name: 'PostgreSQL', skip: !TEST_DATABASE_URL, open: async () => PgStorage.open({ url: await freshPgUrl() }) },
];

/**
 * contacts.request's rule in short: nothing when contacts; both contacts when the other asked first; else a pending
 * request in both logs. Enough to check what the storage must guarantee of any decision.
 */
function asks(me: string, other: string, now: number): ContactDecision<'pending' | 'contacts'> {
  return (pair) => {
    if (pair.contacts[me]) return { writes: [], log: [], result: 'contacts' };
    if (pair.requests[other]) {
      return {
        writes: [
          { kind: 'contact', owner: me, other, contact: { userId: other, remark: '', tags: [], since: now } },
          { kind: 'contact', owner: other, other: me, contact: { userId: me, remark: '', tags: [], since: now } },
          { kind: 'request', from: other, to: me, request: null },
        ],
        log: [
          { userId: me, event: 'added' },
          { userId: other, event: 'added' },
        ],
        result: 'contacts',
      };
    }
    return {
      writes: [{ kind: 'request', from: me, to: other, request: { message: `from ${me}`, ts: now } }],
      log: [
        { userId: me, event: 'request.sent' },
        { userId: other, event: 'request.received' },
      ],
      result: 'pending',
    };
  };
}

let counter = 0;
function item(convId: string, from: string, extra: Partial<AppendItem> = {}): AppendItem {
  const n = ++counter;
  const kind = convId.startsWith('g:') ? 'group' : convId.startsWith('r:') ? 'room' : 'private';
  const members = kind === 'private' ? convId.slice(2).split('|') : [];
  return {
    convId,
    convKind: kind,
    members,
    msgId: `m${n}-${randomUUID()}`,
    clientMsgId: `c${n}-${randomUUID()}`,
    from,
    ts: 1_700_000_000_000 + n,
    kind: 'text' as EntryKind,
    body: { text: `message ${n}` },
    ...extra,
  };
}

for (const impl of implementations) {
  describe.skipIf(impl.skip)(`storage conformance: ${impl.name}`, () => {
    const opened: Storage[] = [];
    afterAll(async () => {
      for (const s of opened.splice(0)) await s.close();
    });
    async function open(): Promise<Storage> {
      const s = await impl.open();
      opened.push(s);
      return s;
    }

    it('gives the entries of a batch consecutive seqs per conversation, in order, and reads them back', async () => {
      const s = await open();
      const conv = privateConvId('alice', 'bob');
      const other = privateConvId('alice', 'carol');
      const out = await s.appendBatch([item(conv, 'alice'), item(other, 'alice'), item(conv, 'bob', { mentions: ['alice'], replyTo: 1 })]);
      expect(out.map((o) => (o.status === 'stored' ? [o.entry.convId, o.entry.seq] : o.status))).toEqual([
        [conv, 1],
        [other, 1],
        [conv, 2],
      ]);
      expect(await s.lastSeq(conv)).toBe(2);
      const history = await s.history(conv, { limit: 10 });
      expect(history.map((e) => e.seq)).toEqual([1, 2]);
      expect(history[1]).toMatchObject({ from: 'bob', mentions: ['alice'], replyTo: 1 });
      expect((await s.history(conv, { afterSeq: 1, limit: 10 })).map((e) => e.seq)).toEqual([2]);
      expect((await s.history(conv, { beforeSeq: 2, limit: 10 })).map((e) => e.seq)).toEqual([1]);
      expect(await s.members(conv)).toEqual(['alice', 'bob']);
      const listed = await s.listConversations('alice');
      expect(listed.map((c) => c.convId).sort()).toEqual([conv, other].sort());
      expect(listed.find((c) => c.convId === conv)).toMatchObject({ lastSeq: 2, peerId: 'bob', lastMessage: { seq: 2 } });
    });

    it('answers a retried clientMsgId with the original entry and stores nothing', async () => {
      const s = await open();
      const conv = privateConvId('dave', 'erin');
      const first = item(conv, 'dave');
      const [stored] = await s.appendBatch([first]);
      const [again] = await s.appendBatch([{ ...first, msgId: 'another', ts: first.ts + 5 }]);
      expect(again).toEqual({ status: 'duplicate', entry: stored!.status === 'stored' ? stored!.entry : null });
      expect(await s.lastSeq(conv)).toBe(1);
      expect(await s.findByClientMsgId('dave', first.clientMsgId)).toMatchObject({ seq: 1, msgId: first.msgId });
    });

    it('answers a clientMsgId sent twice in one batch with the entry stored for the first, in a batch spanning conversations', async () => {
      const s = await open();
      const a = privateConvId('olga', 'pia');
      const b = privateConvId('olga', 'quin');
      const earlier = item(a, 'olga');
      await s.appendBatch([earlier]);
      const first = item(b, 'olga', { mentions: ['quin'] });
      const out = await s.appendBatch([
        item(a, 'pia'),
        first,
        { ...earlier, msgId: 'retried' },
        item(b, 'quin'),
        { ...first, msgId: 'again', ts: first.ts + 1 },
        item(a, 'olga'),
      ]);
      expect(out.map((o) => (o.status === 'failed' ? o.status : [o.status, o.entry.convId, o.entry.seq]))).toEqual([
        ['stored', a, 2],
        ['stored', b, 1],
        ['duplicate', a, 1],
        ['stored', b, 2],
        ['duplicate', b, 1],
        ['stored', a, 3],
      ]);
      expect(out[4]).toEqual({ status: 'duplicate', entry: await s.getEntry(b, 1) });
      expect(out[4]).toMatchObject({ entry: { msgId: first.msgId, mentions: ['quin'] } });
      expect([await s.lastSeq(a), await s.lastSeq(b)]).toEqual([3, 2]);
      expect(await s.members(b)).toEqual(['olga', 'quin']);
    });

    it('answers retry and block lookups made at once each by its own pair; a pair that cannot be stored fails none of the others', async () => {
      const s = await open();
      const conv = privateConvId('rex', 'sue');
      const [a, b] = [item(conv, 'rex'), item(conv, 'sue')];
      await s.appendBatch([a, b]);
      await s.block('rex', 'sue', 1);
      const found = await Promise.allSettled([
        s.findByClientMsgId('rex', a.clientMsgId),
        s.findByClientMsgId('sue', a.clientMsgId),
        s.findByClientMsgId('rex', 'a\u0000b'),
        s.findByClientMsgId('sue', b.clientMsgId),
        s.findByClientMsgId('rex', 'none'),
      ]);
      expect(found.map((f) => (f.status === 'fulfilled' ? (f.value?.seq ?? null) : 'refused'))).toEqual([1, null, expect.toBeOneOf([null, 'refused']), 2, null]);
      expect(await Promise.all([s.isBlocked('rex', 'sue'), s.isBlocked('sue', 'rex'), s.isBlocked('rex', 'rex')])).toEqual([true, false, false]);
    });

    it('fails only the item whose check fails: requires member, requires room, a file no longer stored', async () => {
      const s = await open();
      const group = groupConvId('g1');
      const created = await s.createGroup(
        { groupId: 'g1', name: 'G', announcement: '', joinPolicy: 'open', mutedAllUntil: 0, createdAt: 1, dismissedAt: 0, public: false },
        [{ userId: 'owner', role: 'owner' }],
        item(group, 'owner', { kind: 'system' as EntryKind, body: { event: 'group.created' } }),
      );
      expect(created?.seq).toBe(1);
      const out = await s.appendBatch([
        item(group, 'owner', { requires: 'member' }),
        item(group, 'stranger', { requires: 'member' }),
        item(roomConvId('nowhere'), 'owner', { requires: 'room' }),
        item(group, 'owner', { fileIds: ['no-such-file'] }),
        item(group, 'owner', { requires: 'member' }),
      ]);
      expect(out.map((o) => (o.status === 'failed' ? (o.error as { code?: string }).code : o.status))).toEqual(['stored', 'FORBIDDEN', 'NOT_FOUND', 'NOT_FOUND', 'stored']);
      expect((await s.history(group, { limit: 10 })).map((e) => e.seq)).toEqual([1, 2, 3]);
    });

    it('keeps a file readable by the members of a conversation naming it, and starts its grace when a recall removes the last naming', async () => {
      const s = await open();
      const conv = privateConvId('fay', 'gus');
      await s.createUser({ userId: 'fay', name: 'Fay' }, 1);
      await s.insertFile({ fileId: 'file1', uploader: 'fay', name: 'a.bin', mime: 'application/octet-stream', size: 10, createdAt: 100 });
      expect(await s.mayReadFile('file1', 'gus')).toBe(false);
      const [sent] = await s.appendBatch([item(conv, 'fay', { kind: 'file' as EntryKind, body: { fileId: 'file1' }, fileIds: ['file1'] })]);
      expect(sent?.status).toBe('stored');
      expect(await s.mayReadFile('file1', 'gus')).toBe(true);
      expect(await s.markCollectable(Number.MAX_SAFE_INTEGER, 200, 10)).toEqual([]);
      await s.appendBatch([item(conv, 'fay', { kind: 'edit' as EntryKind, body: { seq: 1, text: 'edited' } })]);
      const recall = await s.recall(item(conv, 'fay', { kind: 'recall' as EntryKind, body: { seq: 1 } }), 1);
      expect(recall.seq).toBe(3);
      expect(await s.getEntry(conv, 1)).toMatchObject({ recalled: true, body: {} });
      expect(await s.getEntry(conv, 2)).toMatchObject({ recalled: true, body: {} });
      expect(await s.mayReadFile('file1', 'gus')).toBe(false);
      expect(await s.markCollectable(Number.MAX_SAFE_INTEGER, 300, 10)).toEqual([{ fileId: 'file1', size: 10, reason: 'unreferenced' }]);
      expect(await s.getFile('file1')).toBeNull();
      expect(await s.collectedFiles(10)).toEqual(['file1']);
      await s.forgetFiles(['file1']);
      expect(await s.collectedFiles(10)).toEqual([]);
    });

    it('keeps any text of an entry body as sent, U+0000 included, and recalls past edits holding it', async () => {
      const s = await open();
      const conv = privateConvId('nul', 'zed');
      const text = 'a\u0000b \ud83d\ude00 "quoted" \\';
      await s.appendBatch([item(conv, 'nul', { body: { text } }), item(conv, 'nul', { kind: 'edit' as EntryKind, body: { seq: 1, text } })]);
      expect((await s.getEntry(conv, 1))?.body).toEqual({ text });
      await s.recall(item(conv, 'nul', { kind: 'recall' as EntryKind, body: { seq: 1 } }), 1);
      expect((await s.history(conv, { limit: 10 })).map((e) => [e.seq, e.recalled ?? false])).toEqual([
        [1, true],
        [2, true],
        [3, false],
      ]);
    });

    it('raises read positions only forward and never past the log, and counts readers', async () => {
      const s = await open();
      const conv = privateConvId('hal', 'ivy');
      await s.appendBatch([item(conv, 'hal'), item(conv, 'hal')]);
      expect(await s.raiseReadSeq(conv, 'ivy', 1e308)).toBe(2);
      expect(await s.raiseReadSeq(conv, 'ivy', 1)).toBe(2);
      expect(await s.readCount(conv, 2, 'hal')).toEqual({ count: 1, total: 1 });
      expect(await s.getEntry(conv, 1e308)).toBeNull();
      expect(await s.history(conv, { afterSeq: 1e308, limit: 10 })).toEqual([]);
    });

    it('deletes a chatroom with its log; a room made again under its id starts a new log', async () => {
      const s = await open();
      expect(await s.putRoom({ roomId: 'lobby', name: 'Lobby', createdAt: 1 })).toBe(true);
      expect(await s.putRoom({ roomId: 'lobby', name: 'Lobby 2', createdAt: 2 })).toBe(false);
      const conv = roomConvId('lobby');
      await s.appendBatch([item(conv, 'jan', { requires: 'room' })]);
      expect(await s.deleteRoom('lobby')).toBe(true);
      expect(await s.deleteRoom('lobby')).toBe(false);
      const [gone] = await s.appendBatch([item(conv, 'jan', { requires: 'room' })]);
      expect(gone?.status === 'failed' && (gone.error as { code?: string }).code).toBe('NOT_FOUND');
      await s.putRoom({ roomId: 'lobby', name: 'Lobby', createdAt: 3 });
      const [fresh] = await s.appendBatch([item(conv, 'jan', { requires: 'room' })]);
      expect(fresh?.status === 'stored' && fresh.entry.seq).toBe(1);
    });

    it('takes one use of an invite per registration and refuses a taken id without using the code', async () => {
      const s = await open();
      await s.createInvite({ code: 'code1', usesLeft: 1, expiresAt: null, createdAt: 1 });
      await s.createUser({ userId: 'taken', name: 'T' }, 1);
      expect(await s.createUserWithInvite({ userId: 'taken', name: 'T', passwordHash: 'h' }, 'code1', 2)).toBe('conflict');
      expect(await s.createUserWithInvite({ userId: 'kim', name: 'K', passwordHash: 'h' }, 'code1', 2)).toBe('created');
      expect(await s.createUserWithInvite({ userId: 'lee', name: 'L', passwordHash: 'h' }, 'code1', 2)).toBe('invalid-invite');
      expect(await s.getUsers(['lee', 'kim', 'taken', 'kim'])).toMatchObject([{ userId: 'kim' }, { userId: 'taken' }]);
    });

    it('searches the directory: exact id, then id prefix, then folded names; hidden, blocking and unshared users by exact id only', async () => {
      const s = await open();
      await s.createUser({ userId: 'ann', name: 'Searcher' }, 1);
      await s.createUser({ userId: 'jo', name: 'Jo' }, 1);
      await s.createUser({ userId: 'jo2', name: 'Second' }, 1);
      await s.createUser({ userId: 'zed', name: 'JOSÉ Ortiz' }, 1);
      await s.createUserWithInvite({ userId: 'wang', name: '王小明', passwordHash: 'h' }, 'none', 1); // no such code: not created
      await s.createUser({ userId: 'wang', name: 'Wang' }, 1);
      await s.updateUser({ userId: 'wang', name: '王小明' });
      await s.createUser({ userId: 'pct', name: '100% real_name' }, 1);
      const search = (q: { id?: string; folded: string; scope?: 'all' | 'shared' | 'none'; after?: { rank: number; id: string }; limit?: number }) =>
        s.searchUsers({ searcher: 'ann', id: q.id ?? '', folded: q.folded, scope: q.scope ?? 'all', after: q.after, limit: q.limit ?? 10 });
      const ids = async (q: Parameters<typeof search>[0]) => (await search(q)).map((h) => `${h.rank}:${h.user.userId}`);

      expect(await ids({ id: 'jo', folded: 'jo' })).toEqual(['0:jo', '1:jo2', '2:zed']);
      expect(await ids({ folded: 'josé' })).toEqual([]); // the storage matches folded text: the caller folds
      expect(await ids({ folded: 'jose' })).toEqual(['2:zed']);
      expect(await ids({ folded: '小明' })).toEqual(['2:wang']);
      expect(await ids({ folded: '%' })).toEqual(['2:pct']); // LIKE's wildcards match themselves
      expect(await ids({ folded: 'a_e' })).toEqual([]); // 'ame' would match a wildcard
      expect(await ids({ folded: 'l_n' })).toEqual(['2:pct']);
      expect(await ids({ id: 'ann', folded: 'ann' })).toEqual([]); // never the searcher
      expect((await search({ folded: 'ortiz' }))[0]?.user).toMatchObject({ userId: 'zed', name: 'JOSÉ Ortiz' });

      // paging: after (rank, id)
      expect(await ids({ id: 'jo', folded: 'jo', limit: 2 })).toEqual(['0:jo', '1:jo2']);
      expect(await ids({ id: 'jo', folded: 'jo', after: { rank: 1, id: 'jo2' } })).toEqual(['2:zed']);
      expect(await ids({ id: 'jo', folded: 'jo', after: { rank: 0, id: 'jo' } })).toEqual(['1:jo2', '2:zed']);

      // hidden: exact id only
      expect(await s.setDiscoverable('jo', false)).toBe(true);
      expect(await s.setDiscoverable('nobody', false)).toBe(false);
      expect(await ids({ id: 'jo', folded: 'jo' })).toEqual(['0:jo', '1:jo2', '2:zed']);
      expect(await ids({ id: 'j', folded: 'j' })).toEqual(['1:jo2', '2:zed']);
      await s.setDiscoverable('jo', true);
      // scope none: exact id only
      expect(await ids({ id: 'jo', folded: 'jo', scope: 'none' })).toEqual(['0:jo']);
      // a user who blocked the searcher: exact id only
      await s.block('zed', 'ann', 1);
      expect(await ids({ folded: 'jose' })).toEqual([]);
      expect(await ids({ id: 'zed', folded: 'zed' })).toEqual(['0:zed']);
      // scope shared: users in a conversation with the searcher
      expect(await ids({ id: 'jo', folded: 'jo', scope: 'shared' })).toEqual(['0:jo']);
      await s.appendBatch([item(privateConvId('ann', 'jo2'), 'ann')]);
      expect(await ids({ id: 'jo', folded: 'jo', scope: 'shared' })).toEqual(['0:jo', '1:jo2']);
    });

    it('changes contacts in one transaction: the decision sees the state, its entries get consecutive seqs per user, a throw writes nothing', async () => {
      const s = await open();
      expect(await s.changeContacts('ka', 'kb', asks('ka', 'kb', 10), 10)).toEqual({
        result: 'pending',
        entries: [
          { userId: 'ka', entry: { seq: 1, ts: 10, userId: 'kb', event: 'request.sent', contact: null, request: { userId: 'kb', direction: 'out', message: 'from ka', ts: 10 } } },
          { userId: 'kb', entry: { seq: 1, ts: 10, userId: 'ka', event: 'request.received', contact: null, request: { userId: 'ka', direction: 'in', message: 'from ka', ts: 10 } } },
        ],
      });
      expect(await s.contactsOf('kb')).toEqual({ contacts: [], requests: [{ userId: 'ka', direction: 'in', message: 'from ka', ts: 10 }], lastSeq: 1 });
      await expect(
        s.changeContacts('kb', 'ka', () => {
          throw new Error('refused');
        }, 11),
      ).rejects.toThrow('refused');
      const both = await s.changeContacts('kb', 'ka', asks('kb', 'ka', 12), 12);
      expect(both.result).toBe('contacts');
      expect(both.entries.map((e) => [e.userId, e.entry.seq, e.entry.event])).toEqual([
        ['kb', 2, 'added'],
        ['ka', 2, 'added'],
      ]);
      expect(await s.isContact('ka', 'kb')).toBe(true);
      expect(await s.isContact('kb', 'ka')).toBe(true);
      expect(await s.isContact('ka', 'kc')).toBe(false);
      expect(await s.contactsOf('ka')).toEqual({ contacts: [{ userId: 'kb', remark: '', tags: [], since: 12 }], requests: [], lastSeq: 2 });
      expect((await s.changeContacts('ka', 'kb', asks('ka', 'kb', 13), 13)).entries).toEqual([]);
      const log = await s.contactLog('ka', 0, 1);
      expect(log.lastSeq).toBe(2);
      expect(log.entries.map((e) => e.event)).toEqual(['request.sent']);
      expect((await s.contactLog('ka', 1, 10)).entries).toMatchObject([{ seq: 2, event: 'added', contact: { userId: 'kb' }, request: null }]);
      expect(await s.contactLog('nobody', 0, 10)).toEqual({ entries: [], lastSeq: 0 });
    });

    it('lists public live groups by exact id or folded name, with member counts; public is set and read back', async () => {
      const s = await open();
      const make = async (groupId: string, name: string, listed: boolean, members: string[]) =>
        s.createGroup(
          { groupId, name, announcement: '', joinPolicy: 'approval', mutedAllUntil: 0, createdAt: 1, dismissedAt: 0, public: listed },
          members.map((userId, i) => ({ userId, role: i === 0 ? ('owner' as const) : ('member' as const) })),
          item(groupConvId(groupId), members[0]!, { kind: 'system' as EntryKind, body: { event: 'group.created' } }),
        );
      await make('g-b', 'Café Crème', true, ['u1', 'u2', 'u3']);
      await make('g-a', 'Le café', true, ['u1']);
      await make('g-c', 'Secret café', false, ['u1']);
      const names = async (id: string, folded: string, after?: { rank: number; id: string }) =>
        (await s.searchGroups({ id, folded, after, limit: 10 })).map((h) => `${h.rank}:${h.group.groupId}:${h.memberCount}:${h.group.joinPolicy}`);
      expect(await names('', 'cafe')).toEqual(['1:g-a:1:approval', '1:g-b:3:approval']);
      expect(await names('g-b', 'g-b')).toEqual(['0:g-b:3:approval']);
      expect(await names('', 'cafe', { rank: 1, id: 'g-a' })).toEqual(['1:g-b:3:approval']);
      expect(await names('g-c', 'g-c')).toEqual([]);
      const listed = item(groupConvId('g-c'), 'u1', { kind: 'system' as EntryKind, body: { event: 'group.updated' } });
      await s.changeGroup({ groupId: 'g-c', set: { public: true, name: 'Open Café' } }, listed);
      expect((await s.loadGroup('g-c'))?.group).toMatchObject({ public: true, name: 'Open Café' });
      expect(await names('', 'open cafe')).toEqual(['1:g-c:1:approval']);
      const dismissed = item(groupConvId('g-a'), 'u1', { kind: 'system' as EntryKind, body: { event: 'group.dismissed' } });
      await s.changeGroup({ groupId: 'g-a', set: { dismissedAt: 5 } }, dismissed);
      expect(await names('', 'cafe')).toEqual(['1:g-b:3:approval', '1:g-c:1:approval']);
    });
  });
}

describe.skipIf(!TEST_DATABASE_URL)('PostgreSQL with several servers on one database', () => {
  it('migrates once when servers start at once, and stores a clientMsgId sent to two of them once, with one seq', async () => {
    const url = await freshPgUrl();
    const nodes = await Promise.all([PgStorage.open({ url }), PgStorage.open({ url }), PgStorage.open({ url })]);
    try {
      const conv = privateConvId('max', 'ned');
      const retried = item(conv, 'max');
      const outcomes = (await Promise.all(nodes.map((n) => n.appendBatch([retried])))).flat();
      expect(outcomes.map((o) => o.status).sort()).toEqual(['duplicate', 'duplicate', 'stored']);
      expect(new Set(outcomes.map((o) => (o.status === 'failed' ? null : o.entry.seq)))).toEqual(new Set([1]));
      // Concurrent appends to one conversation from all servers: seqs without a gap or a repeat.
      const many = await Promise.all(nodes.flatMap((n) => Array.from({ length: 5 }, () => n.appendBatch([item(conv, 'ned')]))));
      const seqs = many.flat().map((o) => (o.status === 'stored' ? o.entry.seq : -1));
      expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i + 2));
    } finally {
      for (const n of nodes) await n.close();
    }
  });

  it('numbers a user’s contact log without a gap or a repeat when servers change it at once, and decides a pair once', async () => {
    const url = await freshPgUrl();
    const nodes = await Promise.all([PgStorage.open({ url }), PgStorage.open({ url }), PgStorage.open({ url })]);
    try {
      const others = Array.from({ length: 12 }, (_, i) => `kx${i}`);
      await Promise.all(others.map((o, i) => nodes[i % 3]!.changeContacts(o, 'khub', asks(o, 'khub', i), i)));
      const hub = await nodes[0]!.contactLog('khub', 0, 100);
      expect(hub.entries.map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(hub.entries.map((e) => e.userId).sort()).toEqual([...others].sort());
      // Two users asking each other at once, on two servers: one request is pending, the other makes them contacts.
      const results = await Promise.all([nodes[1]!.changeContacts('kp', 'kq', asks('kp', 'kq', 1), 1), nodes[2]!.changeContacts('kq', 'kp', asks('kq', 'kp', 1), 1)]);
      expect(results.map((r) => r.result).sort()).toEqual(['contacts', 'pending']);
      for (const u of ['kp', 'kq']) {
        expect((await nodes[0]!.contactLog(u, 0, 10)).entries.map((e) => [e.seq, e.event])).toEqual([
          [1, u === results.find((r) => r.result === 'pending')!.entries[0]!.userId ? 'request.sent' : 'request.received'],
          [2, 'added'],
        ]);
      }
    } finally {
      for (const n of nodes) await n.close();
    }
  });

  it('stores the same batch of retries sent to two servers at once, in opposite orders, once each with dense seqs', async () => {
    const url = await freshPgUrl();
    const nodes = await Promise.all([PgStorage.open({ url }), PgStorage.open({ url })]);
    try {
      const convs = [privateConvId('ann', 'bo'), privateConvId('ann', 'cy'), privateConvId('bo', 'cy')];
      const items = Array.from({ length: 30 }, (_, i) => item(convs[i % 3]!, i % 3 === 2 ? 'bo' : 'ann'));
      const [forward, backward] = await Promise.all([nodes[0]!.appendBatch(items), nodes[1]!.appendBatch([...items].reverse())]);
      backward!.reverse();
      items.forEach((_, i) => {
        const pair = [forward![i]!, backward![i]!];
        expect(pair.map((o) => o.status).sort()).toEqual(['duplicate', 'stored']);
        expect(pair[0]!.status !== 'failed' && pair[0]!.entry).toEqual(pair[1]!.status !== 'failed' && pair[1]!.entry);
      });
      for (const conv of convs) expect((await nodes[0]!.history(conv, { limit: 20 })).map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    } finally {
      for (const n of nodes) await n.close();
    }
  });
});
