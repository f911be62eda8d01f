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

/**
 * The user's Whisper model folder (other models in the transformers.js layout, one folder each):
 * the platform's data folder (~/.local/share/earshot/models on Linux), or `EARSHOT_MODELS_DIR`.
 */
export function userModelsDir(): string {
  return process.env.EARSHOT_MODELS_DIR ?? join(envPaths('earshot', { suffix: '' }).data, 'models');
}

/** Earshot's cache folder (~/.cache/earshot on Linux): logs of the tools it runs, such as xsel. */
export function cacheDir(): string {
  return envPaths('earshot', { suffix: '' }).cache;
}

/**
 * The utterance history database: the platform's data folder
 * (~/.local/share/earshot/history.sqlite on Linux), or `EARSHOT_HISTORY_DB`.
 */
export function historyDbPath(): string {
  return process.env.EARSHOT_HISTORY_DB ?? join(envPaths('earshot', { suffix: '' }).data, 'history.sqlite');
}
