/**
 * Demo entry (dev/demo.html, built only with `--mode demo` or served by `dev:renderer`): the real UI over the
 * in-memory fake api with demo data, for looking at the UI in a plain browser.
 *
 * Query: ?lang=zh-CN|en  &theme=light|dark  &signedOut=1  &offline=1  &open=<peer user id or convId>  &live=0 (no
 * simulated incoming activity)  &server=<url> (sign-in prefill)  &accounts=2 (a second signed-in account, with
 * unread messages, in the account switcher).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Language, Theme } from '../../preload/api-types';
import { App } from '../src/app/App';
import { createI18n, resolveLanguage } from '../src/i18n/setup';
import { createFakeApi } from '../src/testing/fake-api';
import { conv } from '../src/testing/fixtures';
import '../src/styles/index.css';
import { demoImage, demoOptions, SELF } from './demo-data';

const params = new URLSearchParams(location.search);
const language = (params.get('lang') as Language | null) ?? 'system';
const theme = (params.get('theme') as Theme | null) ?? 'system';
const pc = (peer: string) => (SELF < peer ? `p:${SELF}|${peer}` : `p:${peer}|${SELF}`);

async function start() {
  const now = Date.now();
  const options = demoOptions(now, await demoImage());
  options.settings = { language, theme, notifications: { enabled: true, sound: false, preview: true } };
  if (params.get('signedOut') === '1') options.session = { state: 'signed-out' };
  if (params.get('offline') === '1') options.connection = { state: 'offline', reason: 'server unreachable', nextRetryAt: now + 12_000, queued: 2 };
  if (params.get('accounts') === '2') {
    options.accounts = [
      {
        userId: 'mei',
        name: '梅 Mei',
        serverUrl: 'https://chat.example.com',
        unread: 3,
        conversations: [conv('p:mei|noor', { title: 'Noor', lastSeq: 3, readSeq: 0, unread: 3, updatedAt: now - 60_000 })],
      },
    ];
  }
  const fake = createFakeApi(options);

  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <App api={fake.api} i18n={createI18n(resolveLanguage(language))} search={location.search} />
    </StrictMode>,
  );

  const open = params.get('open');
  if (open) setTimeout(() => fake.emit('conversation:focus-requested', { convId: open.includes(':') ? open : pc(open) }), 50);

  if (params.get('offline') === '1') {
    // Keep the countdown alive: each time it runs out, "fail" again.
    setInterval(() => {
      fake.setConnection({ state: 'offline', reason: 'server unreachable', nextRetryAt: Date.now() + 12_000, queued: 2 });
    }, 12_000);
  }

  if (params.get('live') !== '0') {
    setTimeout(() => fake.emit('typing:changed', { convId: pc('ada'), userIds: ['ada'] }), 3000);
    setTimeout(() => {
      fake.emit('typing:changed', { convId: pc('ada'), userIds: [] });
      fake.receive(pc('ada'), 'ada', '10 works for me. I’ll bring the proofs ☕');
    }, 6000);
    setTimeout(() => {
      const m = fake.receive(pc('li.wei'), 'li.wei', '今晚八点上线，记得提前十分钟到群里');
      fake.emit('notification:requested', { tag: m.convId, convId: m.convId, title: '李伟', body: '今晚八点上线，记得提前十分钟到群里', count: 1, mentioned: false, silent: true });
    }, 8000);
  }
}

void start();
