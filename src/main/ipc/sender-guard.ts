/**
 * Who sent an IPC call. For Electron this comes from the event's sender frame; for the
 * WebSocket host from the connection's Origin header (browsers always send it).
 */
export interface SenderInfo {
  /** URL (or origin) of the sending document; null when the frame is gone. */
  url: string | null;
  /** False for iframes and other sub-frames. */
  isTopFrame: boolean;
  /** One window or one WebSocket: what a connection holds (e.g. the mic test) is released when it closes. */
  connectionId: string;
}

/** The app's own origin, compared by scheme and host (with port), never by prefix. */
export interface TrustedOrigin {
  protocol: string;
  host: string;
}

export function trustedOriginOf(url: string): TrustedOrigin {
  const parsed = new URL(url);
  return { protocol: parsed.protocol, host: parsed.host };
}

export type GuardVerdict = { allowed: true } | { allowed: false; reason: string };

/**
 * Accepts only the top frame of a document whose URL parses to exactly the trusted scheme
 * and host. `URL.origin` is not used because it is "null" for custom schemes such as
 * `app://`; comparing parsed parts also defeats look-alikes (`http://127.0.0.1.evil.test`).
 */
export function checkSender(sender: Pick<SenderInfo, 'url' | 'isTopFrame'>, trusted: TrustedOrigin): GuardVerdict {
  if (!sender.isTopFrame) return { allowed: false, reason: 'sub-frame' };
  if (!sender.url) return { allowed: false, reason: 'no sender frame' };
  let parsed: URL;
  try {
    parsed = new URL(sender.url);
  } catch {
    return { allowed: false, reason: 'unparseable sender URL' };
  }
  // An empty host (file:, data:, about:) can never be our origin, even if the scheme matches.
  if (!trusted.host || parsed.host === '') return { allowed: false, reason: `foreign origin ${parsed.protocol}` };
  if (parsed.protocol !== trusted.protocol || parsed.host !== trusted.host) {
    return { allowed: false, reason: `foreign origin ${parsed.protocol}//${parsed.host}` };
  }
  return { allowed: true };
}
