import { join } from 'node:path';

/**
 * The app's resources folder (icons, the machine check's recording) for the Node hosts, which run
 * from the sources; the desktop app passes its own (inside the packaged app).
 */
export const NODE_RESOURCES_DIR = join(import.meta.dirname, '..', '..', '..', 'resources');
