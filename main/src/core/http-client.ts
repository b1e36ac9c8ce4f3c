/**
 * The HTTP side of the server: accounts, and file uploads (streamed from disk, with progress) and
 * downloads. Failures become typed errors: ProtocolError for answers, NoAnswerError when none came.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProtocolError, REGISTER_REFUSALS, isErrorCode, type FileAnswer, type TokenAnswer } from '../../../protocol/index.js';
import { NoAnswerError } from './server-connection.js';

export async function errorFrom(status: number, text: string): Promise<ProtocolError> {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; retryAfterMs?: unknown; reason?: unknown; quotaBytes?: unknown } };
    const code = body.error?.code;
    if (isErrorCode(code)) {
      const extra: Record<string, unknown> = {};
      if (typeof body.error?.retryAfterMs === 'number') extra.retryAfterMs = body.error.retryAfterMs;
      if (typeof body.error?.quotaBytes === 'number') extra.quotaBytes = body.error.quotaBytes;
      // Why a registration was refused, so the app can say it in the user's language.
      if ((REGISTER_REFUSALS as readonly unknown[]).includes(body.error?.reason)) extra.reason = body.error?.reason;
      return new ProtocolError(code, String(body.error?.message ?? `HTTP ${status}`), extra);
    }
  } catch {
    // not our JSON: fall through
  }
  return new ProtocolError(status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', `HTTP ${status}`);
}

async function postJson<T>(serverUrl: string, path: string, body: unknown, options: { token?: string; timeoutMs?: number } = {}): Promise<T> {
  let res: Response;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  try {
    res = await fetch(new URL(path, serverUrl), {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
    });
  } catch (error) {
    throw new NoAnswerError(`cannot reach ${new URL(serverUrl).host}: ${(error as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw await errorFrom(res.status, text);
  return JSON.parse(text) as T;
}

export function register(serverUrl: string, userId: string, password: string, name: string, inviteCode?: string): Promise<TokenAnswer> {
  return postJson(serverUrl, '/v1/auth/register', inviteCode ? { userId, password, name, inviteCode } : { userId, password, name });
}

export function login(serverUrl: string, userId: string, password: string): Promise<TokenAnswer> {
  return postJson(serverUrl, '/v1/auth/login', { userId, password });
}

/** Revokes the token on the server (extension, docs/protocol.md part 2). */
export async function logout(serverUrl: string, token: string, timeoutMs: number): Promise<void> {
  await postJson(serverUrl, '/v1/auth/logout', {}, { token, timeoutMs });
}

/** Changes the password; the server revokes the account's other tokens and keeps this one. */
export async function changePassword(serverUrl: string, token: string, oldPassword: string, newPassword: string): Promise<void> {
  await postJson(serverUrl, '/v1/auth/password', { oldPassword, newPassword }, { token });
}

export interface UploadOptions {
  serverUrl: string;
  token: string;
  path: string;
  name: string;
  mime: string;
  onProgress?: (sentBytes: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

/** Streams a file from disk to PUT /v1/files. */
export async function uploadFile(options: UploadOptions): Promise<FileAnswer> {
  const total = (await fs.promises.stat(options.path)).size;
  const url = new URL('/v1/files', options.serverUrl);
  const client = url.protocol === 'https:' ? https : http;
  let sent = 0;
  let lastReport = 0;
  const progress = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      const now = Date.now();
      if (now - lastReport > 100 || sent === total) {
        lastReport = now;
        options.onProgress?.(sent, total);
      }
      done(null, chunk);
    },
  });
  return new Promise<FileAnswer>((resolve, reject) => {
    const req = client.request(url, {
      method: 'PUT',
      signal: options.signal,
      headers: {
        Authorization: `Bearer ${options.token}`,
        'Content-Type': options.mime,
        'Content-Length': total,
        'X-File-Name': encodeURIComponent(options.name),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 201) resolve(JSON.parse(text) as FileAnswer);
        else void errorFrom(res.statusCode ?? 0, text).then(reject);
      });
      res.on('error', (e) => reject(new NoAnswerError(e.message)));
    });
    req.on('error', (e) => reject(new NoAnswerError(`upload: ${e.message}`)));
    pipeline(fs.createReadStream(options.path), progress, req).catch((e: Error) => reject(new NoAnswerError(`upload: ${e.message}`)));
  });
}

/** What the server's record says of a file (its answer's Content-Type and Content-Length), not what a message claims. */
export interface FileRecord {
  mime: string;
  size: number;
}

export interface DownloadOptions {
  serverUrl: string;
  token: string;
  fileId: string;
  /** Files larger than this (by the server's record) are refused with TOO_LARGE. */
  maxBytes: number;
  /** Decides from the record, before any byte is read, whether the bytes are wanted; without it they are. */
  wanted?: (record: FileRecord) => boolean;
}

/** Downloads a file the user may read into memory; `data` is null when `wanted` declined it. */
export async function downloadFile(options: DownloadOptions): Promise<FileRecord & { data: Uint8Array | null }> {
  let res: Response;
  try {
    res = await fetch(new URL(`/v1/files/${encodeURIComponent(options.fileId)}`, options.serverUrl), {
      headers: { Authorization: `Bearer ${options.token}` },
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new NoAnswerError(`download: ${(error as Error).message}`);
  }
  if (!res.ok) throw await errorFrom(res.status, await res.text());
  const declared = Number(res.headers.get('content-length') ?? NaN);
  // The size decides what is loaded: without it nothing is (our server always sends it).
  if (!Number.isSafeInteger(declared) || declared < 0) {
    await res.body?.cancel().catch(() => undefined);
    throw new ProtocolError('INTERNAL', 'the server did not say how large the file is');
  }
  const record: FileRecord = {
    mime: (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() || 'application/octet-stream',
    size: declared,
  };
  const declined = options.wanted ? !options.wanted(record) : false;
  if (declined || record.size > options.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    if (declined) return { ...record, data: null };
    throw new ProtocolError('TOO_LARGE', 'file too large to show');
  }
  let data: Uint8Array;
  try {
    data = new Uint8Array(await res.arrayBuffer());
  } catch (error) {
    throw new NoAnswerError(`download: ${(error as Error).message}`);
  }
  return { ...record, size: data.byteLength, data };
}
