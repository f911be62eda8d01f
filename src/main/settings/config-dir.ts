import envPaths from 'env-paths';
import { join } from 'node:path';

/**
 * Where the headless host keeps its settings: the platform's user config folder
 * (~/.config/earshot on Linux), or `EARSHOT_CONFIG_DIR` / `--config-dir` when given.
 */
export function configDir(override?: string): string {
  return override ?? process.env.EARSHOT_CONFIG_DIR ?? envPaths('earshot', { suffix: '' }).config;
}

export function settingsFilePath(dir: string): string {
  return join(dir, 'settings.json');
}
