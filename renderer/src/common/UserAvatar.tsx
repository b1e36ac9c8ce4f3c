import { useCallback, useSyncExternalStore } from 'react';
import { useOptionalModel } from '../app/model-context';
import { Avatar, type AvatarProps } from './Avatar';

const noSubscription = () => () => undefined;

/**
 * A person's avatar as the model knows it: the user's own from their profile, anyone else's from what users.get
 * (or a profile event) said. Re-renders only when that avatar changes, not on every user update.
 */
export function useUserAvatar(userId: string): string | undefined {
  const model = useOptionalModel();
  const subscribe = useCallback(
    (listener: () => void) => {
      if (!model) return noSubscription();
      const offs = [model.users.subscribe(listener), model.profile.subscribe(listener)];
      return () => offs.forEach((off) => off());
    },
    [model],
  );
  const read = () => {
    if (!model) return undefined;
    const profile = model.profile.get();
    if (profile?.userId === userId) return profile.avatar;
    return model.users.get().get(userId)?.avatar;
  };
  return useSyncExternalStore(subscribe, read, read);
}

/** An Avatar for a user id, with their image when they have one. */
export function UserAvatar({ userId, ...rest }: Omit<AvatarProps, 'id' | 'avatar'> & { userId: string }) {
  const avatar = useUserAvatar(userId);
  return <Avatar id={userId} avatar={avatar} {...rest} />;
}
