/**
 * A modal dialog: rendered over the app, focus moves in and stays in (Tab wraps), Esc and a click outside
 * close it, and focus returns to where it was.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { focusableIn, trapTab } from './focus';
import { Icon } from './Icon';

export interface DialogProps {
  title: string;
  /** Hidden visually, still the dialog's accessible name. */
  hideTitle?: boolean;
  onClose: () => void;
  children: ReactNode;
  className?: string;
  testId?: string;
  footer?: ReactNode;
}

export function Dialog({ title, hideTitle, onClose, children, className, testId, footer }: DialogProps) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const node = ref.current;
    if (node) {
      const target = node.querySelector<HTMLElement>('[data-autofocus]') ?? focusableIn(node).find((el) => !el.classList.contains('dialog-close')) ?? node;
      target.focus();
    }
    return () => {
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  return createPortal(
    <div
      className="overlay"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onCloseRef.current();
      }}
    >
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        className={className ? `dialog ${className}` : 'dialog'}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onCloseRef.current();
            return;
          }
          if (ref.current) trapTab(e, ref.current);
        }}
      >
        <header className={hideTitle ? 'dialog-header dialog-header-bare' : 'dialog-header'}>
          <h2 id={titleId} className={hideTitle ? 'visually-hidden' : 'dialog-title'}>
            {title}
          </h2>
          <button type="button" className="icon-button dialog-close" aria-label={t('dialog.close')} onClick={() => onCloseRef.current()}>
            <Icon name="close" />
          </button>
        </header>
        <div className="dialog-body">{children}</div>
        {footer ? <footer className="dialog-footer">{footer}</footer> : null}
      </div>
    </div>,
    document.body,
  );
}
