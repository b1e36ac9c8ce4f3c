import { describe, expect, it } from 'vitest';
import { DeepLinkRouter, deepLinkFromArgv, parseDeepLink } from './deep-link.js';

describe('parseDeepLink', () => {
  it('reads parley://chat/<userId>', () => {
    expect(parseDeepLink('parley://chat/alice')).toEqual({ kind: 'chat', userId: 'alice' });
    expect(parseDeepLink('parley://chat/bob.smith@corp/')).toEqual({ kind: 'chat', userId: 'bob.smith@corp' });
    expect(parseDeepLink('PARLEY://Chat/u_1')).toEqual({ kind: 'chat', userId: 'u_1' });
    expect(parseDeepLink('parley://chat/a%2Db')).toEqual({ kind: 'chat', userId: 'a-b' });
  });

  it('refuses anything else', () => {
    for (const url of [
      'parley://chat/',
      'parley://chat/a/b',
      'parley://app/index.html',
      'parley://group/g1',
      'https://chat/alice',
      'parley://chat/' + 'x'.repeat(65),
      'parley://chat/a%20b',
      'parley://chat/%E0%A4%A',
      'not a url',
    ]) {
      expect(parseDeepLink(url), url).toBeNull();
    }
  });

  it('finds the link in argv (Windows and Linux)', () => {
    expect(deepLinkFromArgv(['C:\\Parley\\Parley.exe', '--allow-file-access-from-files', 'parley://chat/alice'])).toBe('parley://chat/alice');
    expect(deepLinkFromArgv(['/usr/bin/parley', '--no-sandbox'])).toBeNull();
  });
});

describe('DeepLinkRouter', () => {
  function setup(signedIn: { value: boolean }) {
    const focused: string[] = [];
    const router = new DeepLinkRouter({
      openChat: async (userId) => `p:${userId}~me`,
      focus: (convId) => focused.push(convId),
      signedIn: () => signedIn.value,
    });
    return { router, focused };
  }

  it('focuses the chat once the window is ready', async () => {
    const { router, focused } = setup({ value: true });
    await router.handle('parley://chat/alice');
    expect(focused).toEqual([]);
    await router.setReady();
    expect(focused).toEqual(['p:alice~me']);
    await router.handle('parley://chat/bob');
    expect(focused).toEqual(['p:alice~me', 'p:bob~me']);
  });

  it('holds the latest link until sign-in, and ignores bad links', async () => {
    const session = { value: false };
    const { router, focused } = setup(session);
    await router.setReady();
    await router.handle('parley://chat/alice');
    await router.handle('parley://chat/carol');
    await router.handle('parley://evil/x');
    expect(focused).toEqual([]);
    session.value = true;
    await router.sessionChanged();
    expect(focused).toEqual(['p:carol~me']);
    await router.sessionChanged();
    expect(focused).toEqual(['p:carol~me']);
  });

  it('survives a failing lookup', async () => {
    const router = new DeepLinkRouter({ openChat: async () => Promise.reject(new Error('offline')), focus: () => undefined, signedIn: () => true });
    await router.setReady();
    await expect(router.handle('parley://chat/alice')).resolves.toBeUndefined();
  });
});
