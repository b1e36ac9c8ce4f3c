/** The inside of a message bubble, by kind. File bodies may lack a fileId while they upload. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { displayFileName, isInlineImage } from '../../../protocol/pure.js';
import type { MessageView } from '../../../preload/api-types';
import { useModel } from '../app/model-context';
import { Icon } from '../common/Icon';
import { downloadUrl } from '../lib/file-cache';
import { formatDuration, formatFileSize } from '../lib/file-size';
import { linkParts } from '../lib/links';
import { MENTION_ALL, mentionParts } from '../lib/mentions';
import type { UploadProgress } from '../state/app-model';
import { useFilePreview, useFileRecord, useFileUrl } from './use-file-url';

type Of<K extends MessageView['kind']> = Extract<MessageView, { kind: K }>;

export interface ImageTarget {
  convId: string;
  fileId?: string;
  localUrl?: string;
  name: string;
}

/** Messages that are only emoji (up to three) are shown large, as in Telegram. */
const EMOJI_ONLY = /^(?:\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic}|\p{Emoji_Modifier})*\s*){1,3}$/u;

export interface MentionDisplay {
  /** The users the message mentions (its `mentions`). */
  mentions: readonly string[] | undefined;
  selfId: string;
  nameOf: (userId: string) => string;
  /** Opens the mentioned user's profile card; without it a mention is plain text. */
  onOpen?: (userId: string) => void;
}

/** Text with its web links as links and its mentions as names (`@Bob`, highlighted when they name the reader). */
export function TextContent({ text, mentions }: { text: string; mentions?: MentionDisplay }) {
  const { t } = useTranslation();
  const big = text.length <= 24 && EMOJI_ONLY.test(text.trim());
  const parts = useMemo(() => linkParts(text), [text]);
  const mentioned = mentions?.mentions;
  return (
    <p className={big ? 'msg-text msg-text-emoji' : 'msg-text'}>
      {parts.map((part, i) =>
        part.href ? (
          // The desktop app opens it in the system browser (electron-host denies the window); a browser opens a tab.
          <a key={i} className="msg-link" href={part.href} target="_blank" rel="noopener noreferrer" onClick={(e) => e.stopPropagation()}>
            {part.text}
          </a>
        ) : (
          mentionParts(part.text, mentioned).map((piece, j) =>
            piece.mention && mentions && mentions.onOpen && piece.mention !== MENTION_ALL ? (
              <button
                key={`${i}-${j}`}
                type="button"
                tabIndex={-1}
                className={`msg-mention name-button${piece.mention === mentions.selfId ? ' is-me' : ''}`}
                title={piece.text}
                onClick={(e) => {
                  e.stopPropagation();
                  mentions.onOpen?.(piece.mention as string);
                }}
                data-testid="msg-mention"
              >
                @{mentions.nameOf(piece.mention)}
              </button>
            ) : piece.mention && mentions ? (
              <span
                key={`${i}-${j}`}
                className={`msg-mention${piece.mention === mentions.selfId || piece.mention === MENTION_ALL ? ' is-me' : ''}`}
                title={piece.text}
                data-testid="msg-mention"
              >
                @{piece.mention === MENTION_ALL ? t('rooms.mentionAll') : mentions.nameOf(piece.mention)}
              </span>
            ) : (
              piece.text
            ),
          )
        ),
      )}
    </p>
  );
}

/** Fits the image's own aspect ratio into the bubble, so the row has its final size before the bytes arrive. */
export function thumbSize(width: number, height: number, max = 280, min = 96): { width: number; height: number } {
  if (!(width > 0) || !(height > 0)) return { width: 200, height: 150 };
  const scale = Math.min(1, max / Math.max(width, height));
  let w = Math.round(width * scale);
  let h = Math.round(height * scale);
  if (w < min) {
    h = Math.min(max, Math.round((h * min) / w));
    w = min;
  }
  if (h < min) {
    w = Math.min(max, Math.round((w * min) / h));
    h = min;
  }
  return { width: w, height: h };
}

export function ImageContent({ message, localUrl, progress, onOpen }: { message: Of<'image'>; localUrl: string | undefined; progress: UploadProgress | undefined; onOpen: (target: ImageTarget) => void }) {
  const { t, i18n } = useTranslation();
  const body = message.body as Partial<Of<'image'>['body'] & { fileId: string }>;
  // The type and size that decide come from the server's record; the body's only size the box.
  const { preview, failed } = useFilePreview(message.convId, body.fileId, !localUrl);
  const [clicked, setClicked] = useState(false);
  const full = useFileUrl(message.convId, body.fileId, clicked && !localUrl);
  const name = displayFileName(body.name ?? '', '');
  if (!localUrl && preview && !isInlineImage(preview.mime)) {
    return <FileCard convId={message.convId} fileId={body.fileId} name={name} size={preview.size} progress={progress} />;
  }
  const src = preview?.url ?? full.url ?? localUrl ?? null;
  const size = thumbSize(body.width ?? 0, body.height ?? 0);
  const target: ImageTarget = { convId: message.convId, name };
  if (body.fileId) target.fileId = body.fileId;
  if (localUrl) target.localUrl = localUrl;
  const style = { width: `${size.width / 16}rem`, height: `${size.height / 16}rem` };
  if (!src && preview && !clicked) {
    const label = t('message.loadImage', { size: formatFileSize(preview.size, t, i18n.language) });
    return (
      <button type="button" className="msg-image msg-image-large" style={style} onClick={() => setClicked(true)} aria-label={`${label}: ${name}`} title={name} data-testid="image-click-to-load">
        <span className="msg-image-placeholder">
          <Icon name="download" />
          <span>{label}</span>
        </span>
      </button>
    );
  }
  return (
    <button
      type="button"
      className="msg-image"
      style={style}
      onClick={() => src && onOpen(target)}
      aria-label={`${t('message.openImage')}: ${name}`}
      tabIndex={-1}
      disabled={!src}
    >
      {src ? <img src={src} alt={t('message.image', { name })} draggable={false} /> : <span className="msg-image-placeholder">{failed || full.failed ? <Icon name="image" /> : <span className="spinner" />}</span>}
      {progress ? <UploadBar progress={progress} /> : null}
    </button>
  );
}

