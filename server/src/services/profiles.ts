/**
 * Profiles (docs/protocol.md part 2, "Profiles"): a user's own display name, status line and avatar, and the `profile`
 * event that tells everyone who sees them. An uploaded avatar is decoded, turned upright, cropped square and
 * re-encoded at each stored size by sharp (libvips), so what is kept has no metadata (EXIF, GPS, ICC comments) and no
 * bytes of the original: an image that is not one fails decoding and is refused.
 */
import { randomBytes } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import { AVATAR_PATH_PREFIX, AVATAR_SIZES, ProtocolError, type AvatarSizeName, type EventBodies } from '../../../protocol/index.js';
import type { ServerConfig } from '../config.js';
import type { AvatarImage, Storage, UserRecord } from '../storage/storage.js';
import type { Hub } from './hub.js';
import type { Throttle, Throttles } from './rate-limit.js';

/** What the decoder accepts: formats people's pictures come in. SVG (scripts, remote references) and PDF are not. */
const IMAGE_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif']);
/** A picture wider or taller than this is refused before it is decoded (a small file can declare a huge canvas). */
const MAX_EDGE = 12_000;
const AVATAR_ID_RE = /^[A-Za-z0-9_-]{22}$/;

/** Which stored size a `size` parameter names; absent: the profile size. */
export function avatarSize(name: string | null): number | null {
  if (name === null) return AVATAR_SIZES.profile;
  return Object.prototype.hasOwnProperty.call(AVATAR_SIZES, name) ? AVATAR_SIZES[name as AvatarSizeName] : null;
}

export function isAvatarId(value: string): boolean {
  return AVATAR_ID_RE.test(value);
}

/** `X-Avatar-Crop: <x>,<y>,<size>`: non-negative integers, size at least 1. */
export function parseCrop(header: string | undefined): { x: number; y: number; size: number } | null {
  if (header === undefined) return null;
  const m = /^\s*(\d{1,6})\s*,\s*(\d{1,6})\s*,\s*(\d{1,6})\s*$/.exec(header);
  if (!m || Number(m[3]) < 1) throw new ProtocolError('BAD_REQUEST', 'X-Avatar-Crop must be "<x>,<y>,<size>" in pixels');
  return { x: Number(m[1]), y: Number(m[2]), size: Number(m[3]) };
}

/** The square avatars of `input` at every stored size; BAD_REQUEST when it is not a picture or the crop leaves it. */
export async function renderAvatar(input: Buffer, crop: { x: number; y: number; size: number } | null): Promise<AvatarImage[]> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { failOn: 'error' }).metadata();
  } catch {
    throw new ProtocolError('BAD_REQUEST', 'the avatar is not an image this server reads (PNG, JPEG, WebP, GIF, AVIF)', { reason: 'NOT_AN_IMAGE' });
  }
  if (!meta.format || !IMAGE_FORMATS.has(meta.format) || !meta.width || !meta.height) {
    throw new ProtocolError('BAD_REQUEST', 'the avatar is not an image this server reads (PNG, JPEG, WebP, GIF, AVIF)', { reason: 'NOT_AN_IMAGE' });
  }
  if (meta.width > MAX_EDGE || meta.height > MAX_EDGE) throw new ProtocolError('TOO_LARGE', `the avatar is over ${MAX_EDGE} pixels on a side`);
  // EXIF orientations 5–8 swap the displayed width and height; the crop is in displayed pixels.
  const swapped = (meta.orientation ?? 1) >= 5;
  const width = swapped ? meta.height : meta.width;
  const height = swapped ? meta.width : meta.height;
  const side = Math.min(width, height);
  const square = crop ?? { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), size: side };
  if (square.x + square.size > width || square.y + square.size > height) {
    throw new ProtocolError('BAD_REQUEST', `the crop ${square.x},${square.y},${square.size} leaves the ${width}×${height} image`);
  }
  try {
    // One decode, turned upright and cut; each size is resized from it. sharp writes no metadata unless asked.
    const upright = await sharp(input, { failOn: 'error', animated: false })
      .rotate()
      .extract({ left: square.x, top: square.y, width: square.size, height: square.size })
      .toBuffer();
    return await Promise.all(
      Object.values(AVATAR_SIZES).map(async (size) => ({
        size,
        mime: 'image/webp',
        bytes: await sharp(upright).resize(size, size, { fit: 'cover', withoutEnlargement: false }).webp({ quality: 82 }).toBuffer(),
      })),
    );
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    throw new ProtocolError('BAD_REQUEST', 'the avatar could not be decoded', { reason: 'NOT_AN_IMAGE' });
  }
}

export class Profiles {
  /** Avatar uploads per user: decoding a picture costs far more than any op. */
  private readonly uploads: Throttle;

  constructor(
    private readonly storage: Storage,
    private readonly hub: Pick<Hub, 'send'>,
    readonly config: Pick<ServerConfig, 'maxAvatarBytes'>,
    throttles: Throttles,
  ) {
    this.uploads = throttles('avatar', 1 / 60, 10);
  }

  async update(userId: string, change: { name?: string; status?: string }): Promise<void> {
    const name = change.name?.trim();
    const status = change.status?.trim();
    if (name === undefined && status === undefined) throw new ProtocolError('BAD_REQUEST', 'profile.update needs name or status');
    if (name === '') throw new ProtocolError('BAD_REQUEST', 'name is empty');
    if (!(await this.storage.updateProfile(userId, { name, status }))) throw new ProtocolError('NOT_FOUND', 'no such user');
    await this.announce(userId);
  }

  /** Takes an upload of the user's budget; RATE_LIMITED when it is spent. */
  async admitUpload(userId: string): Promise<void> {
    const wait = await this.uploads.take(userId, Date.now());
    if (wait > 0) throw new ProtocolError('RATE_LIMITED', 'too many avatar changes', { retryAfterMs: wait });
  }

  async setAvatar(userId: string, input: Buffer, crop: { x: number; y: number; size: number } | null): Promise<string> {
    const images = await renderAvatar(input, crop);
    const avatarId = randomBytes(16).toString('base64url');
    const path = `${AVATAR_PATH_PREFIX}${avatarId}`;
    if (!(await this.storage.setAvatar(userId, { avatarId, path, images }, Date.now()))) throw new ProtocolError('NOT_FOUND', 'no such user');
    await this.announce(userId);
    return path;
  }

  async removeAvatar(userId: string): Promise<void> {
    if (!(await this.storage.setAvatar(userId, null, Date.now()))) throw new ProtocolError('NOT_FOUND', 'no such user');
    await this.announce(userId);
  }

  async avatarImage(avatarId: string, size: number): Promise<AvatarImage | null> {
    return this.storage.getAvatarImage(avatarId, size);
  }

  /** Tells the user's devices and everyone who shares a conversation with them (also used after an admin change). */
  async announce(userId: string): Promise<void> {
    const user = await this.storage.getUser(userId);
    if (!user) return;
    const audience = await this.storage.profileAudience(userId);
    this.hub.send([userId, ...audience], 'profile', profileBody(user));
  }
}

export function profileBody(user: UserRecord): EventBodies['profile'] {
  const body: EventBodies['profile'] = { userId: user.userId, name: user.name };
  if (user.avatar) body.avatar = user.avatar;
  if (user.status) body.status = user.status;
  return body;
}
