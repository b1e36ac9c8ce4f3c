import { describe, expect, it } from 'vitest';
import { decideNotification, type NotifyInput } from './policy.js';
import { conversation, textMessage } from './test-fixtures.js';

const base: NotifyInput = {
  message: textMessage(),
  selfId: 'alice',
  conversation: conversation(),
  view: { windowFocused: false, openConvId: null },
  settings: { enabled: true, sound: true, preview: true },
};
const decide = (patch: Partial<NotifyInput>) => decideNotification({ ...base, ...patch });

describe('notification policy', () => {
  it('notifies someone else’s unread message in a conversation not on screen', () => {
    expect(decide({})).toEqual({ notify: true, mentioned: false });
    // Focused on another conversation, or showing this one in a window that is not focused.
    expect(decide({ view: { windowFocused: true, openConvId: 'g:other' } }).notify).toBe(true);
    expect(decide({ view: { windowFocused: false, openConvId: 'g:team' } }).notify).toBe(true);
  });

  it('skips own messages, the conversation on screen, read ones, and non-messages', () => {
    expect(decide({ message: textMessage({ from: 'alice' }) })).toEqual({ notify: false, reason: 'own' });
    expect(decide({ view: { windowFocused: true, openConvId: 'g:team' } })).toEqual({ notify: false, reason: 'on-screen' });
    expect(decide({ message: textMessage({ seq: 5 }) })).toEqual({ notify: false, reason: 'read' });
    expect(decide({ message: textMessage({ recalled: true, body: {} }) })).toEqual({ notify: false, reason: 'recalled' });
    for (const kind of ['system', 'recall', 'edit'] as const) {
      expect(decide({ message: { ...textMessage(), kind, body: {} } as never })).toEqual({ notify: false, reason: 'not-a-message' });
    }
    expect(decide({ selfId: undefined })).toEqual({ notify: false, reason: 'signed-out' });
    expect(decide({ settings: { enabled: false, sound: true, preview: true } })).toEqual({ notify: false, reason: 'disabled' });
  });

  it('keeps muted conversations and chatrooms quiet, except for mentions of the user or @all', () => {
    const muted = conversation({ muted: true });
    expect(decide({ conversation: muted })).toEqual({ notify: false, reason: 'muted' });
    expect(decide({ conversation: muted, message: textMessage({ mentions: ['alice'] }) })).toEqual({ notify: true, mentioned: true });
    expect(decide({ conversation: muted, message: textMessage({ mentions: ['@all'] }) })).toEqual({ notify: true, mentioned: true });
    expect(decide({ conversation: muted, message: textMessage({ mentions: ['carol'] }) })).toEqual({ notify: false, reason: 'muted' });
    const room = conversation({ convId: 'r:lobby', kind: 'room' });
    expect(decide({ conversation: room, message: textMessage({ convId: 'r:lobby' }) })).toEqual({ notify: false, reason: 'chatroom' });
    expect(decide({ conversation: undefined, message: textMessage({ convId: 'r:lobby' }) })).toEqual({ notify: false, reason: 'chatroom' });
    expect(decide({ conversation: room, message: textMessage({ convId: 'r:lobby', mentions: ['alice'] }) }).notify).toBe(true);
  });

  it('does not let a mention bypass the on-screen, own or disabled rules', () => {
    const mention = textMessage({ mentions: ['alice'] });
    expect(decide({ message: mention, view: { windowFocused: true, openConvId: 'g:team' } }).notify).toBe(false);
    expect(decide({ message: mention, settings: { enabled: false, sound: true, preview: true } }).notify).toBe(false);
  });

  it('notifies a new conversation it knows nothing about yet', () => {
    expect(decide({ conversation: undefined })).toEqual({ notify: true, mentioned: false });
  });
});
