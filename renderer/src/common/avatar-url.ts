import { useEffect, useState } from 'react';
import type { AvatarSizeName } from '../../../preload/api-types';
import { useOptionalModel } from '../app/model-context';

/** The blob: URL of an avatar's image while it is shown; null while loading, on failure, or without an avatar. */
export function useAvatarUrl(avatar: string | undefined, size: AvatarSizeName): string | null {
  const model = useOptionalModel();
  const [loaded, setLoaded] = useState<{ key: string; url: string } | null>(null);
  const key = avatar ? `${size}\n${avatar}` : '';

  useEffect(() => {
    if (!model || !avatar) return;
    const hold = model.avatars.acquire(avatar, size);
    let live = true;
    hold.url.then(
      (url) => {
        if (live) setLoaded({ key: `${size}\n${avatar}`, url });
      },
      () => undefined, // the initials stay
    );
    return () => {
      live = false;
      hold.release();
    };
  }, [model, avatar, size]);

  return loaded && loaded.key === key ? loaded.url : null;
}
