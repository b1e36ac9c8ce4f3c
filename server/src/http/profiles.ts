/**
 * The avatar routes (docs/protocol.md part 2, "Profiles"): `PUT`/`DELETE /v1/profile/avatar` change the bearer's own
 * avatar; `GET /v1/avatars/<avatarId>?size=list|profile` serves one to any signed-in user, since an avatar is shown
 * wherever its owner's name is (the directory, groups, mentions).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AVATAR_CROP_HEADER, ProtocolError } from '../../../protocol/index.js';
import type { TokenService } from '../auth/tokens.js';
import { avatarSize, isAvatarId, parseCrop, type Profiles } from '../services/profiles.js';
import { bearerUser, readBody, sendJson } from './respond.js';

export class ProfileRoutes {
  constructor(
    private readonly profiles: Profiles,
    private readonly tokens: TokenService,
  ) {}

  async putAvatar(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const userId = await bearerUser(req, this.tokens);
    const crop = parseCrop(header(req, AVATAR_CROP_HEADER));
    await this.profiles.admitUpload(userId);
    const body = await readBody(req, this.profiles.config.maxAvatarBytes);
    if (body.length === 0) throw new ProtocolError('BAD_REQUEST', 'the body must be the image', { reason: 'NOT_AN_IMAGE' });
    sendJson(res, 200, { avatar: await this.profiles.setAvatar(userId, body, crop) });
  }

  async deleteAvatar(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const userId = await bearerUser(req, this.tokens);
    await this.profiles.removeAvatar(userId);
    res.writeHead(204).end();
  }

  async getAvatar(req: IncomingMessage, res: ServerResponse, avatarId: string, sizeName: string | null): Promise<void> {
    await bearerUser(req, this.tokens);
    const size = avatarSize(sizeName);
    if (size === null) throw new ProtocolError('BAD_REQUEST', 'size must be list or profile');
    const image = isAvatarId(avatarId) ? await this.profiles.avatarImage(avatarId, size) : null;
    if (!image) throw new ProtocolError('NOT_FOUND', 'no such avatar');
    res.writeHead(200, {
      'Content-Type': image.mime,
      'Content-Length': image.bytes.length,
      'X-Content-Type-Options': 'nosniff',
      // An avatar id names one picture for ever (a change makes a new id), so a client may keep it.
      'Cache-Control': 'private, max-age=31536000, immutable',
    });
    res.end(image.bytes);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
