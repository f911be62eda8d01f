import type { Profile } from '../../shared/profiles';
import type { AsrSettings } from '../../shared/worker-protocol';

/** What the worker needs to recognise speech the way a profile says. */
export function asrSettingsFor(
  profile: Profile,
  userModelDir: string,
  overrides: Partial<AsrSettings> = {},
): AsrSettings {
  return {
    model: profile.model,
    userModelDir,
    language: 'auto',
    task: 'transcribe',
    timestamps: false,
    decoding: profile.decoding,
    threads: profile.threads.asr,
    fitWindow: profile.encoderWindow === 'fitted',
    acceleration: profile.acceleration,
    cache: { encoderEntries: profile.cache.encoderEntries, sessionEntries: profile.cache.sessionEntries },
    vad: profile.vad,
    ...overrides,
  };
}
