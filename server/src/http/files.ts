/**
 * File uploads and downloads, streamed to and from disk (never buffered whole). A file's path is built
 * only from a server-issued id of a restricted alphabet, so no id can name anything outside the store.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ProtocolError, isValidFileId } from '../../../protocol/index.js';
import type { TokenService } from '../auth/tokens.js';
import type { Storage } from '../storage/storage.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, mkdirPrivate, tightenToPrivate } from '../storage/private-files.js';
import { bearerUser, sendJson } from './respond.js';

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

export class Files {
  private readonly root: string;
  private readonly tmp: string;

  constructor(
    dataDir: string,
    private readonly storage: Storage,
    private readonly tokens: TokenService,
    private readonly maxBytes: number,
  ) {
    this.root = path.join(dataDir, 'files');
    this.tmp = path.join(this.root, 'tmp');
    mkdirPrivate(this.tmp);
    tightenToPrivate(this.root);
    tightenToPrivate(this.tmp);
  }

  private pathOf(fileId: string): string {
    return path.join(this.root, fileId.slice(0, 2), fileId);
  }

  async upload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const userId = await bearerUser(req, this.tokens);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > this.maxBytes) {
      res.setHeader('Connection', 'close');
      throw new ProtocolError('TOO_LARGE', `files are limited to ${this.maxBytes} bytes`);
    }
    const fileId = randomBytes(16).toString('base64url');
    const tmpPath = path.join(this.tmp, fileId);
    let size = 0;
    const limit = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) done(new ProtocolError('TOO_LARGE', `files are limited to ${limit} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(req, counter, fs.createWriteStream(tmpPath, { flags: 'wx', mode: PRIVATE_FILE_MODE }));
      const finalPath = this.pathOf(fileId);
      await fs.promises.mkdir(path.dirname(finalPath), { recursive: true, mode: PRIVATE_DIR_MODE });
      await fs.promises.rename(tmpPath, finalPath);
    } catch (error) {
      await fs.promises.rm(tmpPath, { force: true });
      res.setHeader('Connection', 'close');
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError('BAD_REQUEST', 'upload interrupted');
    }
    const mime = cleanMime(req.headers['content-type']);
    await this.storage.insertFile({ fileId, uploader: userId, name: cleanName(req.headers['x-file-name']), mime, size, createdAt: Date.now() });
    sendJson(res, 201, { fileId, size, mime });
  }

  async download(req: IncomingMessage, res: ServerResponse, rawId: string): Promise<void> {
    const userId = await bearerUser(req, this.tokens);
    let fileId: string;
    try {
      fileId = decodeURIComponent(rawId);
    } catch {
      throw new ProtocolError('BAD_REQUEST', 'malformed file id');
    }
    if (!isValidFileId(fileId)) throw new ProtocolError('BAD_REQUEST', 'malformed file id');
    const file = await this.storage.getFile(fileId);
    // Unknown and forbidden look alike, so ids cannot be probed.
    if (!file || !(await this.storage.mayReadFile(fileId, userId))) throw new ProtocolError('NOT_FOUND', 'no such file');
    const stream = fs.createReadStream(this.pathOf(fileId));
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
    await pipeline(stream, res);
  }
}
