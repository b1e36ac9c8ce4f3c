import type { ImageSize } from './crop';

/** The size an image shows at (after its EXIF orientation, as <img> applies it); rejects what does not decode. */
export function measureImage(url: string): Promise<ImageSize> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => (img.naturalWidth > 0 && img.naturalHeight > 0 ? resolve({ width: img.naturalWidth, height: img.naturalHeight }) : reject(new Error('empty image')));
    img.onerror = () => reject(new Error('not an image'));
    img.src = url;
  });
}
