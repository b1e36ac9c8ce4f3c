import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { Metrics } from '../metrics.js';
import { FileBlobs } from '../storage/file-blobs.js';
import { SqliteStorage } from '../storage/sqlite/sqlite-storage.js';
import { FileCollector } from './file-collector.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setUp() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-collector-'));
  dirs.push(dir);
  const storage = new SqliteStorage({ file: path.join(dir, 'parley.db') });
  const blobs = new FileBlobs(dir);
  const metrics = new Metrics();
  const collector = new FileCollector(storage, blobs, metrics, { fileGraceMs: 1000, fileSweepIntervalMs: 60_000 }, createLogger('silent'));
  const store = async (fileId: string, createdAt: number) => {
    fs.writeFileSync(blobs.tmpPathOf(fileId), fileId);
    await blobs.keep(fileId);
    await storage.insertFile({ fileId, uploader: 'alice', name: 'f', mime: 'text/plain', size: fileId.length, createdAt });
  };
  return { dir, storage, blobs, metrics, collector, store };
}

describe('FileCollector', () => {
  it('deletes files unreferenced past the grace, blob and row, and counts them', async () => {
    const { storage, blobs, metrics, collector, store } = setUp();
    await storage.createUser({ userId: 'alice', name: 'A' }, 1);
    await store('oldFile0', 1_000);
    await store('newFile0', 5_000);
    expect(await collector.sweep(5_500)).toBe(1);
    expect(fs.existsSync(blobs.pathOf('oldFile0'))).toBe(false);
    expect(await storage.getFile('oldFile0')).toBeNull();
    expect(await storage.collectedFiles(10)).toEqual([]);
    expect(fs.existsSync(blobs.pathOf('newFile0'))).toBe(true);
    expect((await metrics.filesCollected.get()).values).toEqual([expect.objectContaining({ labels: { reason: 'unreferenced' }, value: 1 })]);
    await storage.close();
  });

  it('finishes a collection a crash cut short: a file marked collected whose blob is still there', async () => {
    const { storage, blobs, collector, store } = setUp();
    await storage.createUser({ userId: 'alice', name: 'A' }, 1);
    await store('halfDone', 1_000);
    // The crash came after the marking transaction, before the blob went.
    expect((await storage.markCollectable(3_000, 3_000, 10)).map((f) => f.fileId)).toEqual(['halfDone']);
    expect(fs.existsSync(blobs.pathOf('halfDone'))).toBe(true);
    expect(await collector.sweep(3_000)).toBe(0);
    expect(fs.existsSync(blobs.pathOf('halfDone'))).toBe(false);
    expect(await storage.collectedFiles(10)).toEqual([]);
    await storage.close();
  });

  it('a restart removes uploads a crash left in files/tmp', () => {
    const { dir, blobs } = setUp();
    fs.writeFileSync(blobs.tmpPathOf('cutShort'), 'partial');
    new FileBlobs(dir);
    expect(fs.readdirSync(blobs.tmp)).toEqual([]);
  });

  it('in a shared data directory a start leaves the uploads other nodes are receiving, and removes stale ones', () => {
    const { dir, blobs } = setUp();
    fs.writeFileSync(blobs.tmpPathOf('receiving'), 'partial');
    fs.writeFileSync(blobs.tmpPathOf('leftOver'), 'partial');
    const old = new Date(Date.now() - 11 * 60_000);
    fs.utimesSync(blobs.tmpPathOf('leftOver'), old, old);
    new FileBlobs(dir, { shared: true, staleMs: 10 * 60_000 });
    expect(fs.readdirSync(blobs.tmp)).toEqual(['receiving']);
  });

  it('collectors of several nodes may sweep the same files at once: a blob already deleted is no error', async () => {
    const { dir, storage, blobs, store } = setUp();
    await storage.createUser({ userId: 'alice', name: 'A' }, 1);
    for (const id of ['shared01', 'shared02', 'shared03']) await store(id, 1_000);
    // Two nodes on one database and one files/ directory, both finding the same files marked.
    const other = new FileCollector(storage, new FileBlobs(dir, { shared: true }), new Metrics(), { fileGraceMs: 1000, fileSweepIntervalMs: 60_000 }, createLogger('silent'));
    const mine = new FileCollector(storage, blobs, new Metrics(), { fileGraceMs: 1000, fileSweepIntervalMs: 60_000 }, createLogger('silent'));
    expect(await storage.markCollectable(3_000, 3_000, 10)).toHaveLength(3);
    await blobs.remove('shared02'); // one blob already gone, as if the other node got there first
    await Promise.all([mine.sweep(3_000), other.sweep(3_000)]);
    for (const id of ['shared01', 'shared02', 'shared03']) expect(fs.existsSync(blobs.pathOf(id))).toBe(false);
    expect(await storage.collectedFiles(10)).toEqual([]);
    await storage.close();
  });
});
