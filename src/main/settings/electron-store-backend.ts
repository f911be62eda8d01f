import { app } from 'electron';
import Store from 'electron-store';
import { join } from 'node:path';
import type { SettingsBackend, StoredSettings } from './settings-backend';
import { backupSettingsFile, readSettingsFile } from './settings-file';

const STORE_NAME = 'settings';

/**
 * Settings through electron-store (desktop app). electron-store throws on a file that is
 * not JSON, so the file is read first with the same reader as the headless host; a bad
 * file is moved aside by the settings service before the store is opened again.
 */
export class ElectronStoreSettingsBackend implements SettingsBackend {
  readonly location = join(app.getPath('userData'), `${STORE_NAME}.json`);
  private store: Store | undefined;

  read(): StoredSettings {
    const stored = readSettingsFile(this.location);
    if (stored.kind !== 'value') return stored;
    return { kind: 'value', value: this.open().store };
  }

  write(value: unknown): void {
    this.open().store = value as Record<string, unknown>;
  }

  backup(tag: string): string {
    this.store = undefined;
    return backupSettingsFile(this.location, tag);
  }

  private open(): Store {
    // clearInvalidConfig would silently delete a bad file; we keep it as a backup instead.
    this.store ??= new Store({ name: STORE_NAME, clearInvalidConfig: false });
    return this.store;
  }
}
