import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The repository root, from this file's place in `src/main/host/serve`. */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..', '..', '..');
export const RENDERER_BUILD_DIR = join(PROJECT_ROOT, 'out', 'renderer');

/** Newest modification time of any file under the given folders. */
function newestMtime(dirs: readonly string[]): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  dirs.filter(existsSync).forEach(walk);
  return newest;
}

export function rendererBuildIsCurrent(): boolean {
  const index = join(RENDERER_BUILD_DIR, 'index.html');
  if (!existsSync(index)) return false;
  const sources = [join(PROJECT_ROOT, 'src', 'renderer'), join(PROJECT_ROOT, 'src', 'shared')];
  return statSync(index).mtimeMs >= newestMtime(sources);
}

/**
 * `serve` right after `npm ci`: builds the app (electron-vite) when the renderer build is
 * missing or older than its sources, so no separate build step is needed.
 */
export function ensureRendererBuild(report: (line: string) => void): void {
  if (rendererBuildIsCurrent()) return;
  report('Building the Earshot interface (first run or sources changed)…');
  const cli = join(
    dirname(createRequire(import.meta.url).resolve('electron-vite/package.json')),
    'bin',
    'electron-vite.js',
  );
  const run = spawnSync(process.execPath, [cli, 'build'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) throw new Error('building the interface failed (run `npm run build` to see why)');
}
