import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactEntry } from '../../../protocol/index.js';
import { openStore, type Store } from './store.js';

const added = (seq: number, userId: string, remark = ''): ContactEntry => ({
  seq, ts: seq, userId, event: 'added', contact: { userId, remark, tags: [], since: seq }, request: null,
});
const asked = (seq: number, userId: string): ContactEntry => ({
  seq, ts: seq, userId, event: 'request.received', contact: null, request: { userId, direction: 'in', message: 'hi', ts: seq },
});

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-contacts-'));
  store = openStore({ path: path.join(dir, 'store.db'), userId: 'me' });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ContactsRepo', () => {
  it('applies entries in seq order, each replacing the state for its user', () => {
    expect(store.contacts.apply([asked(1, 'bob'), added(2, 'bob', 'Bobby')])).toEqual({ applied: 2, gap: false });
    expect(store.contacts.snapshot()).toEqual({ contacts: [{ userId: 'bob', remark: 'Bobby', tags: [], since: 2 }], requests: [], lastSeq: 2 });
  });

  it('skips entries it holds and stops at a gap', () => {
    store.contacts.apply([asked(1, 'bob')]);
    expect(store.contacts.apply([asked(1, 'bob'), added(3, 'carol')])).toEqual({ applied: 0, gap: true });
    expect(store.contacts.snapshot()).toMatchObject({ contacts: [], lastSeq: 1 });
    expect(store.contacts.apply([added(3, 'carol'), added(2, 'bob')])).toEqual({ applied: 2, gap: false });
    expect(store.contacts.snapshot().contacts.map((c) => c.userId)).toEqual(['bob', 'carol']);
  });

  it('keeps profiles of listed users only, with their presence', () => {
    store.contacts.apply([added(1, 'bob')]);
    store.contacts.rememberUsers([
      { userId: 'bob', name: '王小明', online: false, lastSeen: 5, status: 'busy' },
      { userId: 'stranger', name: 'S', online: true, lastSeen: 0 },
    ]);
    expect(store.contacts.setPresence('bob', true, 9)).toBe(true);
    expect([...store.contacts.users().values()]).toEqual([{ userId: 'bob', name: '王小明', online: true, lastSeen: 9, status: 'busy' }]);
    // Bob is no longer a contact: his profile goes with him.
    store.contacts.apply([{ seq: 2, ts: 2, userId: 'bob', event: 'removed', contact: null, request: null }]);
    expect(store.contacts.setPresence('bob', false, 10)).toBe(false);
  });
});
