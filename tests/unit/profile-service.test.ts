// Profiles of the user's own: saved in the settings beside the read-only presets, edited live when active, deleted with a fall back to Balanced; and the contract's checks of a profile sent by a window.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileService } from '../../src/main/profiles/profile-service';
import { JsonFileSettingsBackend } from '../../src/main/settings/json-file-backend';
import { SettingsService } from '../../src/main/settings/settings-service';
import { CustomProfileSchema, findPreset, type CustomProfile, type Profile } from '../../src/shared/profiles';
import { migrateSettings, defaultSettings } from '../../src/shared/settings';
import { memoryLog } from '../support/memory-log';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

function services(dir = tempDir()) {
  const { log } = memoryLog();
  const settings = new SettingsService(new JsonFileSettingsBackend(join(dir, 'settings.json')), log);
  return { dir, settings, profiles: new ProfileService(settings, log) };
}

/** A copy of Balanced with a shorter partial interval and a lower wake threshold, as the editor would make it. */
function quickBalanced(): CustomProfile {
  const balanced = findPreset('balanced')!;
  return {
    ...structuredClone(balanced),
    id: 'quick',
    name: 'Quick',
    partialIntervalMs: 250,
    wake: { ...balanced.wake, threshold: 0.4 },
    basedOn: 'balanced',
  };
}

describe('ProfileService with profiles of your own', () => {
  it('saves a copy of a preset, lists it after the presets, and keeps it across a restart', () => {
    const { dir, profiles } = services();
    profiles.save(quickBalanced());
    expect(profiles.list().map((p) => p.id)).toEqual([
      'balanced',
      'low-latency',
      'high-accuracy',
      'low-resource',
      'quick',
    ]);
    expect(profiles.list().at(-1)).not.toHaveProperty('basedOn');
    const again = services(dir).profiles;
    expect(again.custom()).toEqual([quickBalanced()]);
    expect(again.setActive('quick')).toMatchObject({ id: 'quick', partialIntervalMs: 250 });
  });

  it('applies an edit of the active profile at once, as switching does', () => {
    const { profiles } = services();
    profiles.save(quickBalanced());
    profiles.setActive('quick');
    const seen: Profile[] = [];
    profiles.onActiveChanged((p) => seen.push(p));
    profiles.save({ ...quickBalanced(), partialIntervalMs: 400 });
    expect(seen.map((p) => [p.id, p.partialIntervalMs])).toEqual([['quick', 400]]);
    // Saving another profile, or the same values again, changes nothing live.
    profiles.save({ ...quickBalanced(), id: 'other', partialIntervalMs: 400 });
    profiles.save({ ...quickBalanced(), partialIntervalMs: 400 });
    expect(seen).toHaveLength(1);
  });

  it('refuses to change or delete a preset, and deleting the active profile falls back to Balanced', () => {
    const { profiles, settings } = services();
    expect(() => profiles.save({ ...quickBalanced(), id: 'balanced' })).toThrow(/presets are read-only/);
    expect(() => profiles.delete('low-latency')).toThrow(/presets cannot be deleted/);
    expect(() => profiles.delete('nope')).toThrow(/There is no profile "nope" of yours/);
    profiles.save(quickBalanced());
    profiles.setActive('quick');
    const seen: string[] = [];
    profiles.onActiveChanged((p) => seen.push(p.id));
    expect(profiles.delete('quick')).toEqual({ fellBackTo: findPreset('balanced') });
    expect(settings.get()).toMatchObject({ activeProfileId: 'balanced', profiles: { custom: [] } });
    expect(seen).toEqual(['balanced']);
    profiles.save({ ...quickBalanced(), id: 'spare' });
    expect(profiles.delete('spare')).toEqual({ fellBackTo: null });
  });

  it('checks a profile with the shared schema, naming the field that is wrong', () => {
    const bad = CustomProfileSchema.safeParse({
      ...quickBalanced(),
      wake: { ...quickBalanced().wake, threshold: 1.5 },
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['wake', 'threshold']);
    const preset = CustomProfileSchema.safeParse({ ...quickBalanced(), id: 'low-latency' });
    expect(preset.error?.issues[0]).toMatchObject({
      path: ['id'],
      message: 'a preset cannot be changed: duplicate it and change the copy',
    });
    expect(CustomProfileSchema.safeParse({ ...quickBalanced(), basedOn: 'quick' }).success).toBe(false);
  });

  it('gives a version 9 settings file an empty list of your own profiles', () => {
    const v9 = { ...defaultSettings(), version: 9 } as Record<string, unknown>;
    delete v9.profiles;
    const migrated = migrateSettings(v9);
    expect(migrated).toMatchObject({ ok: true, migratedFrom: 9 });
    expect(migrated.ok && migrated.settings.profiles).toEqual({ custom: [] });
  });
});
