import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SettingsBackend, StoredSettings } from './settings-backend';
import { backupSettingsFile, readSettingsFile } from './settings-file';

/** Settings as one JSON file (headless host). Writes are atomic: temp file, then rename. */
export class JsonFileSettingsBackend implements SettingsBackend {
  constructor(readonly location: string) {}

  read(): StoredSettings {
    return readSettingsFile(this.location);
  }

  write(value: unknown): void {
    mkdirSync(dirname(this.location), { recursive: true });
    const temp = `${this.location}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
    renameSync(temp, this.location);
  }

  backup(tag: string): string {
    return backupSettingsFile(this.location, tag);
  }
}
