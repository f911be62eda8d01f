import { AppError } from '../../shared/errors';
import {
  DEFAULT_PROFILE_ID,
  findPreset,
  MAX_CUSTOM_PROFILES,
  PRESETS,
  type CustomProfile,
  type Profile,
} from '../../shared/profiles';
import type { Settings } from '../../shared/settings';
import type { Logger } from '../log';
import type { SettingsService } from '../settings/settings-service';

type Listener = (profile: Profile) => void;

/**
 * The profiles (the presets, and the user's own kept in the settings) and the active one.
 * Services subscribe with `onActiveChanged` and re-apply the profile live: when another profile
 * becomes active, and when the active one is edited.
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
      if (this.runOverride) return;
      const now = activeIn(next);
      if (JSON.stringify(now) === JSON.stringify(activeIn(previous))) return;
      for (const listener of this.listeners) listener(now);
    });
  }

  list(): readonly Profile[] {
    return [...PRESETS, ...this.custom().map(withoutBase)];
  }

  /** The user's own profiles, each with the preset it came from. */
  custom(): readonly CustomProfile[] {
    return this.settings.get().profiles.custom;
  }

  /** The active profile; an id that no longer exists falls back to the default. */
  active(): Profile {
    if (this.runOverride) return this.runOverride;
    const settings = this.settings.get();
    const profile = activeIn(settings);
    if (profile.id !== settings.activeProfileId)
      this.log.warn(`active profile "${settings.activeProfileId}" is unknown; using ${DEFAULT_PROFILE_ID}`);
    return profile;
  }

  setActive(id: string): Profile {
    const profile = this.findOrThrow(id);
    if (this.settings.get().activeProfileId !== id) this.settings.update({ activeProfileId: id });
    return profile;
  }

  /** Uses profile `id` until the process ends, without touching the saved choice. */
  useForThisRun(id: string): Profile {
    this.runOverride = this.findOrThrow(id);
    return this.runOverride;
  }

  /**
   * Creates or replaces one of the user's profiles (already checked against CustomProfileSchema
   * by whoever took it in). Saving the active one applies it at once, as switching does.
   */
  save(profile: CustomProfile): CustomProfile {
    if (findPreset(profile.id))
      throw new AppError(
        'InvalidPayload',
        `"${profile.id}" is a preset, and presets are read-only: duplicate it and change the copy.`,
      );
    const custom = this.custom();
    const exists = custom.some((p) => p.id === profile.id);
    if (!exists && custom.length >= MAX_CUSTOM_PROFILES)
      throw new AppError(
        'InvalidPayload',
        `Earshot keeps at most ${MAX_CUSTOM_PROFILES} profiles of your own: delete one first.`,
      );
    const next = exists ? custom.map((p) => (p.id === profile.id ? profile : p)) : [...custom, profile];
    this.settings.update({ profiles: { custom: next } });
    return profile;
  }

  /**
   * Deletes one of the user's profiles. When it was active, Balanced takes over, in the same
   * save; the answer says so, for the user to be told.
   */
  delete(id: string): { fellBackTo: Profile | null } {
    if (findPreset(id)) throw new AppError('InvalidPayload', `"${id}" is a preset, and presets cannot be deleted.`);
    const custom = this.custom();
    if (!custom.some((p) => p.id === id)) throw new AppError('UnknownProfile', `There is no profile "${id}" of yours.`);
    const wasActive = this.settings.get().activeProfileId === id;
    this.settings.update({
      profiles: { custom: custom.filter((p) => p.id !== id) },
      ...(wasActive && { activeProfileId: DEFAULT_PROFILE_ID }),
    });
    return { fellBackTo: wasActive ? (findPreset(DEFAULT_PROFILE_ID) as Profile) : null };
  }

  onActiveChanged(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A preset or one of the user's profiles; an unknown id is `UnknownProfile` with the choices. */
  get(id: string): Profile {
    return this.findOrThrow(id);
  }

  private findOrThrow(id: string): Profile {
    const profile = this.list().find((p) => p.id === id);
    if (profile) return profile;
    const known = this.list()
      .map((p) => p.id)
      .join(', ');
    throw new AppError('UnknownProfile', `There is no profile "${id}". Choose one of: ${known}.`);
  }
}

/** The active profile a settings object names (a preset or the user's), or the default. */
function activeIn(settings: Settings): Profile {
  const id = settings.activeProfileId;
  const custom = settings.profiles.custom.find((p) => p.id === id);
  return findPreset(id) ?? (custom ? withoutBase(custom) : (findPreset(DEFAULT_PROFILE_ID) as Profile));
}

function withoutBase({ basedOn: _, ...profile }: CustomProfile): Profile {
  return profile;
}
