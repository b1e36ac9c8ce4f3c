/**
 * The emoji popover above the composer: a grid navigable with the arrow keys (one tab stop), Enter picks,
 * Esc closes and returns to the text.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { EMOJI } from './emoji';

const COLUMNS = 8;

export function EmojiPicker({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const [active, setActive] = useState(0);
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('[data-index="0"]')?.focus();
    const onDown = (e: MouseEvent) => {
      const target = e.target as HTMLElement;
      if (ref.current && !ref.current.contains(target) && !target.closest('[data-emoji-toggle]')) onClose();
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [onClose]);

  const move = (next: number) => {
    const index = Math.max(0, Math.min(EMOJI.length - 1, next));
    setActive(index);
    ref.current?.querySelector<HTMLElement>(`[data-index="${index}"]`)?.focus();
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const keys: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
    if (e.key in keys) {
      e.preventDefault();
      move(active + (keys[e.key] as number));
    } else if (e.key === 'Home') {
      e.preventDefault();
      move(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      move(EMOJI.length - 1);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  };

  return (
    <div ref={ref} className="emoji-picker" role="grid" aria-label={t('composer.emojiPicker')} onKeyDown={onKeyDown} data-testid="emoji-picker">
      {Array.from({ length: Math.ceil(EMOJI.length / COLUMNS) }, (_, row) => (
        <div role="row" key={row} className="emoji-row">
          {EMOJI.slice(row * COLUMNS, row * COLUMNS + COLUMNS).map((emoji, col) => {
            const index = row * COLUMNS + col;
            return (
              <button
                key={emoji}
                type="button"
                role="gridcell"
                className="emoji-cell"
                data-index={index}
                tabIndex={index === active ? 0 : -1}
                aria-label={emoji}
                onClick={() => onPick(emoji)}
                onFocus={() => setActive(index)}
              >
                {emoji}
              </button>
            );
          })}
        </div>
      ))}
    </div>
  );
}
