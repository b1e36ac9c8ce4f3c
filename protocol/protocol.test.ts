import { describe, expect, it } from 'vitest';
import { utf8Length } from './kinds.js';
import { groupIdOf, roomIdOf } from './ids.js';
import {
  codePointLength,
  isValidFileId,
  parseConvId,
  parseEntryBody,
  parseRequestBody,
  parseRequestFrame,
  privateConvId,
  privatePeer,
  ProtocolError,
} from './index.js';

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe('BAD_REQUEST');
    return (e as ProtocolError).message;
  }
  throw new Error('expected BAD_REQUEST');
}

describe('conversation ids', () => {
  it('are canonical for private chats, whoever names them', () => {
    expect(privateConvId('bob', 'alice')).toBe('p:alice|bob');
    expect(privateConvId('alice', 'bob')).toBe('p:alice|bob');
    expect(privateConvId('B', 'a')).toBe('p:B|a'); // byte order: upper case sorts first
  });
  it('parse only in canonical form', () => {
    expect(parseConvId('p:alice|bob')).toEqual({ kind: 'private', convId: 'p:alice|bob', members: ['alice', 'bob'] });
    expect(parseConvId('p:bob|alice')).toBeNull();
    expect(parseConvId('p:alice|alice')).toBeNull();
    expect(parseConvId('g:team-1')).toEqual({ kind: 'group', convId: 'g:team-1', groupId: 'team-1' });
    expect(parseConvId('r:lobby')).toMatchObject({ kind: 'room', roomId: 'lobby' });
    expect(parseConvId('x:foo')).toBeNull();
    expect(parseConvId('g:../etc')).toBeNull();
    expect(parseConvId('g:' + 'a'.repeat(65))).toBeNull();
  });
  it('name the peer of a private chat', () => {
    expect(privatePeer('p:alice|bob', 'alice')).toBe('bob');
    expect(privatePeer('p:alice|bob', 'carol')).toBeNull();
  });
});

describe('request validation', () => {
  it('accepts a well-formed send', () => {
    const body = parseRequestBody('send', { convId: 'p:a|b', clientMsgId: 'c1', kind: 'text', body: { text: 'hi' } });
    expect(body.convId).toBe('p:a|b');
  });
  it('rejects wrong types, unknown kinds of value and out-of-range limits', () => {
    expect(badRequest(() => parseRequestBody('history', { convId: 'p:a|b', limit: 101 }))).toMatch(/limit/);
    expect(badRequest(() => parseRequestBody('history', { convId: 'p:a|b', limit: 0 }))).toMatch(/limit/);
    badRequest(() => parseRequestBody('read', { convId: 'p:a|b', seq: '3' }));
    badRequest(() => parseRequestBody('users.get', { userIds: Array.from({ length: 101 }, (_, i) => `u${i}`) }));
    badRequest(() => parseRequestBody('block', { userId: 'bad id!' }));
    badRequest(() => parseRequestBody('hello', { token: 't', device: { id: 'd', platform: 'x', app: 'y' }, protocol: 2 }));
  });
  it('checks frame envelopes', () => {
    expect(parseRequestFrame({ type: 'req', id: 1, op: 'sync', body: {} }).op).toBe('sync');
    badRequest(() => parseRequestFrame({ type: 'req', id: 'one', op: 'sync' }));
    badRequest(() => parseRequestFrame([1, 2]));
  });
});

describe('entry bodies', () => {
  it('count text in code points, not UTF-16 units', () => {
    const emoji = '😀'.repeat(8000);
    expect(codePointLength(emoji)).toBe(8000);
    expect(parseEntryBody('text', { text: emoji })).toEqual({ text: emoji });
    badRequest(() => parseEntryBody('text', { text: emoji + '😀' }));
    badRequest(() => parseEntryBody('text', { text: '' }));
  });
  it('bound custom data by its serialized size', () => {
    expect(parseEntryBody('custom', { type: 'card', data: { a: 1 } })).toBeTruthy();
    badRequest(() => parseEntryBody('custom', { type: 'card', data: 'x'.repeat(9000) }));
  });
  it('refuse file ids that could escape the file store', () => {
    expect(isValidFileId('AbCdEfGh12345678_-')).toBe(true);
    for (const id of ['../../etc/passwd', '..%2f..%2f', 'abc/def12345', 'a\u0000bcdefgh']) expect(isValidFileId(id)).toBe(false);
    badRequest(() => parseEntryBody('file', { fileId: '../secret', name: 'a', size: 1, mime: 'text/plain' }));
  });
  it('check locations', () => {
    badRequest(() => parseEntryBody('location', { lat: 91, lng: 0, label: '' }));
    expect(parseEntryBody('location', { lat: 31.2, lng: 121.5, label: '上海' })).toBeTruthy();
  });
});

describe('conversation ids in requests', () => {
  it('must be canonical', () => {
    expect(parseRequestBody('typing', { convId: 'p:alice|bob' }).convId).toBe('p:alice|bob');
    for (const convId of ['p:bob|alice', 'p:a|a', 'x:y', 'g:', 'g:a b']) badRequest(() => parseRequestBody('typing', { convId }));
  });
});

describe('utf8Length', () => {
  it('counts UTF-8 bytes as TextEncoder does, without needing it', () => {
    for (const text of ['', 'ascii', 'Résumé', '你好，世界', '👩‍👩‍👧 emoji', '\ud800 lone', 'x'.repeat(1000)]) {
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});

describe('conversation ids', () => {
  it('name their group or room, and nothing for other kinds or malformed ids', () => {
    expect(groupIdOf('g:team-1')).toBe('team-1');
    expect(roomIdOf('r:lobby')).toBe('lobby');
    expect(groupIdOf('r:lobby')).toBeNull();
    expect(roomIdOf('g:team')).toBeNull();
    expect(groupIdOf('p:alice|bob')).toBeNull();
    expect(groupIdOf('g:bad id')).toBeNull();
  });
});
