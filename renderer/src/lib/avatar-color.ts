/** A stable hue per id, so a person keeps their colour on every screen and every device. */
const HUES = [4, 24, 42, 140, 168, 196, 214, 262, 288, 330];

export function avatarHue(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return HUES[Math.abs(hash) % HUES.length] ?? 214;
}

/** Up to two visible characters: initials of Latin names, the first character of CJK names. */
export function initials(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  const chars = Array.from(trimmed);
  const first = chars[0] ?? '?';
  if (/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(first)) return first;
  const words = trimmed.split(/[\s._@-]+/).filter(Boolean);
  if (words.length >= 2) return ((Array.from(words[0] ?? '')[0] ?? '') + (Array.from(words[1] ?? '')[0] ?? '')).toUpperCase();
  return first.toUpperCase();
}
