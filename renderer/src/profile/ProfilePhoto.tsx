/** The profile's photo: the current avatar, choosing or dropping a new image, cropping it, uploading, removing. */
import { useRef, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProfileView } from '../../../preload/api-types';
import { DEFAULT_MAX_AVATAR_BYTES } from '../../../protocol/pure.js';
import { useModel } from '../app/model-context';
import { Avatar } from '../common/Avatar';
import { formatFileSize } from '../lib/file-size';
import { errorText } from '../lib/errors';
import { AvatarCropper } from './AvatarCropper';
import { AVATAR_TYPES } from './profile-form';
import { useAvatarPicker } from './use-avatar-picker';

export function ProfilePhoto({ profile }: { profile: ProfileView }) {
  const { t, i18n } = useTranslation();
  const model = useModel();
  const input = useRef<HTMLInputElement>(null);
  const { picked, error, pick, clear } = useAvatarPicker();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [dropping, setDropping] = useState(false);

  const run = async (work: () => Promise<ProfileView>, done: string) => {
    setBusy(true);
    setFailure(null);
    try {
      model.profile.set(await work());
      clear();
      model.pushInfo(done);
    } catch (err) {
      setFailure(`${t('profile.photoFailed')} ${errorText(err, t)}`);
    } finally {
      setBusy(false);
    }
  };

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDropping(false);
    const file = e.dataTransfer.files[0];
    if (file) void pick(file);
  };

  const pickError = error ? (error === 'tooLarge' ? t('profile.tooLarge', { max: formatFileSize(DEFAULT_MAX_AVATAR_BYTES, t, i18n.language) }) : t(`profile.${error}`)) : null;
  const message = pickError ?? failure;

  if (picked) {
    return (
      <section className="profile-photo" aria-label={t('profile.photo')}>
        <AvatarCropper
          url={picked.url}
          image={picked.image}
          busy={busy}
          onCancel={clear}
          onConfirm={(crop) => void run(() => model.api.profile.setAvatar({ data: picked.data, mime: picked.mime, crop }), t('profile.photoSaved'))}
        />
        {message ? <p className="form-error" role="alert">{message}</p> : null}
      </section>
    );
  }

  return (
    <section className="profile-photo" aria-label={t('profile.photo')}>
      <div
        className={`profile-drop${dropping ? ' is-dropping' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDropping(true);
        }}
        onDragLeave={() => setDropping(false)}
        onDrop={onDrop}
        data-testid="profile-drop"
      >
        <Avatar id={profile.userId} name={profile.name} size="xl" avatar={profile.avatar} />
        <div className="profile-photo-actions">
          <button type="button" className="button" onClick={() => input.current?.click()} disabled={busy} data-testid="profile-change-photo">
            {t('profile.changePhoto')}
          </button>
          {profile.avatar ? (
            <button type="button" className="button button-danger-quiet" onClick={() => void run(() => model.api.profile.removeAvatar(), t('profile.photoRemoved'))} disabled={busy} data-testid="profile-remove-photo">
              {t('profile.removePhoto')}
            </button>
          ) : null}
          <span className="field-hint">{dropping ? t('profile.dropHere') : t('profile.dropHint')}</span>
        </div>
        <input
          ref={input}
          type="file"
          accept={AVATAR_TYPES.join(',')}
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void pick(file);
          }}
          data-testid="profile-photo-input"
        />
      </div>
      {message ? <p className="form-error" role="alert" data-testid="profile-photo-error">{message}</p> : null}
    </section>
  );
}
