import { describe, expect, it } from 'vitest';
import { clampCrop, cropSquare, initialCrop, zoomTo } from './crop';

const V = 240;

describe('the avatar crop', () => {
  it('starts with the centred square, as the server keeps without a crop', () => {
    expect(cropSquare({ width: 800, height: 600 }, V, initialCrop({ width: 800, height: 600 }, V))).toEqual({ x: 100, y: 0, size: 600 });
    expect(cropSquare({ width: 300, height: 900 }, V, initialCrop({ width: 300, height: 900 }, V))).toEqual({ x: 0, y: 300, size: 300 });
  });

  it('never uncovers the viewport when moved or zoomed out', () => {
    const image = { width: 800, height: 600 };
    expect(clampCrop(image, V, { zoom: 1, x: 50, y: -500 })).toEqual({ zoom: 1, x: 0, y: 0 });
    expect(clampCrop(image, V, { zoom: 0.2, x: -1000, y: 0 })).toEqual({ zoom: 1, x: -80, y: 0 });
  });

  it('zooms about the centre: a 2× zoom keeps the middle half', () => {
    const image = { width: 600, height: 600 };
    const zoomed = zoomTo(image, V, initialCrop(image, V), 2);
    expect(cropSquare(image, V, zoomed)).toEqual({ x: 150, y: 150, size: 300 });
  });

  it('stays inside the image, in whole pixels, when moved to a corner', () => {
    const image = { width: 1001, height: 777 };
    const zoomed = zoomTo(image, V, initialCrop(image, V), 3);
    const corner = cropSquare(image, V, { ...zoomed, x: -1e9, y: -1e9 });
    expect(Number.isInteger(corner.x) && Number.isInteger(corner.y) && Number.isInteger(corner.size)).toBe(true);
    expect(corner.x + corner.size).toBe(1001);
    expect(corner.y + corner.size).toBe(777);
    expect(corner.size).toBe(259);
  });
});
