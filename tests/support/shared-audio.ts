import { join } from 'node:path';

/** The real recordings in ../shared/audio (see its README). */
const DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'audio');

export const SHARED_AUDIO = {
  jfk: join(DIR, 'jfk.wav'),
  alexa: join(DIR, 'alexa_test.wav'),
  heyMycroft: join(DIR, 'hey_mycroft_test.wav'),
  heyJane: join(DIR, 'hey_jane.wav'),
  negative: join(DIR, 'negative_reference.wav'),
} as const;
