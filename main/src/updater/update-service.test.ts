/** The updater's schedule and states, against a local HTTP feed, with controlled timers and a fake engine. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UpdateView } from '../../../preload/contract.js';
import { toErrorBody } from '../ipc/errors.js';
import { CHECK_INTERVAL_MS, UpdateService, type Timers, type UpdateEngine } from './update-service.js';
import { resolveFeedConfig } from './update-config.js';

const SHA = `${'A'.repeat(86)}==`;
const feed = (version: string) => `version: ${version}\nfiles:\n  - url: Parley-${version}.exe\n    sha512: ${SHA}\n`;
let files: Record<string, string | number> = {};
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = files[(req.url ?? '').slice(1)];
    if (typeof body === 'number') res.writeHead(body).end();
    else if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Timers run only when the test says so. */
function manualTimers() {
  let pending: Array<{ fn: () => void; ms: number; id: number }> = [];
  let nextId = 1;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      const id = nextId++;
      pending.push({ fn, ms, id });
      return id;
    },
    clearTimeout: (id) => {
      pending = pending.filter((t) => t.id !== id);
    },
  };
  return {
    timers,
    delays: () => pending.map((t) => t.ms),
    fire: () => {
      const due = pending;
      pending = [];
      for (const t of due) t.fn();
    },
  };
}

function fakeEngine() {
  const log: string[] = [];
  let failNext = false;
  const engine: UpdateEngine = {
    async download(target, onProgress) {
      log.push(`download ${target.version} from ${target.feed}`);
      onProgress(0.5);
      if (failNext) {
        failNext = false;
        throw new Error('connection reset');
      }
    },
    install: () => log.push('install'),
    discard: () => log.push('discard'),
  };
  return { engine, log, failDownload: () => (failNext = true) };
}

function setup(overrides: { channel?: 'stable' | 'beta'; currentVersion?: string; beforeInstall?: () => Promise<void> } = {}) {
  const clock = manualTimers();
  const { engine, log, failDownload } = fakeEngine();
  const views: UpdateView[] = [];
  const service = new UpdateService({
    currentVersion: overrides.currentVersion ?? '1.2.0',
    platform: 'win32',
    arch: 'x64',
    feedUrl: url,
    engine,
    channel: overrides.channel ?? 'stable',
    beforeInstall: overrides.beforeInstall ?? (async () => undefined),
    onChange: (v) => views.push(v),
    timers: clock.timers,
    retry: { baseMs: 60_000, capMs: CHECK_INTERVAL_MS, random: () => 1 },
  });
  return { service, clock, log, views, failDownload };
}

beforeEach(() => {
  files = {};
});

describe('UpdateService', () => {
  it('checks after start, downloads in the background, then is ready', async () => {
    files['latest.yml'] = feed('1.3.0');
    const { service, clock, log, views } = setup();
    service.start();
    expect(clock.delays()).toEqual([15_000]);
    clock.fire();
    await service.checkNow(); // joins the check the timer started
    expect(log).toEqual(['download 1.3.0 from latest']);
    expect(views.map((v) => v.state)).toEqual(['checking', 'downloading', 'downloading', 'ready']);
    expect(views.find((v) => v.state === 'downloading' && v.progress === 0.5)).toBeTruthy();
    expect(service.view()).toMatchObject({ state: 'ready', version: '1.3.0', supported: true, channel: 'stable' });
    // Ready: no more checks until the restart.
    expect(clock.delays()).toEqual([]);
  });

  it('checks every six hours while up to date', async () => {
    files['latest.yml'] = feed('1.2.0');
    const { service, clock } = setup();
    service.start();
    expect(await service.checkNow()).toMatchObject({ state: 'idle', lastCheckedAt: expect.any(Number) });
    expect(clock.delays()).toEqual([CHECK_INTERVAL_MS]);
  });

  it('fails quietly and retries with growing delays, then recovers', async () => {
    files['latest.yml'] = 503;
    const { service, clock } = setup();
    service.start();
    clock.fire();
    expect(await service.checkNow()).toMatchObject({ state: 'error', error: expect.stringContaining('503') });
    expect(clock.delays()).toEqual([60_000]);
    clock.fire();
    await service.checkNow();
    expect(clock.delays()).toEqual([120_000]);
    files['latest.yml'] = 'version: [';
    clock.fire();
    expect(await service.checkNow()).toMatchObject({ state: 'error', error: expect.stringContaining('malformed') });
    expect(clock.delays()).toEqual([240_000]);
    files['latest.yml'] = feed('1.2.0');
    clock.fire();
    expect(await service.checkNow()).toMatchObject({ state: 'idle' });
    expect(service.view().error).toBeUndefined();
    expect(clock.delays()).toEqual([CHECK_INTERVAL_MS]);
  });

  it('retries a failed download later', async () => {
    files['latest.yml'] = feed('1.3.0');
    const { service, clock, failDownload } = setup();
    service.start();
    failDownload();
    expect(await service.checkNow()).toMatchObject({ state: 'error', error: expect.stringContaining('connection reset') });
    expect(clock.delays()).toEqual([60_000]);
    clock.fire();
    expect(await service.checkNow()).toMatchObject({ state: 'ready', version: '1.3.0' });
  });

  it('restarts only when ready, and only after the outbox is idle', async () => {
    files['latest.yml'] = feed('1.3.0');
    let release!: () => void;
    const outboxIdle = new Promise<void>((resolve) => (release = resolve));
    const { service, log } = setup({ beforeInstall: () => outboxIdle });
    const early = await service.restart().catch((e: unknown) => toErrorBody(e).body);
    expect(early).toMatchObject({ code: 'BAD_REQUEST' });
    await service.checkNow();
    const restarting = service.restart();
    await new Promise((r) => setTimeout(r, 20));
    expect(log).not.toContain('install'); // a message is still in flight
    release();
    await restarting;
    expect(log.at(-1)).toBe('install');
  });

  it('switching to beta looks again at once; switching back drops a downloaded beta', async () => {
    files['latest.yml'] = feed('1.2.0');
    files['beta.yml'] = feed('1.3.0-beta.1');
    const { service, clock, log } = setup();
    service.start();
    expect(await service.checkNow()).toMatchObject({ state: 'idle' });
    service.setChannel('beta');
    expect(clock.delays()).toEqual([0]);
    clock.fire();
    expect(await service.checkNow()).toMatchObject({ state: 'ready', version: '1.3.0-beta.1', channel: 'beta' });
    service.setChannel('stable');
    expect(log.at(-1)).toBe('discard');
    clock.fire();
    expect(await service.checkNow()).toMatchObject({ state: 'idle', channel: 'stable' });
    expect(service.view().version).toBeUndefined();
  });

  it('looks again when the channel changes during a check', async () => {
    files['latest.yml'] = feed('1.2.0');
    files['beta.yml'] = feed('1.3.0-beta.1');
    const { service, clock } = setup();
    service.start();
    clock.fire();
    service.setChannel('beta'); // the check under way reads the stable feed
    expect(await service.checkNow()).toMatchObject({ state: 'idle' });
    expect(clock.delays()).toEqual([0]);
    clock.fire();
    expect(await service.checkNow()).toMatchObject({ state: 'ready', version: '1.3.0-beta.1' });
  });

  it('is inert where there is no feed', async () => {
    const service = new UpdateService({
      currentVersion: '1.2.0',
      platform: 'linux',
      arch: 'x64',
      feedUrl: null,
      engine: null,
      unsupportedReason: 'a development run does not update itself',
      channel: 'stable',
      beforeInstall: async () => undefined,
    });
    service.start();
    expect(await service.checkNow()).toEqual({
      state: 'idle',
      supported: false,
      channel: 'stable',
      currentVersion: '1.2.0',
      error: 'a development run does not update itself',
    });
  });
});

