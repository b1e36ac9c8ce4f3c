// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { MessagePreview, SessionView } from '../../../preload/api-types';
import type { UiLanguage } from '../i18n/setup';
import { conv } from '../testing/fixtures';
import { renderWithModel } from '../testing/render';
import { Sidebar } from './Sidebar';

const session: SessionView = { state: 'signed-in', userId: 'me', name: 'Alex', serverUrl: 'http://127.0.0.1:8080' };
const noop = () => undefined;
const ts = Date.now() - 60_000;
const text = (from: string, value: string, extra: Partial<MessagePreview> = {}): MessagePreview => ({ from, kind: 'text', ts, text: value, recalled: false, status: 'sent', ...extra });
const notice = (system: MessagePreview['system']): MessagePreview => ({ from: 'alice', kind: 'system', ts, text: '', recalled: false, status: 'sent', system });

const conversations = [
  conv('g:created', { kind: 'group', title: 'Created', updatedAt: 9, lastMessage: notice({ event: 'group.created', actor: 'alice', targets: ['me', 'bob'] }) }),
  conv('g:muted', { kind: 'group', title: 'Muted', updatedAt: 8, lastMessage: notice({ event: 'group.muted', actor: 'bob', targets: ['me'], untilTs: ts + 3600_000 }) }),
  conv('g:renamed', { kind: 'group', title: 'Renamed', updatedAt: 7, lastMessage: notice({ event: 'group.updated', actor: 'me', name: 'Hike' }) }),
  conv('g:old', { kind: 'group', title: 'Old core', updatedAt: 6, lastMessage: { ...notice(undefined), text: '' } }),
  conv('g:mention', { kind: 'group', title: 'Mention', updatedAt: 5, unread: 1, mentioned: true, lastMessage: text('alice', '@bob and @me: @all meet @carol', { mentions: ['bob', 'me', '@all'] }) }),
  conv('p:bob|me', { title: 'Bob 李', updatedAt: 4, lastMessage: text('bob', 'ping @me', { mentions: ['me'] }) }),
  conv('g:draft', { kind: 'group', title: 'Draft', updatedAt: 3, draft: 'not yet @bob', lastMessage: text('alice', 'x') }),
  conv('g:recalled', { kind: 'group', title: 'Recalled', updatedAt: 2, lastMessage: text('alice', '', { recalled: true }) }),
];

function setup(language: UiLanguage) {
  return renderWithModel(<Sidebar session={session} activeId={null} onSearch={noop} onNewChat={noop} onNewGroup={noop} onRooms={noop} onSettings={noop} onProfile={noop} />, {
    language,
    session,
    conversations,
    users: [
      { userId: 'alice', name: 'Alice', online: false, lastSeen: 0 },
      { userId: 'bob', name: 'Bob 李', online: false, lastSeen: 0 },
      { userId: 'me', name: 'Alex', online: false, lastSeen: 0 },
    ],
  });
}

const previewOf = (convId: string) => within(screen.getByTestId(`conv-${convId}`)).getByTestId('conv-preview').querySelector('.conv-preview-text')?.textContent;
const markerOf = (convId: string) => within(screen.getByTestId(`conv-${convId}`)).queryByTestId(/conv-marker-/)?.firstChild?.textContent;

describe('chat-list previews', () => {
  it('read a system entry as the sentence the conversation shows, in English', async () => {
    setup('en');
    await waitFor(() => expect(previewOf('g:created')).toBe('Alice created the group'));
    expect(previewOf('g:muted')).toBe('Bob 李 muted you');
    expect(previewOf('g:renamed')).toBe('You renamed the group “Hike”');
    expect(previewOf('g:old')).toBe('[Notice]');
    expect(document.body.textContent).not.toContain('group.created');
  });

  it('read a system entry as the sentence the conversation shows, in 简体中文', async () => {
    setup('zh-CN');
    await waitFor(() => expect(previewOf('g:created')).toBe('Alice创建了群聊'));
    expect(previewOf('g:muted')).toBe('Bob 李将你禁言');
    expect(previewOf('g:renamed')).toBe('我将群名改为“Hike”');
  });

  it('show the mentions a message carries as names, keeping markers, sender prefix, drafts and recalls', async () => {
    setup('en');
    await waitFor(() => expect(previewOf('g:mention')).toBe('Alice: @Bob 李 and @Alex: @Everyone meet @carol'));
    expect(markerOf('g:mention')).toBe('[@me]');
    expect(previewOf('p:bob|me')).toBe('ping @Alex');
    expect(markerOf('g:draft')).toBe('[Draft]');
    expect(previewOf('g:draft')).toBe('not yet @bob');
    expect(previewOf('g:recalled')).toBe('Alice recalled a message');
  });

  it('say "everyone" for @all in 简体中文 too', async () => {
    setup('zh-CN');
    await waitFor(() => expect(previewOf('g:mention')).toContain('Alice：@Bob 李 and @Alex: @所有人 meet @carol'));
  });
});
