import { useEffect, useState } from 'react';
import { useModel } from '../app/model-context';
import type { FilePreview, FileRecord } from '../lib/file-cache';

export interface FileUrlState {
  url: string | null;
  failed: boolean;
}

/** The blob: URL of an uploaded file, fetched through main when `enabled`. */
export function useFileUrl(convId: string, fileId: string | undefined, enabled = true): FileUrlState {
  const model = useModel();
  const [state, setState] = useState<FileUrlState>({ url: null, failed: false });
  useEffect(() => {
    if (!fileId || !enabled) return;
    let live = true;
    model.files.get(convId, fileId).then(
      (f) => live && setState({ url: f.url, failed: false }),
      () => live && setState({ url: null, failed: true }),
    );
    return () => {
      live = false;
    };
  }, [model, convId, fileId, enabled]);
  return state;
}

export interface FilePreviewState {
  /** Null while loading (or failed). */
  preview: FilePreview | null;
  failed: boolean;
}

/** An image's preview: its bytes when main judged it small enough and an image by the server's record, else the record. */
export function useFilePreview(convId: string, fileId: string | undefined, enabled = true): FilePreviewState {
  const model = useModel();
  const [state, setState] = useState<FilePreviewState>({ preview: null, failed: false });
  useEffect(() => {
    if (!fileId || !enabled) return;
    let live = true;
    model.files.preview(convId, fileId).then(
      (preview) => live && setState({ preview, failed: false }),
      () => live && setState({ preview: null, failed: true }),
    );
    return () => {
      live = false;
    };
  }, [model, convId, fileId, enabled]);
  return state;
}

/** The server's record of a file (type, size), without its bytes; null until known. */
export function useFileRecord(convId: string, fileId: string | undefined): FileRecord | null {
  const model = useModel();
  const [record, setRecord] = useState<FileRecord | null>(null);
  useEffect(() => {
    if (!fileId) return;
    let live = true;
    model.files.info(convId, fileId).then(
      (r) => live && setRecord(r),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [model, convId, fileId]);
  return record;
}
