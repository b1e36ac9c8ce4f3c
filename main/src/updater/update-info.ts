/**
 * The update files electron-builder publishes next to the installers (latest.yml, beta-mac.yml, …), parsed
 * and checked: a file that does not say which version it offers and where its signed artifacts are is
 * malformed, and is reported as such rather than acted on.
 */
import yaml from 'js-yaml';
import { parseVersion } from './version.js';

export interface UpdateFile {
  url: string;
  sha512: string;
  size?: number;
}

export interface UpdateInfo {
  version: string;
  files: UpdateFile[];
  releaseDate?: string;
}

export type ParsedUpdateInfo = { ok: true; info: UpdateInfo } | { ok: false; error: string };

const MAX_FILE_CHARS = 256 * 1024;

export function parseUpdateInfo(text: string): ParsedUpdateInfo {
  if (text.length > MAX_FILE_CHARS) return { ok: false, error: 'update file too large' };
  let doc: unknown;
  try {
    // The core schema: no dates or other types a feed has no business to produce.
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    return { ok: false, error: `not YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, error: 'not a YAML mapping' };
  const d = doc as Record<string, unknown>;
  const version = typeof d.version === 'number' ? String(d.version) : d.version;
  if (typeof version !== 'string' || parseVersion(version) === null) return { ok: false, error: 'no valid version' };
  if (!Array.isArray(d.files) || d.files.length === 0) return { ok: false, error: 'no files' };
  const files: UpdateFile[] = [];
  for (const f of d.files as unknown[]) {
    if (typeof f !== 'object' || f === null) return { ok: false, error: 'a file entry is not a mapping' };
    const { url, sha512, size } = f as Record<string, unknown>;
    if (typeof url !== 'string' || url.length === 0) return { ok: false, error: 'a file has no url' };
    if (typeof sha512 !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(sha512)) return { ok: false, error: `file ${url} has no valid sha512` };
    const file: UpdateFile = { url, sha512 };
    if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) file.size = size;
    files.push(file);
  }
  const info: UpdateInfo = { version: version.trim(), files };
  if (typeof d.releaseDate === 'string') info.releaseDate = d.releaseDate;
  return { ok: true, info };
}
