/** Test helpers: real database files in a temporary directory, and log entries to feed them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogEntry } from '../../../protocol/index.js';
import { openStore, type Store, type StoreOptions } from './store.js';
import type { PendingMessageInput } from './types.js';

export const NOW = Date.UTC(2025, 10, 20, 12, 0, 0);
export const DAY = 86_400_000;

export interface TempStore {
  store: Store;
  dir: string;
  file: string;
  /** Closes and opens the same file again. */
  reopen(): Store;
  cleanup(): void;
}

export function tempStore(options: Partial<StoreOptions> = {}): TempStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-store-'));
  const file = path.join(dir, 'store.db');
  const open = () => openStore({ userId: 'me', now: () => NOW, ...options, path: file });
  const temp: TempStore = {
    store: open(),
    dir,
    file,
    reopen() {
      temp.store.close();
      temp.store = open();
      return temp.store;
    },
    cleanup() {
      temp.store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return temp;
}

let msgCounter = 0;

/** A text entry; override anything, including kind and body. */
export function entry(convId: string, seq: number, overrides: Partial<LogEntry> & { text?: string } = {}): LogEntry {
  const { text, ...rest } = overrides;
  msgCounter++;
  return {
    convId,
    seq,
    msgId: `m-${convId}-${seq}`,
    clientMsgId: `c-${msgCounter}`,
    from: 'alice',
    ts: NOW - DAY + seq * 1000,
    kind: 'text',
    body: { text: text ?? `message ${seq}` },
    ...rest,
  } as LogEntry;
}

/** Entries seq from..to (inclusive) with default text. */
export function entries(convId: string, from: number, to: number): LogEntry[] {
  const list: LogEntry[] = [];
  for (let seq = from; seq <= to; seq++) list.push(entry(convId, seq));
  return list;
}

let composedAt = NOW;

/** What the user composes on this device (a text by default; kind and body as given), 10 ms after the last. */
export function composeIn(store: Store, convId: string, clientMsgId: string, extra: Partial<PendingMessageInput> = {}) {
  composedAt += 10;
  return store.insertPending({ convId, clientMsgId, from: 'me', kind: 'text', body: { text: clientMsgId }, createdAt: composedAt, ...extra });
}
