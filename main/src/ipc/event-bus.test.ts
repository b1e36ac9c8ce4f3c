import { describe, expect, it } from 'vitest';
import { createEventBus } from './event-bus.js';

describe('event bus', () => {
  it('delivers to typed and catch-all listeners until they unsubscribe', () => {
    const bus = createEventBus();
    const typed: unknown[] = [];
    const all: string[] = [];
    const offTyped = bus.on('presence:changed', (p) => typed.push(p.userId));
    const offAll = bus.onAny((event) => all.push(event));
    bus.emit('presence:changed', { userId: 'bob', online: true, lastSeen: 1 });
    bus.emit('typing:changed', { convId: 'g:x', userIds: [] });
    offTyped();
    offAll();
    bus.emit('presence:changed', { userId: 'carol', online: false, lastSeen: 2 });
    expect(typed).toEqual(['bob']);
    expect(all).toEqual(['presence:changed', 'typing:changed']);
  });

  it('isolates a throwing listener', () => {
    const bus = createEventBus();
    const seen: string[] = [];
    bus.onAny(() => {
      throw new Error('transport bug');
    });
    bus.on('session:changed', (s) => seen.push(s.state));
    bus.onAny((event) => seen.push(event));
    expect(() => bus.emit('session:changed', { state: 'signed-out' })).not.toThrow();
    expect(seen).toEqual(['signed-out', 'session:changed']);
  });
});