export function FileContent({ message, progress }: { message: Of<'file'>; progress: UploadProgress | undefined }) {
  const body = message.body as Partial<Of<'file'>['body'] & { fileId: string }>;
  const record = useFileRecord(message.convId, body.fileId);
  // Once uploaded, the size shown is the server's; while uploading, the file's own.
  const size = body.fileId ? (record?.size ?? null) : (body.size ?? 0);
  return <FileCard convId={message.convId} fileId={body.fileId} name={displayFileName(body.name ?? '', '')} size={size} progress={progress} />;
}

/** A file as a card with its name, size and a save button; `size` null while the server's record is not known. */
function FileCard({ convId, fileId, name, size, progress }: { convId: string; fileId: string | undefined; name: string; size: number | null; progress: UploadProgress | undefined }) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const ext = name.includes('.') ? (name.split('.').pop() ?? '').slice(0, 4).toUpperCase() : '';
  const [busy, setBusy] = useState(false);
  const save = async () => {
    if (!fileId) return;
    setBusy(true);
    try {
      const file = await model.files.get(convId, fileId);
      downloadUrl(file.url, name);
    } catch (error) {
      model.pushError(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="msg-file" data-testid="msg-file">
      <span className="msg-file-icon" aria-hidden="true">
        <Icon name="file" size={22} />
        {ext ? <span className="msg-file-ext">{ext}</span> : null}
      </span>
      <span className="msg-file-text">
        <span className="msg-file-name" title={name}>
          {name}
        </span>
        <span className="msg-file-size" data-testid="msg-file-size">
          {progress
            ? t('message.uploading', { percent: Math.floor((progress.sentBytes / Math.max(1, progress.totalBytes)) * 100) })
            : size === null
              ? ''
              : formatFileSize(size, t, i18n.language)}
        </span>
        {progress ? <UploadBar progress={progress} /> : null}
      </span>
      {fileId ? (
        <button type="button" className="icon-button msg-file-save" onClick={save} disabled={busy} aria-label={t('message.download', { name })} title={t('message.download', { name })} data-testid="file-download">
          {busy ? <span className="spinner" aria-hidden="true" /> : <Icon name="download" />}
        </button>
      ) : null}
    </div>
  );
}

export function VoiceContent({ message }: { message: Of<'voice'> }) {
  const { t } = useTranslation();
  const body = message.body as Partial<Of<'voice'>['body'] & { fileId: string }>;
  const [wanted, setWanted] = useState(false);
  const [playing, setPlaying] = useState(false);
  const { url } = useFileUrl(message.convId, body.fileId, wanted);
  const audio = useRef<HTMLAudioElement>(null);
  const duration = formatDuration(body.durationMs ?? 0, t);

  useEffect(() => {
    if (wanted && url && audio.current && audio.current.paused && playing) void audio.current.play().catch(() => setPlaying(false));
  }, [wanted, url, playing]);

  const toggle = () => {
    if (!wanted) setWanted(true);
    const el = audio.current;
    if (playing) {
      el?.pause();
      setPlaying(false);
    } else {
      setPlaying(true);
      if (el && url) void el.play().catch(() => setPlaying(false));
    }
  };
  return (
    <div className="msg-voice">
      <button type="button" className="voice-play" onClick={toggle} disabled={!body.fileId} aria-label={`${playing ? t('message.pause') : t('message.play')} — ${t('message.voice', { duration })}`}>
        <Icon name={playing ? 'pause' : 'play'} size={18} />
      </button>
      <span className="voice-wave" aria-hidden="true" />
      <span className="voice-duration">{duration}</span>
      {url ? <audio ref={audio} src={url} onEnded={() => setPlaying(false)} preload="auto" /> : null}
    </div>
  );
}

export function LocationContent({ message }: { message: Of<'location'> }) {
  const { t } = useTranslation();
  const body = message.body as Partial<Of<'location'>['body']>;
  const coords = typeof body.lat === 'number' && typeof body.lng === 'number' ? `${body.lat.toFixed(5)}, ${body.lng.toFixed(5)}` : '';
  return (
    <div className="msg-location">
      <span className="msg-location-icon" aria-hidden="true">
        <Icon name="location" size={22} />
      </span>
      <span className="msg-file-text">
        <span className="msg-file-name">{body.label || t('message.location')}</span>
        <span className="msg-file-size">{coords}</span>
      </span>
    </div>
  );
}

function UploadBar({ progress }: { progress: UploadProgress }) {
  const pct = Math.floor((progress.sentBytes / Math.max(1, progress.totalBytes)) * 100);
  return (
    <span className="upload-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
      <span className="upload-bar-fill" style={{ width: `${pct}%` }} />
    </span>
  );
}
