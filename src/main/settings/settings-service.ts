import { AppError, type Notice } from '../../shared/errors';
import { migrateSettings, SETTINGS_MODEL, type Settings, type SettingsModel } from '../../shared/settings';
import type { Logger } from '../log';
import type { SettingsBackend } from './settings-backend';

type Listener = (settings: Settings, previous: Settings) => void;

/**
 * Loads, migrates, validates and saves settings. A corrupt or invalid file is moved aside
 * (never deleted), defaults are used, and a notice tells the user where the old file is.
 */
export class SettingsService {
  readonly notices: Notice[] = [];
  private current: Settings;
  private readonly listeners = new Set<Listener>();
  /** Set when a bad file could not be moved aside: we then never write over it. */
  private writeBlocked = false;

  constructor(
    private readonly backend: SettingsBackend,
    private readonly log: Logger,
    private readonly model: SettingsModel = SETTINGS_MODEL,
  ) {
    this.current = this.load();
  }

  get location(): string {
    return this.backend.location;
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  /** Validates and saves a change. On a failed save the previous settings stay in effect. */
  update(patch: Partial<Omit<Settings, 'version'>>): Settings {
    const next = this.model.schema.parse({ ...this.current, ...patch });
    if (this.writeBlocked) {
      throw new AppError(
        'SettingsWriteFailed',
        `Earshot will not overwrite the unreadable settings file at ${this.location}. Move it away and restart Earshot.`,
      );
    }
    try {
      this.backend.write(next);
    } catch (err) {
      this.log.error('saving settings failed', err);
      throw new AppError(
        'SettingsWriteFailed',
        `Earshot could not save your settings to ${this.location} (${(err as Error).message}). Check that the folder is writable.`,
      );
    }
    const previous = this.current;
    this.current = next;
    for (const listener of this.listeners) listener(this.get(), previous);
    return this.get();
  }

  /**
   * Back to the defaults, the current file kept beside it as a backup first (its path is
   * returned; null when no file was saved yet). Listeners hear it as any change.
   */
  reset(): { settings: Settings; backup: string | null } {
    let backup: string | null = null;
    try {
      backup = this.backend.backup('reset');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: this.resetToDefaults(), backup };
      throw new AppError(
        'SettingsWriteFailed',
        `Earshot could not keep a copy of your settings before resetting them (${(err as Error).message}); nothing was changed.`,
      );
    }
    return { settings: this.resetToDefaults(), backup };
  }

  private resetToDefaults(): Settings {
    const { version: _, ...defaults } = this.model.defaults();
    return this.update(defaults);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private load(): Settings {
    const stored = this.backend.read();
    if (stored.kind === 'missing') return this.model.defaults();
    if (stored.kind === 'unreadable') return this.recover(stored.reason);
    const outcome = migrateSettings(stored.value, this.model);
    if (!outcome.ok) return this.recover(outcome.reason);
    if (outcome.migratedFrom !== undefined) this.persistMigration(outcome.settings, outcome.migratedFrom);
    return outcome.settings;
  }

  private recover(reason: string): Settings {
    this.log.warn(`settings at ${this.location} are unusable: ${reason}`);
    let kept: string;
    try {
      kept = `The old file was kept at ${this.backend.backup('corrupt')}.`;
    } catch (err) {
      this.writeBlocked = true;
      this.log.error('could not move the bad settings file aside', err);
      kept = `The old file is still at ${this.location} and will not be overwritten.`;
    }
    this.notices.push({
      code: 'SettingsRecovered',
      message: `Your settings could not be used (${reason}), so Earshot started with default settings. ${kept}`,
    });
    return this.model.defaults();
  }

  private persistMigration(settings: Settings, from: number): void {
    try {
      const backup = this.backend.backup(`v${from}`);
      this.backend.write(settings);
      this.notices.push({
        code: 'SettingsMigrated',
        message: `Your settings were upgraded from version ${from}; the previous file was kept at ${backup}.`,
      });
    } catch (err) {
      this.log.warn('could not save migrated settings; they apply for this run only', err);
    }
  }
}
