/**
 * Content-Security-Policy of the renderer, one builder for both hosts. The renderer loads only its own files;
 * images and media may come from blob: URLs (files main fetched, via `files.read`) and data: URLs; inline
 * styles are allowed for the UI library, inline scripts never.
 */
export interface CspOptions {
  /** Extra `connect-src` sources: host mode's own WebSocket origin. */
  connect?: string[];
  /** Development only: a dev server's inline hot-reload preamble. */
  inlineScripts?: boolean;
}

export function rendererCsp(options: CspOptions = {}): string {
  const directives: Array<[string, string[]]> = [
    ['default-src', ["'self'"]],
    ['script-src', options.inlineScripts ? ["'self'", "'unsafe-inline'"] : ["'self'"]],
    ['connect-src', ["'self'", ...(options.connect ?? [])]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['media-src', ["'self'", 'blob:']],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['font-src', ["'self'", 'data:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}
