/** HTTP bodies of docs/protocol.md. */
import { Type, type Static } from '@sinclair/typebox';
import { ConvId, UserId } from './entries.js';
import { CodePointString } from './kinds.js';

export const RegisterBody = Type.Object({
  userId: UserId,
  password: Type.String({ minLength: 8, maxLength: 256 }),
  name: CodePointString(64, 1),
});
export const LoginBody = Type.Object({ userId: UserId, password: Type.String({ minLength: 1, maxLength: 256 }) });
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