describe('resolveFeedConfig', () => {
  const yml = 'provider: generic\nurl: https://updates.example.com/parley\nupdaterCacheDirName: parley-updater\n';
  it('reads the URL built into app-update.yml, or the run-time override', () => {
    expect(resolveFeedConfig({ env: {}, packaged: true, appUpdateYml: yml })).toEqual({ url: 'https://updates.example.com/parley' });
    expect(resolveFeedConfig({ env: { PARLEY_UPDATE_URL: 'http://127.0.0.1:9/u/' }, packaged: false, appUpdateYml: null })).toEqual({
      url: 'http://127.0.0.1:9/u/',
    });
  });
  it('says why there is none', () => {
    expect(resolveFeedConfig({ env: {}, packaged: false, appUpdateYml: yml })).toMatchObject({ url: null, reason: expect.stringContaining('development') });
    expect(resolveFeedConfig({ env: {}, packaged: true, appUpdateYml: null })).toMatchObject({ url: null });
    expect(resolveFeedConfig({ env: {}, packaged: true, appUpdateYml: 'provider: github\nowner: x\n' })).toMatchObject({ url: null });
    expect(resolveFeedConfig({ env: { PARLEY_UPDATE_URL: 'file:///etc' }, packaged: false, appUpdateYml: null })).toMatchObject({ url: null });
  });
  it('fetches updates only over https, except a development run trying a feed on this computer', () => {
    const httpYml = 'provider: generic\nurl: http://updates.example.com/parley\n';
    expect(resolveFeedConfig({ env: {}, packaged: true, appUpdateYml: httpYml })).toMatchObject({ url: null, reason: expect.stringContaining('https') });
    expect(resolveFeedConfig({ env: {}, packaged: true, appUpdateYml: 'provider: generic\nurl: http://127.0.0.1:8000/\n' })).toMatchObject({ url: null });
    for (const remote of ['http://updates.example.com/parley', 'http://192.168.1.5/u/', 'http://127.0.0.1.nip.io/u/']) {
      expect(resolveFeedConfig({ env: { PARLEY_UPDATE_URL: remote }, packaged: false, appUpdateYml: null }), remote).toMatchObject({
        url: null,
        reason: expect.stringContaining('https'),
      });
    }
    expect(resolveFeedConfig({ env: { PARLEY_UPDATE_URL: 'http://localhost:9/u/' }, packaged: false, appUpdateYml: null })).toEqual({ url: 'http://localhost:9/u/' });
    expect(resolveFeedConfig({ env: { PARLEY_UPDATE_URL: 'https://staging.example.com/u/' }, packaged: false, appUpdateYml: null })).toEqual({
      url: 'https://staging.example.com/u/',
    });
  });
  it('ignores PARLEY_UPDATE_URL in a packaged app, and says so without its value', () => {
    for (const override of ['https://evil.example.com/u/', 'http://127.0.0.1:9/u/', 'https://user:secret@evil.example.com/']) {
      const feed = resolveFeedConfig({ env: { PARLEY_UPDATE_URL: override }, packaged: true, appUpdateYml: yml });
      expect(feed).toEqual({ url: 'https://updates.example.com/parley', ignored: 'PARLEY_UPDATE_URL is ignored by a packaged app' });
      expect(JSON.stringify(feed)).not.toContain('evil');
    }
    expect(resolveFeedConfig({ env: { PARLEY_UPDATE_URL: 'https://evil.example.com/u/' }, packaged: true, appUpdateYml: null })).toMatchObject({
      url: null,
      ignored: expect.stringContaining('ignored'),
    });
  });
});
