/**
 * What a client does with a file someone else sent: a name safe to show and to save, and which files it may
 * show inline. Pure, so main (saving) and the renderer (showing) apply the same rule.
 */

/** Images at most this large (by the server's record) are loaded for a preview by themselves; larger on a click. */
export const PREVIEW_MAX_BYTES = 8 * 1024 * 1024;

/** Raster types a client shows inline. SVG and HTML can carry script: never inline, whatever the sender says. */
const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif']);

/** Whether a file of this type (the server's Content-Type, parameters allowed) may be shown as an image. */
export function isInlineImage(mime: string): boolean {
  return INLINE_IMAGE_TYPES.has(mime.split(';')[0]!.trim().toLowerCase());
}

// Bidirectional marks, embeddings, overrides and isolates (which make "exe.png" of "gnp.exe"), and C0/C1 controls.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Path separators and what Windows refuses in a name. */
const NOT_IN_NAMES = /[/\\:*?"<>|]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** A file name as shown: without bidirectional controls and control characters; `fallback` when nothing is left. */
export function displayFileName(name: string, fallback = 'file'): string {
  return name.replace(INVISIBLE, '').trim() || fallback;
}

/**
 * A file name as saved: as shown, with path separators and the characters Windows refuses as `_`, without
 * leading dots (no hidden files) or trailing dots and spaces, and never a device name of Windows.
 */
export function safeFileName(name: string, fallback = 'file'): string {
  let clean = displayFileName(name, '').replace(NOT_IN_NAMES, '_');
  clean = clean.replace(/^\.+/, '').replace(/[. ]+$/, '').trim();
  if (WINDOWS_RESERVED.test(clean)) clean = `_${clean}`;
  return clean || fallback;
}
