/** The handlers of `profile.*` and `avatars.read`: each one hop to the account's profile (profile.ts). */
import type { ApiHandlers } from '../../../preload/contract.js';
import type { Account } from './account.js';

export type ProfileHandlers = Pick<ApiHandlers, 'profile.get' | 'profile.update' | 'profile.setAvatar' | 'profile.removeAvatar' | 'avatars.read'>;

export interface ProfileHandlerDeps {
  /** The signed-in account, or UNAUTHENTICATED. */
  need(): Account;
  /** Runs a call to the server; no answer becomes OFFLINE. */
  reach<T>(fn: () => Promise<T>): Promise<T>;
}

export function profileHandlers({ need, reach }: ProfileHandlerDeps): ProfileHandlers {
  return {
    'profile.get': async () => need().profile.get(),
    'profile.update': async (patch) => {
      const profile = need().profile;
      return reach(() => profile.update(patch));
    },
    // The token stays here: the window hands over bytes and gets the new profile back.
    'profile.setAvatar': async ({ data, mime, crop }) => {
      const profile = need().profile;
      return reach(() => profile.setAvatar(data, mime, crop));
    },
    'profile.removeAvatar': async () => {
      const profile = need().profile;
      return reach(() => profile.removeAvatar());
    },
    'avatars.read': async ({ avatar, size }) => {
      const profile = need().profile;
      return reach(() => profile.readAvatar(avatar, size));
    },
  };
}
