/**
 * A picked (or dropped) image on its way to becoming the avatar: checked (a type the server takes, not too large),
 * measured for the cropper and shown from a blob: URL, which is revoked when the pick is dropped.
 */
import { useCallback, useEffect, useState } from 'react';
import { DEFAULT_MAX_AVATAR_BYTES } from '../../../protocol/pure.js';
import type { ImageSize } from './crop';
import { measureImage } from './image-size';
import { isAvatarType } from './profile-form';

export interface PickedImage {
  url: string;
  image: ImageSize;
  data: Uint8Array;
  mime: string;
}

export type PickError = 'notImage' | 'tooLarge' | 'unreadable';

export function useAvatarPicker() {
  const [picked, setPicked] = useState<PickedImage | null>(null);
  const [error, setError] = useState<PickError | null>(null);

  useEffect(() => () => {
    if (picked) URL.revokeObjectURL(picked.url);
  }, [picked]);

  const pick = useCallback(async (file: File) => {
    setError(null);
    if (!isAvatarType(file.type)) return setError('notImage');
    if (file.size > DEFAULT_MAX_AVATAR_BYTES) return setError('tooLarge');
    const url = URL.createObjectURL(file);
    try {
      const [image, buffer] = await Promise.all([measureImage(url), file.arrayBuffer()]);
      setPicked({ url, image, data: new Uint8Array(buffer), mime: file.type.toLowerCase() });
    } catch {
      URL.revokeObjectURL(url);
      setError('unreadable');
    }
  }, []);

  const clear = useCallback(() => {
    setPicked(null);
    setError(null);
  }, []);

  return { picked, error, pick, clear };
}
