import { isLoopbackAddress } from './serve/loopback';

/** Schemes that never leave the machine: the app's own, Chromium's internal pages, inline data, local files. */
const LOCAL_SCHEMES = new Set(['app:', 'devtools:', 'chrome:', 'data:', 'blob:', 'file:']);
const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

/**
 * Whether the Electron session may make a request: local schemes, and network schemes only to
 * this machine (Vite's dev server in development). Everything else is cancelled before it starts,
 * whatever asked for it; the CSP already forbids remote resources, and this holds even if a page
 * or a Chromium feature tried.
 */
export function isLocalRequest(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (LOCAL_SCHEMES.has(parsed.protocol)) return true;
  if (!NETWORK_SCHEMES.has(parsed.protocol)) return false;
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || isLoopbackAddress(host);
}
