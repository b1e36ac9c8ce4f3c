/**
 * Choosing the square of a new avatar: the image under a round mask, dragged (pointer or arrow keys) and zoomed
 * (slider, wheel); the square in the image's pixels goes to main with the bytes, and the server crops.
 */
import { useState, type KeyboardEvent, type PointerEvent, type WheelEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_ZOOM, clampCrop, cropSquare, initialCrop, scaleOf, zoomTo, type CropState, type ImageSize } from './crop';

/** The crop viewport's edge in CSS pixels (profile.css sizes the frame to match). */
export const CROP_VIEWPORT = 240;
const KEY_STEP = 8;

export interface AvatarCropperProps {
  url: string;
  image: ImageSize;
  busy: boolean;
  onCancel(): void;
  onConfirm(crop: { x: number; y: number; size: number }): void;
}

export function AvatarCropper({ url, image, busy, onCancel, onConfirm }: AvatarCropperProps) {
  const { t } = useTranslation();
  const [state, setState] = useState<CropState>(() => initialCrop(image, CROP_VIEWPORT));
  const [drag, setDrag] = useState<{ px: number; py: number; x: number; y: number } | null>(null);
  const scale = scaleOf(image, CROP_VIEWPORT, state.zoom);
  const move = (x: number, y: number) => setState((s) => clampCrop(image, CROP_VIEWPORT, { ...s, x, y }));

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture?.(e.pointerId);
    setDrag({ px: e.clientX, py: e.clientY, x: state.x, y: state.y });
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (drag) move(drag.x + e.clientX - drag.px, drag.y + e.clientY - drag.py);
  };
  const onWheel = (e: WheelEvent<HTMLDivElement>) => {
    setState((s) => zoomTo(image, CROP_VIEWPORT, s, s.zoom * (e.deltaY < 0 ? 1.1 : 1 / 1.1)));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const d = { ArrowLeft: [KEY_STEP, 0], ArrowRight: [-KEY_STEP, 0], ArrowUp: [0, KEY_STEP], ArrowDown: [0, -KEY_STEP] }[e.key];
    if (!d) return;
    e.preventDefault();
    move(state.x + (d[0] ?? 0), state.y + (d[1] ?? 0));
  };

  return (
    <div className="avatar-cropper" data-testid="avatar-cropper">
      <p className="avatar-cropper-title">{t('profile.cropTitle')}</p>
      <div
        className={`avatar-crop-frame${drag ? ' is-dragging' : ''}`}
        style={{ width: CROP_VIEWPORT, height: CROP_VIEWPORT }}
        role="group"
        tabIndex={0}
        aria-label={t('profile.cropArea')}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => setDrag(null)}
        onPointerCancel={() => setDrag(null)}
        onWheel={onWheel}
        onKeyDown={onKeyDown}
        data-testid="avatar-crop-frame"
      >
        <img
          src={url}
          alt=""
          draggable={false}
          className="avatar-crop-image"
          style={{ width: image.width * scale, height: image.height * scale, transform: `translate(${state.x}px, ${state.y}px)` }}
        />
        <span className="avatar-crop-mask" aria-hidden="true" />
      </div>
      <p className="muted avatar-cropper-hint">{t('profile.cropHint')}</p>
      <label className="avatar-zoom">
        <span>{t('profile.zoom')}</span>
        <input
          type="range"
          min={1}
          max={MAX_ZOOM}
          step={0.01}
          value={state.zoom}
          onChange={(e) => setState((s) => zoomTo(image, CROP_VIEWPORT, s, Number(e.target.value)))}
          data-testid="avatar-zoom"
        />
      </label>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel} disabled={busy}>
          {t('profile.cancel')}
        </button>
        <button type="button" className="button button-primary" onClick={() => onConfirm(cropSquare(image, CROP_VIEWPORT, state))} disabled={busy} data-testid="avatar-use">
          {busy ? t('profile.uploading') : t('profile.usePhoto')}
        </button>
      </div>
    </div>
  );
}
