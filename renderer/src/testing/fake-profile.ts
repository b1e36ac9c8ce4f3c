/**
 * The fake api's profiles: the signed-in user's name, status line and avatar, and everyone's avatar images. An
 * upload is kept (its bytes stand for every size) and named `/v1/avatars/fake-<n>` as the server would name it;
 * other avatars are served from `images`. Changes are announced as main does: profile:changed, users:changed.
 */
import type { AvatarImage, AvatarSizeName, ProfileView, UserView } from '../../../preload/api-types';
import type { FakeContext } from './fake-context';

export interface FakeProfileHooks {
  /** The session's name follows the profile's, as main's does. */
  renamed(name: string): void;
  /** The name the session has (the profile's before the user has one in `users`). */
  sessionName(): string;
}

export function createFakeProfile(ctx: FakeContext, hooks: FakeProfileHooks, images: Record<string, AvatarImage> = {}) {
  const stored = new Map<string, AvatarImage>(Object.entries(images));
  const statuses = new Map<string, string>();
  let uploads = 0;

  const selfUser = (): UserView => ctx.users.get(ctx.selfId()) ?? { userId: ctx.selfId(), name: hooks.sessionName(), online: true, lastSeen: ctx.now() };
  const view = (): ProfileView => {
    const u = selfUser();
    const profile: ProfileView = { userId: u.userId, name: u.name, status: u.status ?? statuses.get(u.userId) ?? '' };
    if (u.avatar) profile.avatar = u.avatar;
    return profile;
  };
  const change = (patch: Partial<UserView>, removeAvatar = false): ProfileView => {
    const before = selfUser();
    const next: UserView = { ...before, ...patch };
    if (removeAvatar) delete next.avatar;
    if (next.status === '') delete next.status;
    ctx.users.set(next.userId, next);
    if (next.name !== before.name) hooks.renamed(next.name);
    const profile = view();
    ctx.emit('profile:changed', profile);
    ctx.emit('users:changed', { users: [next] });
    return profile;
  };

  return {
    profile: {
      get: () => ctx.record('profile.get', {}, view),
      update: (arg: { name?: string; status?: string }) =>
        ctx.record('profile.update', arg, () => {
          const patch: Partial<UserView> = {};
          if (arg.name !== undefined) patch.name = arg.name;
          if (arg.status !== undefined) patch.status = arg.status;
          return change(patch);
        }),
      setAvatar: (arg: { data: Uint8Array; mime: string; crop?: { x: number; y: number; size: number } }) =>
        ctx.record('profile.setAvatar', arg, () => {
          const avatar = `/v1/avatars/fake-${++uploads}`;
          stored.set(avatar, { bytes: arg.data, mime: arg.mime });
          return change({ avatar });
        }),
      removeAvatar: () => ctx.record('profile.removeAvatar', {}, () => change({}, true)),
    },
    avatars: {
      read: (arg: { avatar: string; size: AvatarSizeName }) =>
        ctx.record('avatars.read', arg, () => {
          const image = stored.get(arg.avatar);
          if (!image) throw ctx.error('NOT_FOUND', 'no such avatar');
          return { bytes: image.bytes, mime: image.mime };
        }),
    },
  };
}
