/**
 * Maps request paths to files under one root, and names their MIME types. A path that could leave the root
 * (`..` segments, encoded or not, backslashes, NUL, symlinks pointing outside) maps to nothing.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
};

export function contentType(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file a URL path names under `root`, without touching the disk; null when the path is malformed or
 * would leave the root. `root` must be absolute.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  const end = urlPath.search(/[?#]/);
  const raw = end < 0 ? urlPath : urlPath.slice(0, end);
  if (!raw.startsWith('/')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  // Refused rather than normalized: no legitimate renderer URL contains them.
  if (segments.some((s) => s === '..' || s.startsWith('.') || s.includes(':'))) return null;
  const full = path.join(root, ...segments);
  const relative = path.relative(root, full);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return full;
}

export interface FoundFile {
  file: string;
  size: number;
}

/**
 * Finds the file for a URL path: a directory means its index.html, and a missing path without an extension
 * falls back to the root index.html (client-side routes). Symlinks may not lead outside the root.
 */
export async function findStaticFile(realRoot: string, urlPath: string): Promise<FoundFile | null> {
  const candidate = resolveStaticPath(realRoot, urlPath);
  if (candidate === null) return null;
  const found = (await locate(realRoot, candidate)) ?? (path.extname(candidate) === '' ? await locate(realRoot, path.join(realRoot, 'index.html')) : null);
  return found;
}

async function locate(realRoot: string, candidate: string): Promise<FoundFile | null> {
  try {
    let file = await realpath(candidate);
    let info = await stat(file);
    if (info.isDirectory()) {
      file = await realpath(path.join(file, 'index.html'));
      info = await stat(file);
    }
    const relative = path.relative(realRoot, file);
    if (relative.startsWith('..') || path.isAbsolute(relative) || !info.isFile()) return null;
    return { file, size: info.size };
  } catch {
    return null;
  }
}
