// Settings on real files: defaults, round trips, migrations, and recovery that never loses a bad file.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALERT_THRESHOLDS,
  DEFAULT_METRICS_ENDPOINT,
  DEFAULT_APP_PREFERENCES,
  DEFAULT_EXCLUDED_APPS,
  DEFAULT_SESSION_OPTIONS,
  defaultSettings,
  migrateSettings,
  SETTINGS_MODEL,
  SETTINGS_VERSION,
} from '../../src/shared/settings';
import { DEFAULT_COMMAND_SETTINGS } from '../../src/shared/commands';
import { findPreset } from '../../src/shared/profiles';
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
    expect(settings.get()).toEqual({
      version: SETTINGS_VERSION,
      activeProfileId: 'balanced',
      audio: { deviceId: null },
      wake: { keywords: ['hey_jarvis'] },
      session: DEFAULT_SESSION_OPTIONS,
      monitoring: { alerts: DEFAULT_ALERT_THRESHOLDS, endpoint: DEFAULT_METRICS_ENDPOINT },
      commands: DEFAULT_COMMAND_SETTINGS,
      profiles: { custom: [] },
      app: DEFAULT_APP_PREFERENCES,
    });
    expect(settings.notices).toEqual([]);
    expect(existsSync(path)).toBe(false);
  });

  it('saves a change atomically and reads it back in a new instance', () => {
    const dir = tempDir();
    const { path, service } = serviceIn(dir);
    service().update({ activeProfileId: 'low-resource' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      version: SETTINGS_VERSION,
      activeProfileId: 'low-resource',
      audio: { deviceId: null },
      wake: { keywords: ['hey_jarvis'] },
      session: DEFAULT_SESSION_OPTIONS,
      monitoring: { alerts: DEFAULT_ALERT_THRESHOLDS, endpoint: DEFAULT_METRICS_ENDPOINT },
      commands: DEFAULT_COMMAND_SETTINGS,
      profiles: { custom: [] },
      app: DEFAULT_APP_PREFERENCES,
    });
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(service().get().activeProfileId).toBe('low-resource');
  });

  it.each([
    ['truncated JSON', '{"version": 1, "activeProf'],
    ['binary garbage', '\u0000\u0001\u0002'],
    ['an array', '[1, 2, 3]'],
    ['a wrong type', '{"version": 2, "activeProfileId": 5, "audio": {"deviceId": null}}'],
    ['an unknown field', '{"version": 2, "activeProfileId": "balanced", "audio": {"deviceId": null}, "rogue": true}'],
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

describe('settings migration', () => {
  it('upgrades a version 1 file, keeps the old one as a backup, and tells the user', () => {
    const dir = tempDir();
    const { path, service } = serviceIn(dir);
    writeFileSync(path, JSON.stringify({ version: 1, activeProfileId: 'low-latency' }));
    const settings = service();
    const upgraded = {
      version: SETTINGS_VERSION,
      activeProfileId: 'low-latency',
      audio: { deviceId: null },
      wake: { keywords: ['hey_jarvis'] },
      // An existing user did not ask for text in their apps: the history only, until they choose.
      session: { ...DEFAULT_SESSION_OPTIONS, output: 'history' },
      monitoring: { alerts: DEFAULT_ALERT_THRESHOLDS, endpoint: DEFAULT_METRICS_ENDPOINT },
      commands: DEFAULT_COMMAND_SETTINGS,
      profiles: { custom: [] },
      app: MIGRATED_APP,
    };
    expect(settings.get()).toEqual(upgraded);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(upgraded);
    const [backup, ...more] = backups(dir);
    expect(more).toEqual([]);
    expect(backup).toMatch(/settings\.json\.v1-.*\.bak$/);
    expect(JSON.parse(readFileSync(join(dir, backup as string), 'utf8'))).toEqual({
      version: 1,
      activeProfileId: 'low-latency',
    });
    expect(settings.notices).toMatchObject([{ code: 'SettingsMigrated' }]);
    // Loading again is a no-op: nothing more to migrate, no new backup.
    expect(service().notices).toEqual([]);
    expect(backups(dir)).toHaveLength(1);
  });

  /** What version 8 adds to a session that did not copy: the history only, nothing typed unasked. */
  const OUTPUT_OF_V7 = {
    output: 'history',
    keepTrailingPeriod: true,
    excludedApps: DEFAULT_EXCLUDED_APPS,
    typeIntoTerminals: false,
    // Version 12's recordings cap: what was fixed before.
    recordingsCapMb: 256,
  };
  /** Someone who used Earshot before version 12 does not get the first-run setup. */
  const MIGRATED_APP = { ...DEFAULT_APP_PREFERENCES, setupDone: true };

  it('gives a version 4 file the default alert thresholds and keeps everything else', () => {
    const v4 = {
      version: 4,
      activeProfileId: 'balanced',
      audio: { deviceId: 'ALSA:mic' },
      wake: { keywords: [] },
      session: { copyToClipboard: true, cueSound: true, retainAudio: false, toggleShortcut: 'Alt+F9' },
    };
    expect(migrateSettings(v4)).toEqual({
      ok: true,
      migratedFrom: 4,
      settings: {
        ...v4,
        version: SETTINGS_VERSION,
        session: {
          cueSound: true,
          retainAudio: false,
          toggleShortcut: 'Alt+F9',
          holdKey: 'RightCtrl',
          holdTapMs: 250,
          ...OUTPUT_OF_V7,
          output: 'clipboard',
        },
        monitoring: { alerts: DEFAULT_ALERT_THRESHOLDS, endpoint: DEFAULT_METRICS_ENDPOINT },
        commands: DEFAULT_COMMAND_SETTINGS,
        profiles: { custom: [] },
        app: MIGRATED_APP,
      },
    });
  });

  it("gives a version 5 file the metrics endpoint, off, and keeps the user's alert thresholds", () => {
    const v5 = {
      version: 5,
      activeProfileId: 'balanced',
      audio: { deviceId: null },
      wake: { keywords: ['alexa'] },
      session: { copyToClipboard: false, cueSound: true, retainAudio: false, toggleShortcut: null },
      monitoring: { alerts: { ...DEFAULT_ALERT_THRESHOLDS, cpuPercent: 90 } },
    };
    expect(migrateSettings(v5)).toEqual({
      ok: true,
      migratedFrom: 5,
      settings: {
        ...v5,
        version: SETTINGS_VERSION,
        session: {
          cueSound: true,
          retainAudio: false,
          toggleShortcut: null,
          holdKey: 'RightCtrl',
          holdTapMs: 250,
          ...OUTPUT_OF_V7,
        },
        monitoring: {
          alerts: { ...DEFAULT_ALERT_THRESHOLDS, cpuPercent: 90 },
          endpoint: { enabled: false, port: 9464, token: null },
        },
        commands: DEFAULT_COMMAND_SETTINGS,
        profiles: { custom: [] },
        app: MIGRATED_APP,
      },
    });
  });

  it('gives a version 6 file the hold key (Right Ctrl) and keeps its session options', () => {
    const v6 = {
      version: 6,
      activeProfileId: 'balanced',
      audio: { deviceId: null },
      wake: { keywords: [] },
      session: { copyToClipboard: false, cueSound: false, retainAudio: false, toggleShortcut: null },
      monitoring: { alerts: DEFAULT_ALERT_THRESHOLDS, endpoint: DEFAULT_METRICS_ENDPOINT },
    };
    const { copyToClipboard: _, ...kept } = v6.session;
    expect(migrateSettings(v6)).toEqual({
      ok: true,
      migratedFrom: 6,
      settings: {
        ...v6,
        version: SETTINGS_VERSION,
        session: { ...kept, holdKey: 'RightCtrl', holdTapMs: 250, ...OUTPUT_OF_V7 },
        commands: DEFAULT_COMMAND_SETTINGS,
        profiles: { custom: [] },
        app: MIGRATED_APP,
      },
    });
  });

  it('turns "Copy transcripts" of a version 7 file into the clipboard output, and off into the history only', () => {
    const v7 = {
      ...defaultSettings(),
      version: 7,
      session: {
        copyToClipboard: true,
        cueSound: false,
        retainAudio: true,
        toggleShortcut: null,
        holdKey: 'F9',
        holdTapMs: 300,
      },
    };
    const copied = migrateSettings(v7);
    expect(copied).toMatchObject({ ok: true, migratedFrom: 7 });
    expect(copied.ok && copied.settings.session).toEqual({
      cueSound: false,
      retainAudio: true,
      toggleShortcut: null,
      holdKey: 'F9',
      holdTapMs: 300,
      ...OUTPUT_OF_V7,
      output: 'clipboard',
    });
    const kept = migrateSettings({ ...v7, session: { ...v7.session, copyToClipboard: false } });
    expect(kept.ok && kept.settings.session.output).toBe('history');
    // A new install pastes where the cursor is.
    expect(defaultSettings().session.output).toBe('paste');
  });

  it('gives a version 8 file the built-in commands, no user commands, and programs off', () => {
    const v8 = { ...defaultSettings(), version: 8 } as Record<string, unknown>;
    delete v8.commands;
    const migrated = migrateSettings(v8);
    expect(migrated).toMatchObject({ ok: true, migratedFrom: 8 });
    expect(migrated.ok && migrated.settings.commands).toEqual({
      prefix: 'command',
      threshold: 0.8,
      allowPrograms: false,
      confirmedPrograms: [],
      user: [],
    });
  });

  it('gives a version 10 file the system theme, started by the user and shown', () => {
    const v10 = { ...defaultSettings(), version: 10 } as Record<string, unknown>;
    delete v10.app;
    const migrated = migrateSettings(v10);
    expect(migrated).toMatchObject({ ok: true, migratedFrom: 10 });
    expect(migrated.ok && migrated.settings.app).toEqual({
      theme: 'system',
      startAtLogin: false,
      startHidden: false,
      setupDone: true,
    });
  });

  it('gives a version 11 file the 256 MB recordings cap it had, and no first-run setup', () => {
    const v11 = structuredClone({ ...defaultSettings(), version: 11 }) as unknown as {
      session: Record<string, unknown>;
      app: Record<string, unknown>;
    };
    delete v11.session.recordingsCapMb;
    delete v11.app.setupDone;
    v11.app.theme = 'dark';
    const migrated = migrateSettings(v11);
    expect(migrated).toMatchObject({ ok: true, migratedFrom: 11 });
    expect(migrated.ok && migrated.settings.session.recordingsCapMb).toBe(256);
    expect(migrated.ok && migrated.settings.app).toEqual({ ...MIGRATED_APP, theme: 'dark' });
    // A new install gets the setup.
    expect(defaultSettings().app.setupDone).toBe(false);
  });

  it("gives a version 12 file's own profiles the wake phases of the preset each came from", () => {
    const fromPreset = (id: string) => {
      const { phases: _, ...wake } = findPreset(id)!.wake;
      return { ...structuredClone(findPreset(id)!), id: `my-${id}`, name: `Mine ${id}`, basedOn: id, wake };
    };
    const v12 = {
      ...defaultSettings(),
      version: 12,
      profiles: { custom: [fromPreset('high-accuracy'), fromPreset('low-resource')] },
    };
    const migrated = migrateSettings(v12);
    expect(migrated).toMatchObject({ ok: true, migratedFrom: 12 });
    expect(migrated.ok && migrated.settings.profiles.custom.map((p) => p.wake.phases)).toEqual([4, 1]);
  });

  it('refuses a hold key that names no key, saying which', () => {
    const bad = { ...defaultSettings(), session: { ...DEFAULT_SESSION_OPTIONS, holdKey: 'Hyper' } };
    const outcome = migrateSettings(bad);
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? '' : outcome.reason).toMatch(/names no key Earshot knows \("Hyper"\)/);
  });

  it('accepts current files unchanged', () => {
    const current = {
      version: SETTINGS_VERSION,
      activeProfileId: 'high-accuracy',
      audio: { deviceId: 'ALSA:mic' },
      wake: { keywords: ['alexa', 'hey_mycroft'] },
      session: {
        output: 'type',
        keepTrailingPeriod: false,
        excludedApps: ['keepassxc', 'Signal'],
        typeIntoTerminals: true,
        cueSound: false,
        retainAudio: true,
        toggleShortcut: 'Alt+F9',
        holdKey: 'Ctrl+Space',
        holdTapMs: 400,
        recordingsCapMb: 1024,
      },
      monitoring: {
        alerts: { ...DEFAULT_ALERT_THRESHOLDS, releaseToFinalP95Ms: 800 },
        endpoint: { enabled: true, port: 9100, token: 'a'.repeat(32) },
      },
      commands: {
        prefix: 'computer',
        threshold: 0.9,
        allowPrograms: true,
        confirmedPrograms: ['note:0123456789abcdef'],
        user: [
          {
            id: 'note',
            phrase: 'take a note {text}',
            action: { type: 'run', program: 'tee', args: ['-a', 'n.txt'] },
            enabled: true,
          },
        ],
      },
      profiles: {
        custom: [{ ...structuredClone(findPreset('low-latency')!), id: 'mine', name: 'Mine', basedOn: 'low-latency' }],
      },
      app: { theme: 'dark', startAtLogin: true, startHidden: true, setupDone: true },
    };
    expect(migrateSettings(current)).toEqual({ ok: true, settings: current });
  });

  it('reports a missing or failing migration instead of guessing', () => {
    expect(migrateSettings({ version: 1 }, { ...SETTINGS_MODEL, migrations: {} })).toEqual({
      ok: false,
      reason: 'no migration from settings version 1',
    });
    const failing = {
      ...SETTINGS_MODEL,
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
