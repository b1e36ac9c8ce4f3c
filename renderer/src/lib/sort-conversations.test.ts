import { describe, expect, it } from 'vitest';
import { conv } from '../testing/fixtures';
import { availableFilters, sortConversations } from './sort-conversations';

describe('sortConversations', () => {
  it('puts pinned first, then the most recently active', () => {
    const list = [conv('p:a|me', { updatedAt: 10 }), conv('p:b|me', { updatedAt: 30 }), conv('p:c|me', { updatedAt: 5, pinned: true }), conv('p:d|me', { updatedAt: 20 })];
    expect(sortConversations(list).map((c) => c.convId)).toEqual(['p:c|me', 'p:b|me', 'p:d|me', 'p:a|me']);
  });

  it('filters by kind', () => {
    const list = [conv('p:a|me'), conv('g:team', { kind: 'group' })];
    expect(sortConversations(list, 'group').map((c) => c.convId)).toEqual(['g:team']);
  });
});

describe('availableFilters', () => {
  it('offers only the kinds present', () => {
    expect(availableFilters([conv('p:a|me')])).toEqual(['all', 'private']);
    expect(availableFilters([conv('p:a|me'), conv('r:lobby', { kind: 'room' })])).toEqual(['all', 'private', 'room']);
  });
});
