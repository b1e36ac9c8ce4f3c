import { useState } from 'react';
import type { AvatarSizeName } from '../../../preload/api-types';
import { avatarHue, initials } from '../lib/avatar-color';
import { useAvatarUrl } from './avatar-url';

export type AvatarSize = 'sm' | 'md' | 'lg' | 'xl';

/** Small avatars use the server's list size (96 px); large ones its profile size. */
function imageSize(size: AvatarSize): AvatarSizeName {
  return size === 'lg' || size === 'xl' ? 'profile' : 'list';
}

export interface AvatarProps {
  id: string;
  name: string;
  size?: AvatarSize;
  online?: boolean;
  /** The person's or group's avatar (UserInfo's `avatar`): its image once loaded, the initials meanwhile and on error. */
  avatar?: string | undefined;
}

/** Initials on a colour of the id's own, or the avatar's image; decorative (the name is always written next to it). */
export function Avatar({ id, name, size = 'md', online, avatar }: AvatarProps) {
  const hue = avatarHue(id);
  const url = useAvatarUrl(avatar, imageSize(size));
  const [broken, setBroken] = useState<string | null>(null);
  const showImage = url !== null && broken !== url;
  return (
    <span className={`avatar avatar-${size}`} style={{ ['--avatar-hue' as string]: hue }} aria-hidden="true">
      {showImage ? (
        <img className="avatar-image" src={url} alt="" draggable={false} onError={() => setBroken(url)} />
      ) : (
        <span className="avatar-text">{initials(name || id)}</span>
      )}
      {online ? <span className="avatar-online" /> : null}
    </span>
  );
}
