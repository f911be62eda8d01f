import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Earshot's own folders under HOME on Linux: config, data and cache, as env-paths names them
 * for "earshot" (src/main/settings/config-dir.ts) when no XDG_* variable is set.
 */
export const EARSHOT_HOME_FOLDERS = ['.config/earshot', '.local/share/earshot', '.cache/earshot'] as const;

/** Every file and folder under `root`, as paths relative to it (folders end with "/"). */
export function entriesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true }).map((entry) => {
    const path = relative(root, join(entry.parentPath, entry.name));
    return entry.isDirectory() ? `${path}/` : path;
  });
}

/** A folder that holds one of Earshot's folders (".config/"), or anything inside one. */
function isEarshotPath(path: string): boolean {
  return EARSHOT_HOME_FOLDERS.some(
    (folder) => path.startsWith(`${folder}/`) || (path.endsWith('/') && `${folder}/`.startsWith(path)),
  );
}

/** What appeared under `home` since `before` (its entries then) outside Earshot's own folders. */
export function strayEntries(home: string, before: readonly string[]): string[] {
  const existed = new Set(before);
  return entriesUnder(home).filter((path) => !existed.has(path) && !isEarshotPath(path));
}
