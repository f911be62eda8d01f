import { z } from 'zod';
import { DEFAULT_TAP_MS, parseHoldKey } from './hold-key';
import { checkAccelerator } from './accelerator';
import { CommandSettingsSchema, DEFAULT_COMMAND_SETTINGS } from './commands';
import { CustomProfileSchema, DEFAULT_PROFILE_ID, findPreset, MAX_CUSTOM_PROFILES } from './profiles';

/**
 * Persisted settings. The same schema is used by electron-store (desktop) and by the JSON
 * file of the headless host. Bump SETTINGS_VERSION and add a migration whenever the shape
 * changes; old files are migrated on load, never discarded.
 */
export const SETTINGS_VERSION = 13;

/**
 * Where a final transcript goes besides the history: nowhere else, the clipboard, pasted where
 * the cursor is (the clipboard saved and put back around it), or typed as keystrokes (for apps
 * that block paste).
 */
export const OutputModeSchema = z.enum(['history', 'clipboard', 'paste', 'type']);
export type OutputMode = z.infer<typeof OutputModeSchema>;
export const OUTPUT_MODES = OutputModeSchema.options;

/**
 * Apps Earshot never types or pastes into, by window class or a word of their title: password
 * managers (a dictation in a password field is a leak waiting to happen).
 */
export const DEFAULT_EXCLUDED_APPS = [
  'keepassxc',
  'keepass2',
  '1password',
  'bitwarden',
  'enpass',
  'lastpass',
  'nordpass',
  'dashlane',
  'seahorse',
  'kwalletmanager5',
];

/** What happens around an utterance; each is a switch in the Live view. */
export const SessionOptionsSchema = z
  .object({
    output: OutputModeSchema,
    /** Keep the full stop at the end of a dictation (off: "send it" rather than "Send it."). */
    keepTrailingPeriod: z.boolean(),
    /** Window classes or title words never typed into (see DEFAULT_EXCLUDED_APPS). */
    excludedApps: z.array(z.string().trim().min(1).max(100)).max(100),
    /** Terminals are excluded unless allowed: typed text there runs as a command. */
    typeIntoTerminals: z.boolean(),
    /** A short tone when the wake word is heard, so the user knows recording began. */
    cueSound: z.boolean(),
    /** Keep each utterance's audio as a WAV file beside the history (pruned under a size cap). */
    retainAudio: z.boolean(),
    /** Kept recordings together stay under this (MiB): the oldest go first. */
    recordingsCapMb: z.number().int().min(16).max(65_536),
    /** The global push-to-talk toggle (an Electron accelerator); null: none. */
    toggleShortcut: z
      .string()
      .max(100)
      .superRefine((shortcut, context) => {
        const check = checkAccelerator(shortcut);
        if (!check.ok) context.addIssue({ code: 'custom', message: check.reason });
      })
      .nullable(),
    /** Hold to talk from any app: a key, or a chord of two, by name (`RightCtrl`, `Ctrl+Space`); null: none. */
    holdKey: z
      .string()
      .max(40)
      .superRefine((key, context) => {
        try {
          parseHoldKey(key);
        } catch (error) {
          context.addIssue({ code: 'custom', message: (error as Error).message });
        }
      })
      .nullable(),
    /** A hold shorter than this (ms) is a tap: ignored, so a brush of the key makes no utterance. */
    holdTapMs: z.number().int().min(0).max(2000),
  })
  .strict();
export type SessionOptions = z.infer<typeof SessionOptionsSchema>;

export const DEFAULT_SESSION_OPTIONS: SessionOptions = {
  output: 'paste',
  keepTrailingPeriod: true,
  excludedApps: [...DEFAULT_EXCLUDED_APPS],
  typeIntoTerminals: false,
  cueSound: true,
  retainAudio: false,
  recordingsCapMb: 256,
  toggleShortcut: 'CommandOrControl+Shift+Space',
  holdKey: 'RightCtrl',
  holdTapMs: DEFAULT_TAP_MS,
};

/**
 * When the Monitor raises an alert. Each is raised once, with what to do, and cleared when the
 * condition ends. Low system memory also relieves it: the worker empties its encoder cache and
 * unloads the models the active profile does not use.
 */
export const AlertThresholdsSchema = z
  .object({
    /** The inference worker's resident memory above this (MiB). */
    workerMemoryMb: z.number().int().min(16).max(1_048_576),
    /** The system's available memory below this (MiB). */
    systemAvailableMb: z.number().int().min(0).max(1_048_576),
    /** Earshot's processes together above this (% of one core) for `cpuSustainSeconds`. */
    cpuPercent: z.number().int().min(1).max(25_600),
    cpuSustainSeconds: z.number().int().min(1).max(900),
    /** Push-to-talk release → final, p95 over the last 10 minutes, above this (ms). */
    releaseToFinalP95Ms: z.number().int().min(10).max(60_000),
  })
  .strict();
