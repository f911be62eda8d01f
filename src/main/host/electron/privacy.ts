import type { Session } from 'electron';
import type { Logger } from '../../log';
import { isLocalRequest } from '../local-requests';

/**
 * Keeps the app's web session on this machine (README, Privacy). Electron starts no crash
 * reporter and no updater unless asked (lint forbids importing either), and the window already
 * sets `spellcheck: false`; here the spell checker is also switched off session-wide, since on
 * Linux and Windows it downloads Hunspell dictionaries from Google's servers, and every request
 * that would leave the machine is cancelled and logged.
 */
export function keepSessionLocal(session: Session, log: Logger): void {
  session.setSpellCheckerEnabled(false);
  session.webRequest.onBeforeRequest((details, callback) => {
    const local = isLocalRequest(details.url);
    if (!local) log.warn(`blocked a request that would leave this machine: ${details.url.slice(0, 200)}`);
    callback({ cancel: !local });
  });
}
