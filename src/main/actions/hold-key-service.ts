import type { SessionOptions } from '../../shared/settings';
import { parseHoldKey } from '../../shared/hold-key';
import type { Logger } from '../log';
import type { SessionService } from '../session/session-service';
import type { SettingsService } from '../settings/settings-service';
import { holdKeyUnavailable, startHoldKey, type HoldKeyEvents } from './hold-key';

/**
 * The hold key from the settings (`session.holdKey`, `session.holdTapMs`), watched for the
 * session of a host that offers it (the desktop app; `serve --hold-key`): it follows the settings
 * as they change, and the session's status says which key is active, or why none is.
 */
export class HoldKeyService {
  private stopHook: (() => void) | undefined;
  private applied = '';
  private readonly stopWatching: () => void;

  constructor(
    private readonly session: SessionService,
    settings: SettingsService,
    private readonly log: Logger,
  ) {
    this.apply(settings.get().session);
    this.stopWatching = settings.onChange((next) => this.apply(next.session));
  }

  dispose(): void {
    this.stopWatching();
    this.stopHook?.();
    this.stopHook = undefined;
  }

  private apply({ holdKey, holdTapMs }: SessionOptions): void {
    const key = `${holdKey}|${holdTapMs}`;
    if (key === this.applied) return;
    this.applied = key;
    this.stopHook?.();
    this.stopHook = undefined;
    if (holdKey === null) return this.session.setHoldKeyState({ key: null, active: false, problem: null });
    const why = holdKeyUnavailable();
    if (why) return this.session.setHoldKeyState({ key: holdKey, active: false, problem: why });
    try {
      this.stopHook = startHoldKey(parseHoldKey(holdKey), sessionHoldEvents(this.session, this.log), holdTapMs);
    } catch (error) {
      this.log.warn('could not watch the hold key', error);
      return this.session.setHoldKeyState({ key: holdKey, active: false, problem: (error as Error).message });
    }
    this.session.setHoldKeyState({ key: holdKey, active: true, problem: null });
  }
}

/** A hold key's press, release and tap, as the session's push-to-talk (the app's, or `listen --hold-key`). */
export function sessionHoldEvents(session: SessionService, log: Logger): HoldKeyEvents {
  return {
    press: () => void session.press().catch((error: unknown) => log.warn('hold key: the session did not start', error)),
    release: () => session.release(),
    tap: () => session.tap(),
  };
}
