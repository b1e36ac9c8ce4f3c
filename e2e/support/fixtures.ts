/**
 * Test fixtures: a real server per test, and "apps" — one per user, each with its own data directory and its
 * own host process (host-chromium project) or Electron instance (electron project). A user may reach the server
 * through a proxy, so a test can cut that one user off.
 */
import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test as base, expect, _electron, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { electronAvailability } from './electron.js';
import { E2E_ADMIN, startHost, startProxy, startServer, tempDir, type HostProcess, type Proxy, type ServerProcess } from './processes.js';

export { expect };

export const PASSWORD = 'correct horse battery';

export interface App {
  userId: string;
  page: Page;
  /** The user's own link to the server (when opened with `viaProxy`). */
  proxy: Proxy | null;
  /** Kills the app's process (SIGKILL: a crash) and starts it again on the same data directory. */
  crashAndRestart(): Promise<void>;
}

export interface OpenOptions {
  viaProxy?: boolean;
  locale?: 'en-US' | 'zh-CN';
  colorScheme?: 'light' | 'dark';
}

interface Fixtures {
  server: ServerProcess;
  openApp: (userId: string, options?: OpenOptions) => Promise<App>;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  server: async ({}, use) => {
    const server = await startServer();
    await use(server);
    await server.stop();
  },

  openApp: async ({ browser, server }, use, testInfo) => {
    const electron = testInfo.project.name === 'electron';
    if (electron) {
      const availability = electronAvailability();
      test.skip(!availability.ok, availability.ok ? '' : availability.reason);
    }
    const cleanups: Array<() => Promise<unknown>> = [];
    const open = async (userId: string, options: OpenOptions = {}): Promise<App> => {
      const dataDir = tempDir(userId);
      cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
      const proxy = options.viaProxy ? await startProxy(server) : null;
      if (proxy) cleanups.push(() => proxy.close());
      const serverUrl = proxy?.url ?? server.url;
      const launch = electron ? launchElectron : launchHost;
      let running = await launch(browser, dataDir, serverUrl, options);
      cleanups.push(() => running.close());
      const app: App = {
        userId,
        page: running.page,
        proxy,
        async crashAndRestart() {
          await running.kill();
          running = await launch(browser, dataDir, serverUrl, options, running.context);
          app.page = running.page;
        },
      };
      return app;
    };
    await use(open);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  },
});

interface Running {
  page: Page;
  context: BrowserContext | undefined;
  kill(): Promise<void>;
  close(): Promise<void>;
}

async function launchHost(browser: Browser, dataDir: string, serverUrl: string, options: OpenOptions, reuse?: BrowserContext): Promise<Running> {
  const host: HostProcess = await startHost(dataDir, serverUrl);
  const context = reuse ?? (await browser.newContext({ locale: options.locale ?? 'en-US', colorScheme: options.colorScheme ?? 'light', viewport: { width: 1280, height: 800 } }));
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(host.url);
  return {
    page,
    context,
    kill: () => host.kill('SIGKILL'),
    close: async () => {
      await context.close().catch(() => undefined);
      await host.kill('SIGTERM');
    },
  };
}

async function launchElectron(_browser: Browser, dataDir: string, serverUrl: string, options: OpenOptions): Promise<Running> {
  const availability = electronAvailability();
  if (!availability.ok) throw new Error(availability.reason);
  const app = await _electron.launch({
    executablePath: availability.binary,
    args: [availability.main, `--user-data-dir=${path.join(dataDir, 'electron')}`],
    env: { ...process.env, PARLEY_DEFAULT_SERVER: serverUrl, PARLEY_LOCALE: options.locale ?? 'en-US' },
  });
  const page = await app.firstWindow();
  return {
    page,
    context: undefined,
    kill: async () => {
      app.process().kill('SIGKILL');
    },
    close: () => app.close(),
  };
}

