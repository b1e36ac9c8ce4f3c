/** What the profile form may send: a trimmed name and status within the protocol's limits, only what changed. */
import { MAX_NAME, MAX_STATUS } from '../../../protocol/pure.js';
import type { ProfileView } from '../../../preload/api-types';

export type ProfileFormError = 'nameMissing' | 'nameTooLong' | 'statusTooLong';

export type ProfilePatch = { name?: string; status?: string };

const codePoints = (s: string): number => Array.from(s).length;

export function checkProfileForm(name: string, status: string): ProfileFormError | null {
  const n = name.trim();
  if (!n) return 'nameMissing';
  if (codePoints(n) > MAX_NAME) return 'nameTooLong';
  if (codePoints(status.trim()) > MAX_STATUS) return 'statusTooLong';
  return null;
}

/** The fields that differ from the profile, trimmed; null when nothing changed. */
export function profilePatch(profile: Pick<ProfileView, 'name' | 'status'>, name: string, status: string): ProfilePatch | null {
  const patch: ProfilePatch = {};
  if (name.trim() !== profile.name) patch.name = name.trim();
  if (status.trim() !== profile.status) patch.status = status.trim();
  return Object.keys(patch).length > 0 ? patch : null;
}

/** Image types the server re-encodes (docs/protocol.md part 2, "Profiles"). */
export const AVATAR_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/avif'] as const;

export function isAvatarType(mime: string): boolean {
  return (AVATAR_TYPES as readonly string[]).includes(mime.toLowerCase());
}