export type AlertThresholds = z.infer<typeof AlertThresholdsSchema>;

/**
 * Defaults for a 2-core machine with Balanced: the worker with tiny and the wake words keeps
 * ~260 MiB and with base ~450 MiB; release → final is ~0.4 s p95 idle and ~1.4 s beside two busy
 * processes (README), so 1.5 s means the machine is too busy for the profile.
 */
export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  workerMemoryMb: 1024,
  systemAvailableMb: 400,
  cpuPercent: 150,
  cpuSustainSeconds: 30,
  releaseToFinalP95Ms: 1500,
};

/**
 * The Prometheus endpoint of the app's own (`GET /metrics` and `/metrics.json` on 127.0.0.1:port),
 * off by default. Its token is made when it is first turned on and kept, so a scraper's config
 * stays valid across restarts (`earshot serve` answers on its own port with its run's token).
 */
export const MetricsEndpointSettingsSchema = z
  .object({
    enabled: z.boolean(),
    port: z.number().int().min(1024).max(65535),
    token: z
      .string()
      .regex(/^[A-Za-z0-9_-]{32}$/)
      .nullable(),
  })
  .strict();
export type MetricsEndpointSettings = z.infer<typeof MetricsEndpointSettingsSchema>;

/** Prometheus exporters' usual neighbourhood; any free port can be set. */
export const DEFAULT_METRICS_ENDPOINT: MetricsEndpointSettings = { enabled: false, port: 9464, token: null };

/** How the app itself behaves: its look, and (in the desktop app) how it starts. */
export const AppPreferencesSchema = z
  .object({
    /** `system` follows the desktop's light or dark setting. */
    theme: z.enum(['system', 'light', 'dark']),
    /** Start Earshot when the user logs in (the desktop app; `app.setLoginItemSettings`). */
    startAtLogin: z.boolean(),
    /** Start in the tray, without showing the window. */
    startHidden: z.boolean(),
    /** The first-run setup was finished or skipped (it opens on start until then). */
    setupDone: z.boolean(),
  })
  .strict();
export type AppPreferences = z.infer<typeof AppPreferencesSchema>;
export const DEFAULT_APP_PREFERENCES: AppPreferences = {
  theme: 'system',
  startAtLogin: false,
  startHidden: false,
  setupDone: false,
};

export const SettingsSchema = z
  .object({
    version: z.literal(SETTINGS_VERSION),
    activeProfileId: z.string().min(1),
    audio: z
      .object({
        /** The user's microphone (stable id: host API + name); null picks the lowest-latency input. */
        deviceId: z.string().min(1).nullable(),
      })
      .strict(),
    wake: z
      .object({
        /** Active wake words, by model name without version (`hey_jarvis`, `alexa`, …); empty: push-to-talk only. */
        keywords: z
          .array(z.string().regex(/^[a-z0-9_]+$/))
          .max(8)
          .refine((k) => new Set(k).size === k.length, 'keywords must not repeat'),
      })
      .strict(),
    session: SessionOptionsSchema,
    monitoring: z.object({ alerts: AlertThresholdsSchema, endpoint: MetricsEndpointSettingsSchema }).strict(),
    commands: CommandSettingsSchema,
    app: AppPreferencesSchema,
    /** The user's own profiles (presets are in the code, never in the file). */
    profiles: z
      .object({
        custom: z
          .array(CustomProfileSchema)
          .max(MAX_CUSTOM_PROFILES)
          .refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'profile ids must not repeat'),
      })
      .strict(),
  })
  .strict();

/** One wake word is active out of the box: every extra keyword adds false accepts. */
export const DEFAULT_WAKE_KEYWORDS = ['hey_jarvis'];

export type Settings = z.infer<typeof SettingsSchema>;

export function defaultSettings(): Settings {
  return {
    version: SETTINGS_VERSION,
    activeProfileId: DEFAULT_PROFILE_ID,
    audio: { deviceId: null },
    wake: { keywords: [...DEFAULT_WAKE_KEYWORDS] },
    session: { ...DEFAULT_SESSION_OPTIONS },
    monitoring: { alerts: { ...DEFAULT_ALERT_THRESHOLDS }, endpoint: { ...DEFAULT_METRICS_ENDPOINT } },
    commands: structuredClone(DEFAULT_COMMAND_SETTINGS),
    profiles: { custom: [] },
    app: { ...DEFAULT_APP_PREFERENCES },
  };
}

/** `migrations[n]` turns a version-n object into a version-(n+1) object. */
export type Migration = (old: Record<string, unknown>) => Record<string, unknown>;

