// Settings on real files: defaults, round trips, migrations, and recovery that never loses a bad file.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { migrateSettings, SETTINGS_VERSION, type Settings, type SettingsModel } from '../../src/shared/settings';
import { JsonFileSettingsBackend } from '../../src/main/settings/json-file-backend';
import { SettingsService } from '../../src/main/settings/settings-service';
import { memoryLog } from '../support/memory-log';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();

function serviceIn(dir: string) {
  const path = join(dir, 'settings.json');
  const { log, lines } = memoryLog();
  return { path, lines, service: () => new SettingsService(new JsonFileSettingsBackend(path), log) };
}

const backups = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.bak'));

describe('SettingsService', () => {
  it('starts with defaults when there is no file, and writes nothing until a change', () => {
    const dir = tempDir();
    const { path, service } = serviceIn(dir);
    const settings = service();
    expect(settings.get()).toEqual({ version: SETTINGS_VERSION, activeProfileId: 'balanced' });
    expect(settings.notices).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('saves a change atomically and reads it back in a new instance', () => {
    const dir = tempDir();
    const { path, service } = serviceIn(dir);
    service().update({ activeProfileId: 'low-resource' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, activeProfileId: 'low-resource' });
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(service().get().activeProfileId).toBe('low-resource');
  });

  it.each([
    ['truncated JSON', '{"version": 1, "activeProf'],
    ['binary garbage', '\u0000\u0001\u0002'],
    ['an array', '[1, 2, 3]'],
    ['a wrong type', '{"version": 1, "activeProfileId": 5}'],
    ['an unknown field', '{"version": 1, "activeProfileId": "balanced", "rogue": true}'],
    ['no version', '{"activeProfileId": "balanced"}'],
    ['a newer version', '{"version": 99, "activeProfileId": "balanced"}'],
  ])('recovers from %s: backup kept byte for byte, defaults used, user warned', (_what, contents) => {
    const dir = tempDir();
    const { path, service, lines } = serviceIn(dir);
    writeFileSync(path, contents);
    const settings = service();
    expect(settings.get().activeProfileId).toBe('balanced');
    const [backup, ...more] = backups(dir);
    expect(more).toEqual([]);
    expect(readFileSync(join(dir, backup as string), 'utf8')).toBe(contents);
    expect(settings.notices).toHaveLength(1);
    expect(settings.notices[0]?.code).toBe('SettingsRecovered');
    expect(settings.notices[0]?.message).toContain(join(dir, backup as string));
    expect(lines.some((l) => l.includes('unusable'))).toBe(true);
    // The next save writes a fresh file and leaves the backup alone.
    settings.update({ activeProfileId: 'high-accuracy' });
    expect(service().get().activeProfileId).toBe('high-accuracy');
    expect(backups(dir)).toEqual([backup]);
  });

  it('keeps every backup when corruption happens twice', () => {
    const dir = tempDir();
    const { path, service } = serviceIn(dir);
    writeFileSync(path, 'nope');
    service();
    writeFileSync(path, 'nope again');
    service();
    expect(backups(dir)).toHaveLength(2);
  });

  it('reports a failed save (a folder in the way) and keeps the previous settings in effect', () => {
    const dir = tempDir();
    const { path, service } = serviceIn(dir);
    const settings = service();
    mkdirSync(path); // rename onto a directory fails for any user, root included
    const error = (() => {
      try {
        settings.update({ activeProfileId: 'low-latency' });
      } catch (err) {
        return err;
      }
    })();
    expect(error).toMatchObject({ code: 'SettingsWriteFailed' });
    expect((error as Error).message).toContain(path);
    expect(settings.get().activeProfileId).toBe('balanced');
  });

  it('rejects an invalid change without saving it', () => {
    const dir = tempDir();
    const { path, service } = serviceIn(dir);
    expect(() => service().update({ activeProfileId: '' })).toThrow();
    expect(existsSync(path)).toBe(false);
  });
});

describe('settings migration hook', () => {
  // A hypothetical version 2 that adds a theme: what the next schema change will look like.
  const V2Schema = z
    .object({ version: z.literal(2), activeProfileId: z.string(), theme: z.enum(['light', 'dark']) })
    .strict();
  const v2Model = {
    version: 2,
    schema: V2Schema as unknown as SettingsModel['schema'],
    migrations: { 1: (old: Record<string, unknown>) => ({ ...old, theme: 'dark' }) },
    defaults: () => ({ version: 2, activeProfileId: 'balanced', theme: 'light' }) as unknown as Settings,
  } satisfies SettingsModel;

  it('upgrades an old file, keeps the old one as a backup, and tells the user', () => {
    const dir = tempDir();
    const path = join(dir, 'settings.json');
    writeFileSync(path, JSON.stringify({ version: 1, activeProfileId: 'low-latency' }));
    const settings = new SettingsService(new JsonFileSettingsBackend(path), memoryLog().log, v2Model);
    expect(settings.get()).toEqual({ version: 2, activeProfileId: 'low-latency', theme: 'dark' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: 2,
      activeProfileId: 'low-latency',
      theme: 'dark',
    });
    const [backup] = backups(dir);
    expect(JSON.parse(readFileSync(join(dir, backup as string), 'utf8'))).toEqual({
      version: 1,
      activeProfileId: 'low-latency',
    });
    expect(settings.notices).toMatchObject([{ code: 'SettingsMigrated' }]);
  });

  it('accepts current files unchanged', () => {
    expect(migrateSettings({ version: 1, activeProfileId: 'high-accuracy' })).toEqual({
      ok: true,
      settings: { version: 1, activeProfileId: 'high-accuracy' },
    });
  });

  it('reports a missing or failing migration instead of guessing', () => {
    expect(migrateSettings({ version: 1 }, { ...v2Model, migrations: {} })).toEqual({
      ok: false,
      reason: 'no migration from settings version 1',
    });
    const failing = {
      ...v2Model,
      migrations: {
        1: () => {
          throw new Error('boom');
        },
      },
    };
    expect(migrateSettings({ version: 1 }, failing)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('boom') as unknown,
    });
  });
});
