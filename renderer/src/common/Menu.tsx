/**
 * A context menu (right click, Shift+F10, the ContextMenu key, or a "more" button): role="menu", arrow keys,
 * Home/End, Enter, Esc; it closes on a click outside, on scroll, and returns focus to where it was opened.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { Icon, type IconName } from './Icon';

export interface MenuItem {
  id: string;
  label: string;
  icon?: IconName;
  danger?: boolean;
  onSelect: () => void;
}

export interface MenuProps {
  items: readonly MenuItem[];
  /** Viewport coordinates of the opening point. */
  x: number;
  y: number;
  label: string;
  onClose: () => void;
}

export function Menu({ items, x, y, label, onClose }: MenuProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ left: x, top: y });
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useLayoutEffect(() => {
    const node = ref.current;
    if (!node) return;
    const rect = node.getBoundingClientRect();
    const margin = 8;
    setPos({
      left: Math.max(margin, Math.min(x, window.innerWidth - rect.width - margin)),
      top: Math.max(margin, y + rect.height > window.innerHeight - margin ? y - rect.height : y),
    });
  }, [x, y]);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onPointer = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onCloseRef.current();
    };
    const onBlur = () => onCloseRef.current();
    document.addEventListener('mousedown', onPointer, true);
    window.addEventListener('blur', onBlur);
    window.addEventListener('resize', onBlur);
    // Anything scrolling under it would leave the menu pointing at the wrong thing.
    document.addEventListener('scroll', onBlur, true);
    return () => {
      document.removeEventListener('scroll', onBlur, true);
      document.removeEventListener('mousedown', onPointer, true);
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('resize', onBlur);
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  const move = (delta: number | 'first' | 'last') => {
    const nodes = Array.from(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
    if (nodes.length === 0) return;
    const current = nodes.indexOf(document.activeElement as HTMLElement);
    const next = delta === 'first' ? 0 : delta === 'last' ? nodes.length - 1 : (current + delta + nodes.length) % nodes.length;
    nodes[next]?.focus();
  };

  return createPortal(
    <div
      ref={ref}
      role="menu"
      aria-label={label}
      className="menu"
      style={{ left: pos.left, top: pos.top }}
      data-testid="context-menu"
      onContextMenu={(e) => e.preventDefault()}
      onKeyDown={(e) => {
        if (e.key === 'ArrowDown') move(1);
        else if (e.key === 'ArrowUp') move(-1);
        else if (e.key === 'Home') move('first');
        else if (e.key === 'End') move('last');
        else if (e.key === 'Escape' || e.key === 'Tab') onCloseRef.current();
        else return;
        e.preventDefault();
        e.stopPropagation();
      }}
    >
      {items.map((item) => (
        <button
          key={item.id}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={item.danger ? 'menu-item menu-item-danger' : 'menu-item'}
          data-testid={`menu-${item.id}`}
          onClick={() => {
            onCloseRef.current();
            item.onSelect();
          }}
        >
          {item.icon ? <Icon name={item.icon} size={18} /> : null}
          <span>{item.label}</span>
        </button>
      ))}
    </div>,
    document.body,
  );
}

/** Where to open a menu for a keyboard-invoked context menu: just inside the element. */
export function menuPointFor(element: Element): { x: number; y: number } {
  const rect = element.getBoundingClientRect();
  return { x: rect.left + Math.min(48, rect.width / 2), y: rect.top + Math.min(rect.height, 32) };
}
