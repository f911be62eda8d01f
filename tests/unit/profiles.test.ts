// Profile presets against the schema, and live switching through the profile service.
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_PROFILE_ID, PRESETS, ProfileSchema } from '../../src/shared/profiles';
import { ProfileService } from '../../src/main/profiles/profile-service';
import { JsonFileSettingsBackend } from '../../src/main/settings/json-file-backend';
import { SettingsService } from '../../src/main/settings/settings-service';
import { memoryLog } from '../support/memory-log';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const balanced = PRESETS.find((p) => p.id === 'balanced')!;

describe('profile presets', () => {
  it('are the four documented presets, Balanced first and default', () => {
    expect(PRESETS.map((p) => p.id)).toEqual(['balanced', 'low-latency', 'high-accuracy', 'low-resource']);
    expect(DEFAULT_PROFILE_ID).toBe('balanced');
  });

  it.each(PRESETS.map((p) => [p.name, p] as const))('%s validates against the schema', (_name, preset) => {
    expect(ProfileSchema.parse(preset)).toEqual(preset);
  });

  it('differ where their names promise', () => {
    const [, lowLatency, highAccuracy, lowResource] = PRESETS;
    expect(lowLatency!.vad.silenceHangoverMs).toBeLessThan(balanced.vad.silenceHangoverMs);
    expect(lowLatency!.decoding.temperatures).toEqual([0]);
    expect(highAccuracy!.model).toBe('whisper-base');
    expect(highAccuracy!.decoding.strategy).toBe('beam');
    expect(lowResource!.threads.asr).toBe(1);
    expect(lowResource!.partialIntervalMs).toBe(0);
  });

  it.each([
    ['a frame size that is not a multiple of 80 ms', { ...balanced, frameMs: 100 }],
    ['a VAD end threshold above its start threshold', { ...balanced, vad: { ...balanced.vad, endThreshold: 0.9 } }],
    ['a wake threshold above 1', { ...balanced, wake: { ...balanced.wake, threshold: 1.5 } }],
    ['zero threads', { ...balanced, threads: { ...balanced.threads, asr: 0 } }],
    ['an unknown field', { ...balanced, turbo: true }],
    ['an empty temperature ladder', { ...balanced, decoding: { ...balanced.decoding, temperatures: [] } }],
  ])('the schema rejects %s', (_what, profile) => {
    expect(ProfileSchema.safeParse(profile).success).toBe(false);
  });
});

describe('ProfileService', () => {
  function servicesIn(dir: string) {
    const settings = new SettingsService(new JsonFileSettingsBackend(join(dir, 'settings.json')), memoryLog().log);
    return { settings, profiles: new ProfileService(settings, memoryLog().log) };
  }

  it('switches live: listeners get the new profile, and the choice persists', () => {
    const dir = tempDir();
    const { profiles } = servicesIn(dir);
    const listener = vi.fn();
    profiles.onActiveChanged(listener);
    expect(profiles.active().id).toBe('balanced');
    profiles.setActive('high-accuracy');
    expect(listener).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ id: 'high-accuracy' }));
    expect(servicesIn(dir).profiles.active().id).toBe('high-accuracy');
  });

  it('does not notify when the profile is already active', () => {
    const { profiles } = servicesIn(tempDir());
    const listener = vi.fn();
    profiles.onActiveChanged(listener);
    profiles.setActive('balanced');
    expect(listener).not.toHaveBeenCalled();
  });

  it('rejects an unknown profile with a sentence listing the choices', () => {
    const { profiles, settings } = servicesIn(tempDir());
    expect(() => profiles.setActive('turbo')).toThrowError(/no profile "turbo".*balanced, low-latency/);
    expect(settings.get().activeProfileId).toBe('balanced');
  });

  it('falls back to the default when settings name a profile that no longer exists', () => {
    const { profiles, settings } = servicesIn(tempDir());
    settings.update({ activeProfileId: 'retired-preset' });
    expect(profiles.active().id).toBe('balanced');
  });
});
