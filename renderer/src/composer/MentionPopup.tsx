/**
 * The @mention listbox above the composer. Focus stays in the textarea (which points at the active option
 * with aria-activedescendant); a mouse press must not take focus away, so options pick on click after
 * preventing the mousedown.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { UserAvatar } from '../common/UserAvatar';
import { Icon } from '../common/Icon';
import type { MentionOption } from './mention-options';

export interface MentionPopupProps {
  id: string;
  options: readonly MentionOption[];
  active: number;
  onPick: (option: MentionOption) => void;
  onHover: (index: number) => void;
}

export function mentionOptionId(popupId: string, index: number): string {
  return `${popupId}-option-${index}`;
}

export function MentionPopup({ id, options, active, onPick, onHover }: MentionPopupProps) {
  const { t } = useTranslation();
  const list = useRef<HTMLUListElement>(null);

  useEffect(() => {
    list.current?.ownerDocument.getElementById(mentionOptionId(id, active))?.scrollIntoView({ block: 'nearest' });
  }, [id, active]);

  return (
    <ul ref={list} id={id} className="mention-popup" role="listbox" aria-label={t('rooms.mentionList')} data-testid="mention-popup">
      {options.map((option, index) => {
        const testId = option.kind === 'all' ? 'mention-option-all' : `mention-option-${option.userId}`;
        return (
          <li
            key={option.kind === 'all' ? '@all' : option.userId}
            id={mentionOptionId(id, index)}
            role="option"
            aria-selected={index === active}
            className={`mention-option${index === active ? ' is-active' : ''}`}
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => onHover(index)}
            onClick={() => onPick(option)}
            data-testid={testId}
          >
            {option.kind === 'all' ? (
              <>
                <span className="mention-all-icon" aria-hidden="true">
                  <Icon name="users" size={16} />
                </span>
                <span className="mention-option-text">
                  <span className="mention-option-name">{t('rooms.mentionAll')}</span>
                  <span className="mention-option-id">@all · {t('rooms.mentionAllHint')}</span>
                </span>
              </>
            ) : (
              <>
                <UserAvatar userId={option.userId} name={option.name} size="sm" />
                <span className="mention-option-text">
                  <span className="mention-option-name">{option.name}</span>
                  <span className="mention-option-id">@{option.userId}</span>
                </span>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}
