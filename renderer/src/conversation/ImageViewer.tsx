/** Full-size image over the app; Esc or a click outside closes it. */
import { useTranslation } from 'react-i18next';
import { Dialog } from '../common/Dialog';
import { Icon } from '../common/Icon';
import { downloadUrl } from '../lib/file-cache';
import type { ImageTarget } from './MessageContent';
import { useFileUrl } from './use-file-url';

export function ImageViewer({ target, onClose }: { target: ImageTarget; onClose: () => void }) {
  const { t } = useTranslation();
  const { url } = useFileUrl(target.convId, target.fileId, !target.localUrl);
  const src = url ?? target.localUrl ?? null;
  return (
    <Dialog title={target.name || t('viewer.title')} onClose={onClose} className="image-viewer" testId="image-viewer">
      <div className="image-viewer-stage">{src ? <img src={src} alt={target.name} /> : <span className="spinner" aria-hidden="true" />}</div>
      {src ? (
        <div className="image-viewer-actions">
          <button type="button" className="button" onClick={() => downloadUrl(src, target.name || 'image')}>
            <Icon name="download" size={18} />
            {t('viewer.save')}
          </button>
        </div>
      ) : null}
    </Dialog>
  );
}
