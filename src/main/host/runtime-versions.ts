import { createRequire } from 'node:module';
import packageJson from '../../../package.json' with { type: 'json' };

export const APP_NAME = 'Earshot';
export const APP_VERSION: string = packageJson.version;

const require = createRequire(import.meta.url);

/** Version of an installed package, read from its package.json without loading its code. */
export function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}
