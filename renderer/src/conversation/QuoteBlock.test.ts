import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../preload/api-types';
import { createI18n } from '../i18n/setup';
import { quoteText } from './QuoteBlock';

const text = (body: string, mentions?: string[]): MessageView =>
  ({ convId: 'g:team', seq: 3, clientMsgId: 'c3', from: 'alice', ts: 0, status: 'sent', recalled: false, edited: false, kind: 'text', body: { text: body }, ...(mentions ? { mentions } : {}) }) as MessageView;

describe('quoteText', () => {
  const names: Record<string, string> = { bob: 'Bob 李' };
  const nameOf = (id: string) => names[id] ?? id;

  it('shows the mentions a quoted message carries as names, as the message does; other @words stay', () => {
    const en = createI18n('en').t;
    expect(quoteText(text('@bob and @all, ask @carol', ['bob', '@all']), en, nameOf)).toBe('@Bob 李 and @Everyone, ask @carol');
    expect(quoteText(text('@bob hi'), en, nameOf)).toBe('@bob hi');
    const zh = createI18n('zh-CN').t;
    expect(quoteText(text('@all 开会', ['@all']), zh, nameOf)).toBe(`@${zh('rooms.mentionAll')} 开会`);
  });
});
