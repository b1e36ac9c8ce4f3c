import { avatarHue, initials } from '../lib/avatar-color';

export type AvatarSize = 'sm' | 'md' | 'lg' | 'xl';

/** Initials on a colour of the id's own; decorative (the name is always written next to it). */
export function Avatar({ id, name, size = 'md', online }: { id: string; name: string; size?: AvatarSize; online?: boolean }) {
  const hue = avatarHue(id);
  return (
    <span className={`avatar avatar-${size}`} style={{ ['--avatar-hue' as string]: hue }} aria-hidden="true">
      <span className="avatar-text">{initials(name || id)}</span>
      {online ? <span className="avatar-online" /> : null}
    </span>
  );
}
