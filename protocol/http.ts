/** HTTP bodies of docs/protocol.md. */
import { Type, type Static } from '@sinclair/typebox';
import { ConvId, UserId } from './entries.js';
import { CodePointString } from './kinds.js';

/** What an invite code is made of (docs/protocol.md part 2, "Registration and login"). */
export const INVITE_CODE_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export function isInviteCode(value: string): boolean {
  return new RegExp(INVITE_CODE_PATTERN).test(value);
}
export const RegisterBody = Type.Object({
  userId: UserId,
  password: Type.String({ minLength: 8, maxLength: 256 }),
  name: CodePointString(64, 1),
  /** Extension (docs/protocol.md part 2, "Registration"): needed when the server's registration mode is `invite`. */
  inviteCode: Type.Optional(Type.String({ pattern: INVITE_CODE_PATTERN })),
});
/**
 * Extension: the `reason` a refused registration's error body carries besides its code, so a client can say why in
 * its own words (BAD_REQUEST: WEAK_PASSWORD; FORBIDDEN: the other three).
 */
export const REGISTER_REFUSALS = ['WEAK_PASSWORD', 'INVITE_REQUIRED', 'INVITE_INVALID', 'REGISTRATION_CLOSED'] as const;
export type RegisterRefusal = (typeof REGISTER_REFUSALS)[number];
export const LoginBody = Type.Object({ userId: UserId, password: Type.String({ minLength: 1, maxLength: 256 }) });
/** Extension (docs/protocol.md part 2, "Sessions and devices"): POST /v1/auth/password with the bearer token. */
export const PasswordChangeBody = Type.Object({
  oldPassword: Type.String({ minLength: 1, maxLength: 256 }),
  newPassword: Type.String({ minLength: 8, maxLength: 256 }),
});
export type PasswordChangeRequest = Static<typeof PasswordChangeBody>;
export interface TokenAnswer {
  token: string;
  expiresAt: number;
}
export interface FileAnswer {
  fileId: string;
  size: number;
  mime: string;
}

/**
 * An upload refused for the user's storage quota rather than the per-file limit: a TOO_LARGE whose error body
 * carries `quotaBytes` (docs/protocol.md part 2, "Uploads").
 */
export function isQuotaRefusal(error: { code: string; quotaBytes?: unknown }): boolean {
  return error.code === 'TOO_LARGE' && typeof error.quotaBytes === 'number';
}

/** The reason the desktop app records on a message whose attachment was refused for the quota. */
export const UPLOAD_QUOTA_REASON = 'upload quota reached';

export const AdminUserBody = Type.Object({
  userId: UserId,
  name: CodePointString(64, 1),
  avatar: Type.Optional(Type.String({ maxLength: 2048 })),
});
export const AdminTokenBody = Type.Object({ ttlSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 366 * 86400 })) });
export const AdminBanBody = Type.Object({ untilTs: Type.Integer({ minimum: 0 }) });
export const AdminMessageBody = Type.Object({
  from: UserId,
  convId: ConvId,
  kind: Type.String({ minLength: 1, maxLength: 32 }),
  body: Type.Record(Type.String(), Type.Unknown()),
});
export const AdminRoomBody = Type.Object({ roomId: Type.String({ pattern: '^[A-Za-z0-9_.@-]{1,64}$' }), name: CodePointString(64, 1) });
/** Extension: POST /v1/admin/invites. `uses` registrations it allows; `expiresAt` in ms (none: no expiry). */
export const AdminInviteBody = Type.Object({
  uses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  expiresAt: Type.Optional(Type.Integer({ minimum: 0 })),
});
export interface InviteView {
  code: string;
  usesLeft: number;
  /** ms; null: no expiry. */
  expiresAt: number | null;
  createdAt: number;
}
export const SensitiveWordsBody = Type.Object({
  words: Type.Array(CodePointString(64, 1), { maxItems: 100_000 }),
  mode: Type.Union([Type.Literal('mask'), Type.Literal('reject')]),
});

export type RegisterRequest = Static<typeof RegisterBody>;
export type LoginRequest = Static<typeof LoginBody>;
export type SensitiveWordsRequest = Static<typeof SensitiveWordsBody>;

/** Header names of the signed admin API. */
export const ADMIN_HEADERS = {
  appKey: 'x-app-key',
  nonce: 'x-nonce',
  timestamp: 'x-timestamp',
  signature: 'x-signature',
} as const;

/**
 * Extension (docs/protocol.md part 2, "Profiles"): `PUT /v1/profile/avatar` with the bearer token and the image's
 * bytes (PNG, JPEG, WebP, GIF or AVIF; its first frame) sets the user's avatar and answers 200 with this;
 * `DELETE /v1/profile/avatar` removes it (204). The optional header `X-Avatar-Crop: <x>,<y>,<size>` names the
 * square to keep, in pixels of the image as displayed (after its EXIF orientation); without it the centred
 * square is kept. The server stores only the re-encoded square at each size, without metadata.
 */
export interface AvatarAnswer {
  /** `/v1/avatars/<avatarId>`: the value `avatar` now has in the user's UserInfo. */
  avatar: string;
}
export const AVATAR_CROP_HEADER = 'x-avatar-crop';
/** Edge lengths in pixels the server stores; `GET /v1/avatars/<avatarId>?size=<name>` (default `profile`). */
export const AVATAR_SIZES = { list: 96, profile: 512 } as const;
export type AvatarSizeName = keyof typeof AVATAR_SIZES;
/** The largest image `PUT /v1/profile/avatar` accepts, unless the server says otherwise (TOO_LARGE above it). */
export const DEFAULT_MAX_AVATAR_BYTES = 10 * 1024 * 1024;
/** The path prefix of an uploaded avatar in UserInfo's `avatar`. */
export const AVATAR_PATH_PREFIX = '/v1/avatars/';
