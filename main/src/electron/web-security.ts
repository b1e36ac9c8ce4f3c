/**
 * Decisions of the Electron layer's security wiring, pure so they are tested without Electron: which frame
 * may call main, where the window may navigate, which links open in the browser.
 */

/** Protocol and host, compared as such: Node's URL gives custom schemes an origin of "null". */
export function sameOrigin(url: string, origin: string): boolean {
  try {
    const a = new URL(url);
    const b = new URL(origin);
    return a.protocol === b.protocol && a.host === b.host;
  } catch {
    return false;
  }
}

export interface SenderFrame {
  url: string;
  /** True for the window's top-level frame (no parent). */
  isTop: boolean;
}

/**
 * Only the app's own top-level document may call main (the idea of VS Code's validatedIpcMain): not an
 * iframe, not a page the window was somehow navigated to, not a frame already gone (null).
 */
export function isTrustedSender(frame: SenderFrame | null, appOrigin: string): boolean {
  return frame !== null && frame.isTop && sameOrigin(frame.url, appOrigin);
}

/** Links the user may follow, in the system browser: web pages and mail only, never file: or custom schemes. */
export function externalUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    return ['https:', 'http:', 'mailto:'].includes(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}