/** Registers through the sign-in screen and waits for the conversation list. */
export async function register(app: App, name = app.userId): Promise<void> {
  const { page } = app;
  await page.getByTestId('auth-mode-register').click();
  await page.getByTestId('auth-user').fill(app.userId);
  await page.getByTestId('auth-name').fill(name);
  await page.getByTestId('auth-password').fill(PASSWORD);
  await page.getByTestId('auth-submit').click();
  await expect(page.getByTestId('new-chat').first()).toBeVisible();
}

/** Starts (or opens) the private chat with `userId` from the "new chat" dialog. */
export async function startChat(app: App, userId: string): Promise<void> {
  const { page } = app;
  await page.getByTestId('new-chat').first().click();
  await page.getByTestId('new-chat-user').fill(userId);
  await page.getByTestId('new-chat-start').click();
  await expect(page.getByTestId('conversation-title')).toBeVisible();
}

export function convIdOf(a: string, b: string): string {
  return a < b ? `p:${a}|${b}` : `p:${b}|${a}`;
}

/** Opens a conversation from the list; retried if the click landed as the list re-sorted under it. */
export async function openConversation(app: App, convId: string): Promise<void> {
  await expect(async () => {
    await app.page.getByTestId(`conv-${convId}`).click();
    await expect(app.page.getByTestId('conversation')).toHaveAttribute('data-conv-id', convId, { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(app.page.getByTestId('message-list')).toBeVisible();
}

export async function send(app: App, text: string): Promise<void> {
  const input = app.page.getByTestId('composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** The rows of the open conversation's message list whose text contains `text`. */
export function messageRows(app: App, text: string) {
  return app.page.getByTestId('message-list').locator('[data-client-msg-id]', { hasText: text });
}

/** Registers a user straight over HTTP (a peer that needs no window). */
export async function registerOverHttp(serverUrl: string, userId: string): Promise<string> {
  const res = await fetch(`${serverUrl}/v1/auth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId, password: PASSWORD, name: userId }),
  });
  if (res.status !== 201) throw new Error(`register ${userId}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/**
 * A signed admin API call (docs/protocol.md "Admin API", signature version 2 of part 2): creating chatrooms,
 * posting as a user. `path` may carry a query; no `?` signs an empty one.
 */
export async function admin(serverUrl: string, method: 'POST' | 'DELETE', path: string, payload?: unknown): Promise<Response> {
  const body = payload === undefined ? '' : JSON.stringify(payload);
  const nonce = randomUUID();
  const ts = String(Date.now());
  const q = path.indexOf('?');
  const signed = ['v2', method, q < 0 ? path : path.slice(0, q), q < 0 ? '' : path.slice(q + 1), nonce, ts, body].join('\n');
  const signature = createHmac('sha256', E2E_ADMIN.appSecret).update(signed).digest('hex');
  const res = await fetch(`${serverUrl}${path}`, {
    method,
    headers: {
      'X-App-Key': E2E_ADMIN.appKey,
      'X-Nonce': nonce,
      'X-Timestamp': ts,
      'X-Signature-Version': '2',
      'X-Signature': signature,
      'Content-Type': 'application/json',
    },
    ...(body ? { body } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

export type UserSpec = string | ({ userId: string } & OpenOptions);

/**
 * Opens one app per user and registers each (display name: the id, capitalised), as most tests begin. A user
 * given as `{ userId, viaProxy: true }` reaches the server through their own proxy.
 */
export async function openRegistered<T extends UserSpec[]>(
  openApp: (userId: string, options?: OpenOptions) => Promise<App>,
  ...users: T
): Promise<{ [K in keyof T]: App }> {
  const apps = await Promise.all(
    users.map((u) => {
      const { userId, ...options } = typeof u === 'string' ? { userId: u } : u;
      return openApp(userId, options);
    }),
  );
  await Promise.all(apps.map((app) => register(app, app.userId[0]!.toUpperCase() + app.userId.slice(1))));
  return apps as { [K in keyof T]: App };
}
