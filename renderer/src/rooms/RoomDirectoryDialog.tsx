/**
 * The chatroom directory: every room with how many are online (most first, as the server sorts them), and a
 * "Join by ID" field for rooms not listed (servers with roomAutoCreate make the room on join). Joining opens
 * the room; the user is in one room at a time, so joining another leaves the previous one.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RoomView } from '../../../preload/api-types';
import { isValidId, roomConvId } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { Dialog } from '../common/Dialog';
import { Icon } from '../common/Icon';
import { errorCode, errorText } from '../lib/errors';
import { useStore } from '../lib/store';

export interface RoomDirectoryDialogProps {
  onClose: () => void;
  /** Joined: show the room's conversation. */
  onJoined: (convId: string) => void;
}

type ListState = { status: 'loading'; rooms: readonly RoomView[] } | { status: 'ready'; rooms: readonly RoomView[] } | { status: 'error'; rooms: readonly RoomView[] };

export function RoomDirectoryDialog({ onClose, onJoined }: RoomDirectoryDialogProps) {
  const { t } = useTranslation();
  const model = useModel();
  const { byId } = useStore(model.conversations);
  const [list, setList] = useState<ListState>({ status: 'loading', rooms: [] });
  const [joining, setJoining] = useState<string | null>(null);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [typedId, setTypedId] = useState('');
  const [idError, setIdError] = useState<string | null>(null);
  const inputId = useId();
  const hintId = useId();

  const load = useCallback(async () => {
    setList((prev) => ({ status: 'loading', rooms: prev.rooms }));
    try {
      const { rooms } = await model.api.rooms.list();
      setList({ status: 'ready', rooms });
    } catch {
      setList((prev) => ({ status: 'error', rooms: prev.rooms }));
    }
  }, [model]);

  useEffect(() => {
    void load();
  }, [load]);

  const join = async (roomId: string, fromField: boolean) => {
    if (joining) return;
    setJoining(roomId);
    setJoinError(null);
    setIdError(null);
    try {
      const { convId } = await model.api.room.join({ roomId });
      setJoining(null);
      onJoined(convId);
    } catch (error) {
      setJoining(null);
      const text = errorCode(error) === 'NOT_FOUND' ? t('rooms.notFound') : errorText(error, t);
      if (fromField) setIdError(text);
      else setJoinError(text);
    }
  };

  const submitId = (e: FormEvent) => {
    e.preventDefault();
    const id = typedId.trim();
    if (!isValidId(id)) return setIdError(t('rooms.invalidId'));
    void join(id, true);
  };

  const { rooms, status } = list;
  return (
    <Dialog title={t('rooms.directory')} onClose={onClose} className="dialog-sm room-directory" testId="rooms-dialog">
      <div className="stack">
        <div className="room-directory-bar">
          <p className="field-hint">{t('rooms.oneAtATime')}</p>
          <button type="button" className="icon-button" onClick={() => void load()} disabled={status === 'loading'} aria-label={t('rooms.refresh')} title={t('rooms.refresh')} data-testid="rooms-refresh">
            <Icon name="retry" />
          </button>
        </div>
        {joinError ? (
          <p className="form-error" role="alert" data-testid="rooms-error">
            {joinError}
          </p>
        ) : null}
        {status === 'loading' && rooms.length === 0 ? (
          <p className="room-directory-state" role="status">
            <span className="spinner" aria-hidden="true" /> {t('rooms.loading')}
          </p>
        ) : status === 'error' && rooms.length === 0 ? (
          <div className="room-directory-state" role="alert">
            <p>{t('rooms.loadFailed')}</p>
            <button type="button" className="button" onClick={() => void load()}>
              {t('conversation.tryAgain')}
            </button>
          </div>
        ) : rooms.length === 0 ? (
          <div className="room-directory-state" data-testid="rooms-empty">
            <p className="room-directory-empty-title">{t('rooms.empty')}</p>
            <p className="muted">{t('rooms.emptyHint')}</p>
          </div>
        ) : (
          <ul className="room-list" aria-label={t('rooms.list')} aria-busy={status === 'loading' || undefined} data-testid="rooms-list">
            {rooms.map((room) => {
              const here = byId.has(roomConvId(room.roomId));
              return (
                <li key={room.roomId} className={`room-row${here ? ' is-here' : ''}`} onClick={() => void join(room.roomId, false)} data-testid={`room-${room.roomId}`}>
                  <span className="room-row-icon" aria-hidden="true">
                    <Icon name="broadcast" size={18} />
                  </span>
                  <span className="room-row-text">
                    <span className="room-row-name">{room.name || room.roomId}</span>
                    <span className="room-row-meta">
                      <span className="room-online-dot" aria-hidden="true" />
                      <span data-testid={`room-online-${room.roomId}`}>{t('rooms.online', { count: room.online })}</span>
                      {here ? <span className="room-row-here">· {t('rooms.joined')}</span> : null}
                    </span>
                  </span>
                  <button
                    type="button"
                    className={here ? 'button' : 'button button-primary'}
                    onClick={(e) => {
                      e.stopPropagation();
                      void join(room.roomId, false);
                    }}
                    disabled={joining !== null}
                    aria-label={t(here ? 'rooms.openNamed' : 'rooms.joinNamed', { name: room.name || room.roomId })}
                    data-testid={`room-join-${room.roomId}`}
                  >
                    {joining === room.roomId ? t('rooms.joining') : here ? t('rooms.open') : t('rooms.join')}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <form onSubmit={submitId} noValidate className="room-join-form">
          <div className="field">
            <label htmlFor={inputId}>{t('rooms.joinById')}</label>
            <div className="room-join-row">
              <input
                id={inputId}
                className="input"
                value={typedId}
                placeholder={t('rooms.roomId')}
                autoCapitalize="off"
                spellCheck={false}
                onChange={(e) => {
                  setTypedId(e.target.value);
                  setIdError(null);
                }}
                aria-describedby={hintId}
                aria-invalid={idError ? true : undefined}
                data-testid="room-join-id"
              />
              <button type="submit" className="button button-primary" disabled={joining !== null || !typedId.trim()} data-testid="room-join-submit">
                {joining !== null && joining === typedId.trim() ? t('rooms.joining') : t('rooms.join')}
              </button>
            </div>
            <span id={hintId} className="field-hint">
              {t('rooms.joinByIdHint')}
            </span>
          </div>
          {idError ? (
            <p className="form-error" role="alert" data-testid="room-join-error">
              {idError}
            </p>
          ) : null}
        </form>
      </div>
    </Dialog>
  );
}
