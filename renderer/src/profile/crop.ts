/**
 * The square crop of an avatar, as the cropper shows it: the image scaled so its shorter side fills the viewport
 * at zoom 1, moved by an offset that never uncovers the viewport. The server wants the square in the image's own
 * displayed pixels (after EXIF orientation, which the browser applies too), so that is what `cropSquare` returns.
 */

export const MAX_ZOOM = 4;

export interface CropState {
  /** 1 (the shorter side fills the viewport) to MAX_ZOOM. */
  zoom: number;
  /** The image's top-left corner in viewport pixels: ≤ 0, and the image always covers the viewport. */
  x: number;
  y: number;
}

export interface ImageSize {
  width: number;
  height: number;
}

export function scaleOf(image: ImageSize, viewport: number, zoom: number): number {
  return (viewport / Math.min(image.width, image.height)) * zoom;
}

/** Keeps the image covering the viewport. */
export function clampCrop(image: ImageSize, viewport: number, state: CropState): CropState {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, state.zoom));
  const scale = scaleOf(image, viewport, zoom);
  const minX = viewport - image.width * scale;
  const minY = viewport - image.height * scale;
  return { zoom, x: Math.min(0, Math.max(minX, state.x)), y: Math.min(0, Math.max(minY, state.y)) };
}

/** The centred square at zoom 1: what the server keeps without a crop. */
export function initialCrop(image: ImageSize, viewport: number): CropState {
  const scale = scaleOf(image, viewport, 1);
  return clampCrop(image, viewport, { zoom: 1, x: (viewport - image.width * scale) / 2, y: (viewport - image.height * scale) / 2 });
}

/** Zooms about the viewport's centre, so what is in the middle stays there. */
export function zoomTo(image: ImageSize, viewport: number, state: CropState, zoom: number): CropState {
  const before = scaleOf(image, viewport, state.zoom);
  const next = Math.min(MAX_ZOOM, Math.max(1, zoom));
  const after = scaleOf(image, viewport, next);
  const centre = viewport / 2;
  const ratio = after / before;
  return clampCrop(image, viewport, { zoom: next, x: centre - (centre - state.x) * ratio, y: centre - (centre - state.y) * ratio });
}

/** The square the viewport shows, in whole image pixels, inside the image. */
export function cropSquare(image: ImageSize, viewport: number, state: CropState): { x: number; y: number; size: number } {
  const { zoom, x, y } = clampCrop(image, viewport, state);
  const scale = scaleOf(image, viewport, zoom);
  const size = Math.max(1, Math.min(Math.round(viewport / scale), image.width, image.height));
  return {
    x: Math.min(image.width - size, Math.max(0, Math.round(-x / scale))),
    y: Math.min(image.height - size, Math.max(0, Math.round(-y / scale))),
    size,
  };
}
