import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_LIMITS,
  isGroupSystemBody,
  limitsOf,
  MalformedFrameError,
  parseAnswer,
  parseEntryBody,
  parseEvent,
  ProtocolError,
  type LogEntry,
} from './index.js';
import type * as Pure from './pure.js';

const entry = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  convId: 'p:alice|bob',
  seq: 3,
  msgId: 'm-3',
  clientMsgId: 'c-3',
  from: 'alice',
  ts: 1763770000000,
  kind: 'text',
  body: { text: 'hi' },
  ...over,
});

function malformed(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedFrameError);
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as ProtocolError).code).toBe('INTERNAL');
    return (e as Error).message;
  }
  throw new Error('expected a MalformedFrameError');
}

describe('answers', () => {
  it('accept what part 1 describes, and the extensions of part 2', () => {
    expect(parseAnswer('send', { msgId: 'm', seq: 1, ts: 5 }).seq).toBe(1);
    expect(parseAnswer('recall', { seq: 9 })).toEqual({ seq: 9 });
    expect(parseAnswer('recall', { seq: 9, msgId: 'm', ts: 7 })).toEqual({ seq: 9, msgId: 'm', ts: 7 });
    expect(parseAnswer('group.readCount', { count: 1, total: 4 }).total).toBe(4);
    const hello = parseAnswer('hello', { userId: 'a', sessionId: 's', serverTime: 1, limits: { maxFrameBytes: 1, sendPerSecond: 5, maxFileBytes: 2 } });
    expect(hello.limits.recallWindowMs).toBeUndefined();
    const removed = { convId: 'g:team', kind: 'group', title: 'Team', lastSeq: 4, readSeq: 2, muted: false, pinned: false, updatedAt: 1, lastMessage: null, removed: true };
    expect(parseAnswer('sync', { conversations: [removed] }).conversations[0]!.removed).toBe(true);
  });

  it('admit fields a newer server adds, in answers, entries and the empty answers', () => {
    expect(parseAnswer('read', { newField: 1 })).toEqual({ newField: 1 });
    const messages = [entry({ reactions: ['👍'] }), entry({ seq: 4, kind: 'image', body: { fileId: 'f1', name: 'a.png', size: 1, mime: 'image/png', width: 1, height: 1, blurhash: 'x' } })];
    expect(parseAnswer('history', { messages, nextCursor: 'z' }).messages).toHaveLength(2);
  });

  it('accept recalled entries with an empty body, and system entries with details', () => {
    const got = parseAnswer('history', {
      messages: [entry({ recalled: true, body: {} }), entry({ seq: 4, kind: 'system', body: { event: 'group.muted', actor: 'a', untilTs: 0 } })],
    }).messages;
    expect(got[0]!.body).toEqual({});
  });

  it('check the shape, not the limits the server owns', () => {
    // A server announcing a longer maxTextChars delivers longer texts; a client must still read them.
    expect(parseAnswer('history', { messages: [entry({ body: { text: 'x'.repeat(20_000) } })] }).messages).toHaveLength(1);
    // Sending is checked against the contract's limits.
    expect(() => parseEntryBody('text', { text: 'x'.repeat(20_000) })).toThrow(ProtocolError);
  });

  it('refuse wrong shapes, naming the op and the place', () => {
    expect(malformed(() => parseAnswer('send', { msgId: 'm', seq: '1', ts: 5 }))).toMatch(/^malformed answer to send: \/seq/);
    expect(malformed(() => parseAnswer('sync', {}))).toMatch(/sync.*conversations/);
    expect(malformed(() => parseAnswer('history', { messages: [entry({ convId: 'p:bob|alice' })] }))).toMatch(/messages\/0/);
    malformed(() => parseAnswer('history', { messages: [entry({ kind: 'text', body: { text: 3 } })] }));
    malformed(() => parseAnswer('history', { messages: [entry({ kind: 'sticker' })] }));
    malformed(() => parseAnswer('group.members', { members: [{ userId: 'a', role: 'superuser' }] }));
    malformed(() => parseAnswer('hello', { userId: 'a', sessionId: 's', serverTime: 1 }));
    malformed(() => parseAnswer('read', null));
  });

  it('type what they return from the schemas', () => {
    const [m] = parseAnswer('history', { messages: [entry()] }).messages;
    const e: LogEntry = m!;
    if (e.kind === 'text' && !e.recalled) expect(e.body.text).toBe('hi');
  });
});

describe('events', () => {
  it('are checked against their schema and typed by name', () => {
    const got = parseEvent('read', { convId: 'p:alice|bob', userId: 'bob', seq: 4 });
    expect(got.ok && got.event.ev === 'read' && got.event.body.seq).toBe(4);
    expect(parseEvent('msg', entry()).ok).toBe(true);
    expect(parseEvent('room.left', { roomId: 'lobby', reason: 'idle', extra: 1 }).ok).toBe(true);
  });

  it('malformed ones are described; unknown ones are told apart (a newer server’s)', () => {
    expect(parseEvent('typing', { convId: 'p:alice|bob' })).toMatchObject({ ok: false, unknown: false, problem: expect.stringMatching(/typing.*userId/) });
    expect(parseEvent('room.left', { roomId: 'lobby', reason: 'bored' })).toMatchObject({ ok: false, unknown: false });
    expect(parseEvent('msg', entry({ seq: 0 }))).toMatchObject({ ok: false, unknown: false });
    expect(parseEvent('reaction', {})).toMatchObject({ ok: false, unknown: true });
  });
});

describe('limits', () => {
  it('fill what an older server does not announce with the protocol defaults', () => {
    expect(limitsOf({ maxFrameBytes: 10, sendPerSecond: 0, maxFileBytes: 20 })).toEqual({ ...DEFAULT_LIMITS, maxFrameBytes: 10, sendPerSecond: 0, maxFileBytes: 20 });
    expect(limitsOf({ maxFrameBytes: 10, sendPerSecond: 5, maxFileBytes: 20, recallWindowMs: 600_000 }).recallWindowMs).toBe(600_000);
  });
});

describe('system event bodies', () => {
  it('narrow the group events by name and refuse others', () => {
    const body: unknown = { event: 'admins.changed', actor: 'a', targets: ['b'], admin: true };
    expect(isGroupSystemBody(body) && body.event === 'admins.changed' && body.admin).toBe(true);
    expect(isGroupSystemBody({ event: 'group.muted', actor: 'a', untilTs: 5 })).toBe(true);
    expect(isGroupSystemBody({ event: 'admins.changed', actor: 'a', targets: ['b'] })).toBe(false);
    expect(isGroupSystemBody({ event: 'party.started', actor: 'a' })).toBe(false);
    expect(isGroupSystemBody(null)).toBe(false);
  });
});

describe('pure.ts', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  /** Imports `module` afresh where code generation fails, as under the renderer's CSP (no 'unsafe-eval'). */
  async function importWithoutEval(module: () => Promise<unknown>): Promise<unknown> {
    vi.resetModules();
    vi.stubGlobal('Function', function refused() {
      throw new EvalError('code generation refused (CSP)');
    });
    return module();
  }

  it('loads without generating code, so the renderer can import it; the validators cannot', async () => {
    const pure = (await importWithoutEval(() => import('./pure.js'))) as typeof Pure;
    expect(pure.privateConvId('bob', 'alice')).toBe('p:alice|bob');
    expect(pure.isGroupSystemBody({ event: 'group.dismissed', actor: 'a' })).toBe(true);
    await expect(importWithoutEval(() => import('./validate.js'))).rejects.toThrow(/code generation refused/);
  });
});
