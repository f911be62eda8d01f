import { checkAccelerator } from '../../shared/accelerator';
import type { Logger } from '../log';
import type { SettingsService } from '../settings/settings-service';
import type { SessionService } from './session-service';

/** What a desktop offers for global shortcuts (Electron's globalShortcut has this shape). */
export interface ShortcutRegistry {
  /** false when the desktop refused: another app holds it, or there is no global-shortcut support. */
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

/**
 * The global push-to-talk toggle: registered from the settings, re-registered when they change,
 * and its outcome reported through the session status (and a session problem when it fails),
 * so a shortcut that does nothing is never silent. It toggles rather than holds: desktop
 * shortcut APIs report the key going down, never coming up.
 */
export function bindToggleShortcut(
  registry: ShortcutRegistry,
  session: SessionService,
  settings: SettingsService,
  log: Logger,
  /** Why a refusal may not mean "taken" on this desktop (Wayland), or null. */
  platformLimit: string | null,
): () => void {
  let registered: string | null = null;
  const apply = (): void => {
    if (registered) registry.unregister(registered);
    registered = null;
    const wanted = settings.get().session.toggleShortcut;
    if (wanted === null) {
      session.setShortcutState({ accelerator: null, registered: false, problem: null });
      return;
    }
    const check = checkAccelerator(wanted);
    let problem: string | null = check.ok ? null : `"${wanted}" is not a usable shortcut: ${check.reason}.`;
    if (check.ok) {
      let accepted = false;
      try {
        accepted = registry.register(check.accelerator, () => {
          session.toggle().catch((error: unknown) => log.error('the push-to-talk shortcut failed', error));
        });
      } catch (error) {
        log.warn(`registering ${check.accelerator} threw`, error);
      }
      if (accepted) registered = check.accelerator;
      else
        problem =
          `${check.accelerator} could not be registered: another app or the desktop already uses it. Choose another.` +
          (platformLimit ? ` ${platformLimit}` : '');
    }
    session.setShortcutState({ accelerator: wanted, registered: registered !== null, problem });
    if (problem) {
      log.warn(problem);
      session.reportProblem({ code: 'ShortcutUnavailable', message: problem });
    }
  };
  apply();
  const stop = settings.onChange((next, previous) => {
    if (next.session.toggleShortcut !== previous.session.toggleShortcut) apply();
  });
  return () => {
    stop();
    if (registered) registry.unregister(registered);
    registered = null;
  };
}
