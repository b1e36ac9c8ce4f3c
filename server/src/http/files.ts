/**
 * File uploads and downloads, streamed to and from disk (never buffered whole). Uploads pass the user's limits
 * (services/upload-limits.ts) and are ended when they stall; a file no entry names is collected later
 * (services/file-collector.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError, isValidFileId } from '../../../protocol/index.js';
import type { TokenService } from '../auth/tokens.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { UploadLimits, UploadTicket } from '../services/upload-limits.js';
import type { FileBlobs } from '../storage/file-blobs.js';
import type { Storage } from '../storage/storage.js';
import { PRIVATE_FILE_MODE } from '../storage/private-files.js';
import { RequestTimeoutError, bearerUser, sendJson } from './respond.js';

const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

function cleanMime(header: string | undefined): string {
  const base = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return MIME_RE.test(base) ? base : 'application/octet-stream';
}

function cleanName(header: string | string[] | undefined): string {
  let name = Array.isArray(header) ? header[0] : header;
  if (!name) return 'file';
  try {
    name = decodeURIComponent(name);
  } catch {
    // not percent-encoded: keep as sent
  }
  // eslint-disable-next-line no-control-regex
  name = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim();
  return [...name].slice(0, 255).join('') || 'file';
}

export interface FilesDeps {
  blobs: FileBlobs;
  storage: Storage;
  tokens: TokenService;
  limits: UploadLimits;
  metrics: Metrics;
  maxBytes: number;
  /** An upload that sends nothing for this long is ended with 408. */
  idleTimeoutMs: number;
  log: Logger;
}

export class Files {
  constructor(private readonly deps: FilesDeps) {}

  async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { blobs, storage, limits, metrics, maxBytes, idleTimeoutMs } = this.deps;
    const userId = await bearerUser(req, this.deps.tokens);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > maxBytes) {
      res.setHeader('Connection', 'close');
      throw new ProtocolError('TOO_LARGE', `files are limited to ${maxBytes} bytes`);
    }
    let ticket: UploadTicket;
    try {
      ticket = await limits.admit(userId, declared);
    } catch (error) {
      res.setHeader('Connection', 'close');
      if (error instanceof ProtocolError) metrics.uploadsRefused.inc({ reason: error.code === 'TOO_LARGE' ? 'quota' : 'rate' });
      throw error;
    }
    const fileId = randomBytes(16).toString('base64url');
    const tmpPath = blobs.tmpPathOf(fileId);
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        idle.refresh();
        size += chunk.length;
        if (size > maxBytes) {
          done(new ProtocolError('TOO_LARGE', `files are limited to ${maxBytes} bytes`));
          return;
        }
        try {
          ticket.received(size);
        } catch (error) {
          done(error as Error);
          return;
        }
        done(null, chunk);
      },
    });
    const idle = setTimeout(() => counter.destroy(new RequestTimeoutError(`the upload sent nothing for ${idleTimeoutMs} ms`)), idleTimeoutMs);
    try {
      await pipeline(req, counter, fs.createWriteStream(tmpPath, { flags: 'wx', mode: PRIVATE_FILE_MODE }));
      clearTimeout(idle);
      await blobs.keep(fileId);
    } catch (error) {
      clearTimeout(idle);
      await ticket.release();
      await fs.promises.rm(tmpPath, { force: true });
      res.setHeader('Connection', 'close');
      if (error instanceof RequestTimeoutError) metrics.uploadsRefused.inc({ reason: 'idle' });
      else if (error instanceof ProtocolError && error.code === 'TOO_LARGE' && 'quotaBytes' in error.extra) metrics.uploadsRefused.inc({ reason: 'quota' });
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError('BAD_REQUEST', 'upload interrupted');
    }
    const mime = cleanMime(req.headers['content-type']);
    try {
      await storage.insertFile({ fileId, uploader: userId, name: cleanName(req.headers['x-file-name']), mime, size, createdAt: Date.now() });
    } catch (error) {
      await ticket.release();
      await blobs.remove(fileId);
      throw error;
    }
    await ticket.finish(size);
    metrics.fileBytes.inc(size);
    sendJson(res, 201, { fileId, size, mime });
  }

  async download(req: IncomingMessage, res: ServerResponse, rawId: string): Promise<void> {
    const { storage, blobs } = this.deps;
    const userId = await bearerUser(req, this.deps.tokens);
    let fileId: string;
    try {
      fileId = decodeURIComponent(rawId);
    } catch {
      throw new ProtocolError('BAD_REQUEST', 'malformed file id');
    }
    if (!isValidFileId(fileId)) throw new ProtocolError('BAD_REQUEST', 'malformed file id');
    const file = await storage.getFile(fileId);
    // Unknown and forbidden look alike, so ids cannot be probed; a collected file is unknown.
    if (!file || !(await storage.mayReadFile(fileId, userId))) throw new ProtocolError('NOT_FOUND', 'no such file');
    const stream = fs.createReadStream(blobs.pathOf(fileId));
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    }).catch(() => {
      throw new ProtocolError('NOT_FOUND', 'no such file');
    });
    res.writeHead(200, {
      'Content-Type': file.mime,
      'Content-Length': file.size,
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=31536000, immutable',
    });
    try {
      await pipeline(stream, res);
    } catch (error) {
      // The reader went away (a client that wanted the headers only, a window closed mid-download): nothing to
      // answer and nothing wrong with the server.
      if (!res.writableFinished && (res.destroyed || req.destroyed)) {
        this.deps.log.debug({ fileId, userId }, 'download ended by the client');
        return;
      }
      throw error;
    }
  }
}
