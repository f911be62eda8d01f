import { AppError } from '../../shared/errors';
import { DEFAULT_PROFILE_ID, findPreset, PRESETS, type Profile } from '../../shared/profiles';
import type { Logger } from '../log';
import type { SettingsService } from '../settings/settings-service';

type Listener = (profile: Profile) => void;

/**
 * The active profile. Services subscribe with `onActiveChanged` and re-apply the profile
 * live; the choice is persisted through settings.
 */
export class ProfileService {
  private readonly listeners = new Set<Listener>();
  /** A profile for this run only (`listen --profile`); never saved. */
  private runOverride: Profile | undefined;

  constructor(
    private readonly settings: SettingsService,
    private readonly log: Logger,
  ) {
    settings.onChange((next, previous) => {
      if (next.activeProfileId !== previous.activeProfileId) {
        const profile = this.active();
        for (const listener of this.listeners) listener(profile);
      }
    });
  }

  list(): readonly Profile[] {
    return PRESETS;
  }

  /** The active profile; an id that no longer exists (e.g. a removed preset) falls back to the default. */
  active(): Profile {
    if (this.runOverride) return this.runOverride;
    const id = this.settings.get().activeProfileId;
    const profile = findPreset(id);
    if (profile) return profile;
    this.log.warn(`active profile "${id}" is unknown; using ${DEFAULT_PROFILE_ID}`);
    return findPreset(DEFAULT_PROFILE_ID) as Profile;
  }

  setActive(id: string): Profile {
    const profile = presetOrThrow(id);
    if (this.settings.get().activeProfileId !== id) this.settings.update({ activeProfileId: id });
    return profile;
  }

  /** Uses profile `id` until the process ends, without touching the saved choice. */
  useForThisRun(id: string): Profile {
    this.runOverride = presetOrThrow(id);
    return this.runOverride;
  }

  onActiveChanged(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function presetOrThrow(id: string): Profile {
  const profile = findPreset(id);
  if (profile) return profile;
  const known = PRESETS.map((p) => p.id).join(', ');
  throw new AppError('UnknownProfile', `There is no profile "${id}". Choose one of: ${known}.`);
}