/** Everything that defines the stored format; a test can pass a future model to exercise migration. */
export interface SettingsModel {
  version: number;
  schema: z.ZodType<Settings>;
  migrations: Readonly<Record<number, Migration>>;
  defaults(): Settings;
}

export const SETTINGS_MODEL: SettingsModel = {
  version: SETTINGS_VERSION,
  schema: SettingsSchema,
  migrations: {
    // v2 adds the microphone choice; existing users start on automatic selection.
    1: (old) => ({ ...old, audio: { deviceId: null } }),
    // v3 adds the active wake words.
    2: (old) => ({ ...old, wake: { keywords: [...DEFAULT_WAKE_KEYWORDS] } }),
    // v4 adds the voice session's options.
    3: (old) => ({ ...old, session: { ...DEFAULT_SESSION_OPTIONS } }),
    // v5 adds the Monitor's alert thresholds.
    4: (old) => ({ ...old, monitoring: { alerts: { ...DEFAULT_ALERT_THRESHOLDS } } }),
    // v6 adds the app's own Prometheus endpoint, off.
    5: (old) => ({
      ...old,
      monitoring: { ...(old.monitoring as object), endpoint: { ...DEFAULT_METRICS_ENDPOINT } },
    }),
    // v7 adds the hold key (Right Ctrl, as the peers do).
    6: (old) => ({
      ...old,
      session: { ...(old.session as object), holdKey: DEFAULT_SESSION_OPTIONS.holdKey, holdTapMs: DEFAULT_TAP_MS },
    }),
    // v8 puts text where the cursor is. "Copy transcripts" becomes the clipboard output; an existing
    // user who did not copy keeps the history only (new installs paste): nothing starts typing
    // into their apps unasked.
    7: (old) => {
      const { copyToClipboard, ...session } = old.session as { copyToClipboard?: unknown };
      return {
        ...old,
        session: {
          ...session,
          output: copyToClipboard === true ? 'clipboard' : 'history',
          keepTrailingPeriod: true,
          excludedApps: [...DEFAULT_EXCLUDED_APPS],
          typeIntoTerminals: false,
        },
      };
    },
    // v9 adds voice commands: the built-in ones, no user commands yet, programs off.
    8: (old) => ({ ...old, commands: structuredClone(DEFAULT_COMMAND_SETTINGS) }),
    // v10 keeps the user's own profiles; there are none yet.
    9: (old) => ({ ...old, profiles: { custom: [] } }),
    // v11 adds the app's look and start-up (as before: the system's theme, started by the user, shown).
    10: (old) => ({ ...old, app: { theme: 'system', startAtLogin: false, startHidden: false } }),
    // v12 makes the recordings' cap a setting (it was 256 MB) and adds the first-run setup, which
    // someone who already used Earshot has no need of.
    11: (old) => ({
      ...old,
      session: { ...(old.session as object), recordingsCapMb: 256 },
      app: { ...(old.app as object), setupDone: true },
    }),
    // v13 scores the wake word at several phases of the frame grid (profile `wake.phases`); the
    // user's profiles get what the preset they came from now has.
    12: (old) => {
      const profiles = old.profiles as { custom: { basedOn: string; wake: object }[] };
      return {
        ...old,
        profiles: {
          ...profiles,
          custom: profiles.custom.map((p) => ({
            ...p,
            wake: { ...p.wake, phases: findPreset(p.basedOn)?.wake.phases ?? 1 },
          })),
        },
      };
    },
  },
  defaults: defaultSettings,
};

export type MigrationOutcome = { ok: true; settings: Settings; migratedFrom?: number } | { ok: false; reason: string };

/** Brings any stored object up to the model's version and validates it. Never throws. */
export function migrateSettings(raw: unknown, model: SettingsModel = SETTINGS_MODEL): MigrationOutcome {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: 'the file does not hold a settings object' };
  }
  let data = raw as Record<string, unknown>;
  const from = data.version;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) {
    return { ok: false, reason: 'the file has no valid version number' };
  }
  if (from > model.version) {
    return { ok: false, reason: `the file was written by a newer Earshot (settings version ${from})` };
  }
  for (let v = from; v < model.version; v++) {
    const step = model.migrations[v];
    if (!step) return { ok: false, reason: `no migration from settings version ${v}` };
    try {
      data = { ...step(data), version: v + 1 };
    } catch (err) {
      return { ok: false, reason: `migration from version ${v} failed: ${String(err)}` };
    }
  }
  const parsed = model.schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'settings';
    return { ok: false, reason: `invalid value at "${where}": ${issue?.message ?? 'unknown problem'}` };
  }
  return from === model.version
    ? { ok: true, settings: parsed.data }
    : { ok: true, settings: parsed.data, migratedFrom: from };
}
