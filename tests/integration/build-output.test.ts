// The Electron build (`npm run build`, which npm test runs first) parses, and the sandboxed preload is self-contained CommonJS.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli-process';

const OUT = join(ROOT, 'out');

describe('Electron build output', () => {
  it.each(['main/index.js', 'main/worker.js', 'preload/index.cjs', 'renderer/index.html'])('has %s', (file) => {
    expect(existsSync(join(OUT, file)), `run \`npm run build\` first (npm test does)`).toBe(true);
  });

  it.each(['main/index.js', 'main/worker.js', 'preload/index.cjs'])('%s parses as JavaScript', (file) => {
    expect(() => execFileSync(process.execPath, ['--check', join(OUT, file)], { stdio: 'pipe' })).not.toThrow();
  });

  it('bundles the preload as CommonJS that requires nothing but electron (a sandboxed preload cannot load packages)', () => {
    const preload = readFileSync(join(OUT, 'preload/index.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(preload).not.toMatch(/^\s*import\s/m);
  });
});
