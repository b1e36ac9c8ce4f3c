import { useEffect, useState } from 'react';
import { useModel } from '../app/model-context';

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
