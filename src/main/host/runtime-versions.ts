import { createRequire } from 'node:module';
import packageJson from '../../../package.json' with { type: 'json' };

export const APP_NAME = 'Earshot';
export const APP_VERSION: string = packageJson.version;

// Not named `require`: bundlers treat that name specially and collide with their own shim.
const requireHere = createRequire(import.meta.url);

/** Version of an installed package, read from its package.json without loading its code. */
export function packageVersion(name: string): string | null {
  try {
    return (requireHere(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}
