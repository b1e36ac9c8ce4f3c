/**
 * Avatars over HTTP (docs/protocol.md part 2, "Profiles"): uploading and removing the user's own, and fetching
 * anyone's image for the window, which has no network of its own. An uploaded avatar is a path on the account's
 * server and is fetched with the token; an absolute URL an administrator set may point anywhere, so it is fetched
 * without credentials, never follows a redirect back to a token, and is held to an image type and a small size.
 */
import {
  AVATAR_CROP_HEADER,
  AVATAR_PATH_PREFIX,
  ProtocolError,
  type AvatarAnswer,
  type AvatarSizeName,
} from '../../../protocol/index.js';
import { errorFrom } from './http-client.js';
import { NoAnswerError } from './server-connection.js';

/** The largest avatar image the app loads (the server's are far smaller: 512 px squares). */
export const MAX_AVATAR_DOWNLOAD_BYTES = 4 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 15_000;
const UPLOAD_TIMEOUT_MS = 60_000;

const AVATAR_PATH_RE = /^\/v1\/avatars\/[A-Za-z0-9_-]{1,128}$/;
/**
 * Types an <img> shows safely from a blob: URL. SVG is left out: it is a document, and the server never makes one;
 * an administrator's URL serving it is not shown.
 */
const IMAGE_TYPE_RE = /^image\/(png|jpeg|gif|webp|avif|bmp)$/;

export type AvatarSource = { kind: 'server'; path: string } | { kind: 'remote'; url: URL };

/** Where an avatar value points, or null when it is neither an avatar path of this protocol nor an http(s) URL. */
export function avatarSource(avatar: string): AvatarSource | null {
  if (avatar.startsWith(AVATAR_PATH_PREFIX)) return AVATAR_PATH_RE.test(avatar) ? { kind: 'server', path: avatar } : null;
  let url: URL;
  try {
    url = new URL(avatar);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // Credentials in the URL would be sent by fetch: an avatar URL has no business carrying any.
  if (url.username || url.password) return null;
  return { kind: 'remote', url };
}

export interface FetchAvatarOptions {
  serverUrl: string;
  token: string;
  avatar: string;
  size: AvatarSizeName;
  maxBytes?: number;
  timeoutMs?: number;
}

/** The image of an avatar: BAD_REQUEST for a value that is not one, TOO_LARGE, or NoAnswerError when none came. */
export async function fetchAvatar(options: FetchAvatarOptions): Promise<{ bytes: Uint8Array; mime: string }> {
  const source = avatarSource(options.avatar);
  if (!source) throw new ProtocolError('BAD_REQUEST', 'not an avatar this app can load');
  const maxBytes = options.maxBytes ?? MAX_AVATAR_DOWNLOAD_BYTES;
  const signal = AbortSignal.timeout(options.timeoutMs ?? DOWNLOAD_TIMEOUT_MS);
  let res: Response;
  try {
    if (source.kind === 'server') {
      const url = new URL(source.path, options.serverUrl);
      url.searchParams.set('size', options.size);
      // The token goes to the account's server only: a redirect elsewhere is refused rather than followed.
      res = await fetch(url, { headers: { Authorization: `Bearer ${options.token}` }, redirect: 'error', signal });
    } else {
      res = await fetch(source.url, { redirect: 'follow', credentials: 'omit', signal });
    }
  } catch (error) {
    throw new NoAnswerError(`avatar: ${(error as Error).message}`);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    if (source.kind === 'server') throw await errorFrom(res.status, text);
    throw new ProtocolError(res.status === 404 || res.status === 410 ? 'NOT_FOUND' : 'BAD_REQUEST', `avatar: HTTP ${res.status}`);
  }
  const mime = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!IMAGE_TYPE_RE.test(mime)) {
    await res.body?.cancel().catch(() => undefined);
    throw new ProtocolError('BAD_REQUEST', 'the avatar is not an image');
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ProtocolError('TOO_LARGE', 'avatar image too large');
  }
  return { bytes: await readCapped(res, maxBytes), mime };
}

/** Reads a body up to `maxBytes`: a length header may be missing or lie, so the bytes themselves are counted. */
async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new ProtocolError('TOO_LARGE', 'avatar image too large');
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new NoAnswerError(`avatar: ${(error as Error).message}`);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

export interface UploadAvatarOptions {
  serverUrl: string;
  token: string;
  data: Uint8Array;
  mime: string;
  crop?: { x: number; y: number; size: number };
}

/** `PUT /v1/profile/avatar`: the server keeps the square, re-encoded at each size, and answers the new avatar path. */
export async function uploadAvatar(options: UploadAvatarOptions): Promise<AvatarAnswer> {
  const headers: Record<string, string> = { Authorization: `Bearer ${options.token}`, 'Content-Type': options.mime };
  if (options.crop) headers[AVATAR_CROP_HEADER] = `${options.crop.x},${options.crop.y},${options.crop.size}`;
  const text = await send(options.serverUrl, 'PUT', headers, options.data);
  return JSON.parse(text) as AvatarAnswer;
}

/** `DELETE /v1/profile/avatar`. */
export async function removeAvatar(serverUrl: string, token: string): Promise<void> {
  await send(serverUrl, 'DELETE', { Authorization: `Bearer ${token}` });
}

async function send(serverUrl: string, method: 'PUT' | 'DELETE', headers: Record<string, string>, body?: Uint8Array): Promise<string> {
  let res: Response;
  try {
    res = await fetch(new URL('/v1/profile/avatar', serverUrl), {
      method,
      headers,
      body: body as Uint8Array<ArrayBuffer> | undefined,
      redirect: 'error',
      signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
    });
  } catch (error) {
    throw new NoAnswerError(`cannot reach ${new URL(serverUrl).host}: ${(error as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw await errorFrom(res.status, text);
  return text;
}
