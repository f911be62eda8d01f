/** What a settings store reads back: nothing yet, a value, or bytes that are not JSON. */
export type StoredSettings =
  { kind: 'missing' } | { kind: 'value'; value: unknown } | { kind: 'unreadable'; reason: string };

/**
 * Persistence behind the settings service: electron-store in the desktop app, a JSON file
 * for the headless host and tests. Both hold the same schema in the same place shape.
 */
export interface SettingsBackend {
  /** Where the settings live, for messages to the user. */
  readonly location: string;
  read(): StoredSettings;
  write(value: unknown): void;
  /** Moves the current file aside and returns the backup's path. */
  backup(tag: string): string;
}
