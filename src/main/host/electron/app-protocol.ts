import { net, protocol, type Session } from 'electron';
import { pathToFileURL } from 'node:url';
import { contentSecurityPolicy } from '../content-security-policy';
import { resolveStaticPath } from '../static-files';

/**
 * The packaged renderer is served from `app://earshot/` instead of `file://`: it gets a real,
 * exact origin for the IPC guard (a `file://` origin would match any local file) and lets
 * us send the CSP as a header.
 */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://earshot`;

/** Must run before `app.whenReady()`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRendererFrom(session: Session, rendererDir: string): void {
  const csp = contentSecurityPolicy();
  session.protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const path = url.host === 'earshot' ? resolveStaticPath(rendererDir, url.pathname) : null;
    if (!path) return new Response('Not found', { status: 404 });
    const file = await net.fetch(pathToFileURL(path).toString());
    const headers = new Headers(file.headers);
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(file.body, { status: file.status, headers });
  });
}

/** In development the renderer comes from Vite's dev server; add the CSP to its responses. */
export function addDevCsp(session: Session, devServerUrl: string): void {
  const dev = new URL(devServerUrl);
  const csp = contentSecurityPolicy({ connect: [`ws://${dev.host}`, dev.origin], devInlineStyles: true });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
}
