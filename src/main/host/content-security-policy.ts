/**
 * The renderer's Content-Security-Policy, sent as a response header by both hosts (the
 * Electron `app://` protocol and `earshot serve`). Nothing inline, nothing remote.
 */
export interface CspOptions {
  /** Extra `connect-src` sources (the serve host's WebSocket; Vite's HMR socket in dev). */
  connect?: readonly string[];
  /** Vite's dev server injects <style> tags for hot reload; never set in a build. */
  devInlineStyles?: boolean;
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const connect = options.connect?.length ? options.connect.join(' ') : "'none'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self'${options.devInlineStyles ? " 'unsafe-inline'" : ''}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "media-src 'self' blob:",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
