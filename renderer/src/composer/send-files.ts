/**
 * Sending files picked, dropped or pasted: read the bytes, measure images (the message carries width and
 * height so every client can lay it out before downloading it), then messages.sendFile. Main uploads and
 * reports progress through upload:progress.
 */
import type { TFunction } from 'i18next';
import { isInlineImage } from '../../../protocol/pure.js';
import type { AppModel } from '../state/app-model';
import { formatFileSize } from '../lib/file-size';

/** The contract's limit (MAX_FILE_BYTES), checked here so a huge file is not read into memory for nothing. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

export async function imageSize(file: Blob): Promise<{ width: number; height: number } | null> {
  if (typeof createImageBitmap !== 'function') return null;
  try {
    const bitmap = await createImageBitmap(file);
    const size = { width: bitmap.width, height: bitmap.height };
    bitmap.close();
    return size;
  } catch {
    return null;
  }
}

export interface SendFilesOptions {
  convId: string;
  replyTo?: number;
  t: TFunction;
  locale: string;
}

export async function sendFiles(model: AppModel, files: readonly File[], options: SendFilesOptions): Promise<void> {
  const { convId, t } = options;
  for (const [i, file] of files.entries()) {
    if (file.size > MAX_FILE_BYTES) {
      model.pushError(null, t('composer.tooLarge', { name: file.name, limit: formatFileSize(MAX_FILE_BYTES, t, options.locale) }));
      continue;
    }
    let data: Uint8Array;
    try {
      data = new Uint8Array(await file.arrayBuffer());
    } catch {
      model.pushError(null, t('composer.readFailed', { name: file.name }));
      continue;
    }
    const mime = file.type || 'application/octet-stream';
    const size = isInlineImage(mime) ? await imageSize(file) : null;
    const name = file.name || `${t('composer.pastedImage')}-${Date.now()}.${mime.split('/')[1] ?? 'png'}`;
    try {
      const arg = {
        convId,
        name,
        mime,
        data,
        kind: size ? ('image' as const) : ('file' as const),
        ...(size ? { width: size.width, height: size.height } : {}),
        // Only the first of several files carries the reply, as in Telegram.
        ...(options.replyTo !== undefined && i === 0 ? { replyTo: options.replyTo } : {}),
      };
      const { clientMsgId } = await model.api.messages.sendFile(arg);
      if (size) model.addLocalPreview(clientMsgId, URL.createObjectURL(file));
    } catch (error) {
      model.pushError(error);
    }
  }
}
