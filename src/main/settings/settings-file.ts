import { existsSync, readFileSync, renameSync } from 'node:fs';
import type { StoredSettings } from './settings-backend';

/** Reads a JSON settings file without ever throwing for bad contents. */
export function readSettingsFile(path: string): StoredSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: (err as Error).message };
  }
  try {
    return { kind: 'value', value: JSON.parse(text) as unknown };
  } catch (err) {
    return { kind: 'unreadable', reason: `not valid JSON (${(err as Error).message})` };
  }
}

/** Renames `path` to a unique sibling so that a bad file is kept for the user, not lost. */
export function backupSettingsFile(path: string, tag: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = `${path}.${tag}-${stamp}.bak`;
  for (let n = 1; existsSync(target); n++) target = `${path}.${tag}-${stamp}-${n}.bak`;
  renameSync(path, target);
  return target;
}
