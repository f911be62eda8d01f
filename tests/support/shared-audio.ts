import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The real recordings in ../shared/audio beside the repository (see its README), or $EARSHOT_SHARED_DIR/audio. */
const DIR = join(process.env.EARSHOT_SHARED_DIR ?? join(import.meta.dirname, '..', '..', '..', 'shared'), 'audio');
if (!existsSync(join(DIR, 'jfk.wav'))) {
  throw new Error(
    `Test recordings not found in ${DIR}: the tests expect ../shared beside the repository (or set EARSHOT_SHARED_DIR).`,
  );
}

export const SHARED_AUDIO = {
  jfk: join(DIR, 'jfk.wav'),
  alexa: join(DIR, 'alexa_test.wav'),
  heyMycroft: join(DIR, 'hey_mycroft_test.wav'),
  heyJane: join(DIR, 'hey_jane.wav'),
  negative: join(DIR, 'negative_reference.wav'),
} as const;
