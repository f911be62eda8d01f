import { z } from 'zod';

/**
 * Voice commands. A command is a phrase pattern with optional slots (`switch to {profile}
 * profile`, `search the web for {text}`) and an action. Built-in commands drive Earshot itself;
 * user commands (edited in the Commands view, imported and exported as JSON) act on the desktop.
 */

/** Slot types a pattern can use: `{profile}` and `{view}` take known names, `{text}` any words. */
export const SLOT_TYPES = ['profile', 'view', 'text'] as const;
export type SlotType = (typeof SLOT_TYPES)[number];

/** Views a command can open ("open the monitor"), by the word said and the route. */
export const COMMAND_VIEWS = [
  'live',
  'history',
  'profiles',
  'devices',
  'wake words',
  'monitor',
  'models',
  'commands',
  'settings',
  'about',
] as const;

const SLOT = /\{([a-z]+)\}/g;

/** A phrase: words and `{slot}`s, at least one word, each slot a known type at most once. */
export const CommandPhraseSchema = z
  .string()
  .trim()
  .min(1)
  .max(120)
  .superRefine((phrase, context) => {
    const slots = [...phrase.matchAll(SLOT)].map((m) => m[1]!);
    const unknown = slots.find((s) => !(SLOT_TYPES as readonly string[]).includes(s));
    if (unknown)
      context.addIssue({
        code: 'custom',
        message: `{${unknown}} is not a slot: use ${SLOT_TYPES.map((s) => `{${s}}`).join(', ')}`,
      });
    if (new Set(slots).size !== slots.length)
      context.addIssue({ code: 'custom', message: 'a slot can appear only once' });
    if (!/[a-z0-9]/i.test(phrase.replace(SLOT, '')))
      context.addIssue({ code: 'custom', message: 'a phrase needs at least one word besides its slots' });
  });

/** The slots a phrase uses, in order. */
export function phraseSlots(phrase: string): SlotType[] {
  return [...phrase.matchAll(SLOT)].map((m) => m[1] as SlotType);
}

/** A template (URL, argument, JSON body) that may contain the command's `{slot}`s. */
const Template = z.string().max(2000);

export const CommandActionSchema = z.discriminatedUnion('type', [
  /** Opens a web address in the default browser; a slot is URL-encoded where it goes. */
  z
    .object({ type: z.literal('open-url'), url: Template.regex(/^https?:\/\//, 'an http:// or https:// address') })
    .strict(),
  /** Starts an installed application by its desktop entry (`org.gnome.Calculator`) or name. */
  z.object({ type: z.literal('launch'), app: z.string().trim().min(1).max(200) }).strict(),
  /** Presses a key combination in the focused app (`ctrl+alt+t`). */
  z.object({ type: z.literal('shortcut'), keys: z.string().trim().min(1).max(60) }).strict(),
  /** POSTs JSON to an address on this machine or the local network (a Home Assistant webhook); slots go in as JSON strings. */
  z
    .object({
      type: z.literal('webhook'),
      url: Template.regex(/^https?:\/\//, 'an http:// or https:// address'),
      body: Template,
    })
    .strict(),
  /** Runs a program with arguments, never through a shell: a slot is always inside one argument. */
  z
    .object({ type: z.literal('run'), program: z.string().trim().min(1).max(500), args: z.array(Template).max(32) })
    .strict(),
]);
export type CommandAction = z.infer<typeof CommandActionSchema>;
export type CommandActionType = CommandAction['type'];

export const UserCommandSchema = z
  .object({
    /** Stable id: the history and `listen --json` name a command by it. */
    id: z
      .string()
      .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)
      .max(60),
    phrase: CommandPhraseSchema,
    action: CommandActionSchema,
    enabled: z.boolean(),
  })
  .strict();
export type UserCommand = z.infer<typeof UserCommandSchema>;

/** An export file: the user's commands, versioned so a later Earshot can read an older file. */
export const CommandsFileSchema = z
  .object({ earshotCommands: z.literal(1), commands: z.array(UserCommandSchema).max(200) })
  .strict()
  .refine(
    (file) => new Set(file.commands.map((c) => c.id)).size === file.commands.length,
    'command ids must not repeat',
  );
export type CommandsFile = z.infer<typeof CommandsFileSchema>;

export const CommandSettingsSchema = z
  .object({
    /** Push-to-talk text that starts with this word is a command, not dictation ("command, copy that"). */
    prefix: z.string().trim().min(1).max(30),
    /** How close the words must be to a phrase (0–1; 1 is exact). */
    threshold: z.number().min(0.5).max(1),
    /** Commands that run programs do nothing until this is on. */
    allowPrograms: z.boolean(),
    /** Program commands the user confirmed once, by id and what they run (a changed command asks again). */
    confirmedPrograms: z.array(z.string().max(200)).max(200),
    user: z.array(UserCommandSchema).max(200),
  })
  .strict();
export type CommandSettings = z.infer<typeof CommandSettingsSchema>;

export const DEFAULT_COMMAND_SETTINGS: CommandSettings = {
  prefix: 'command',
  threshold: 0.8,
  allowPrograms: false,
  confirmedPrograms: [],
  user: [],
};

/** The commands as the Commands view shows them: the built-in ones and the settings with the user's. */
export const CommandsOverviewSchema = z
  .object({
    builtIn: z.array(z.object({ id: z.string(), phrases: z.array(z.string()), does: z.string() }).strict()),
    settings: CommandSettingsSchema,
  })
  .strict();
export type CommandsOverview = z.infer<typeof CommandsOverviewSchema>;

/** A program command's first run, waiting for the user's yes or no in the window. */
export const ProgramConfirmationSchema = z
  .object({ requestId: z.string().max(64), command: UserCommandSchema })
  .strict();
export type ProgramConfirmation = z.infer<typeof ProgramConfirmationSchema>;

/** A command as the history keeps it: which ran, with what, and how it went. */
export const CommandRecordSchema = z
  .object({
    /** The command's id, or null when a prefixed phrase matched none. */
    id: z.string().nullable(),
    slots: z.record(z.string(), z.string()),
    ok: z.boolean(),
    message: z.string(),
  })
  .strict();
export type CommandRecord = z.infer<typeof CommandRecordSchema>;

/** What a command did, as the history, the window and `listen --json` report it. */
export const CommandOutcomeSchema = z
  .object({
    /** The command's id (`switch-profile`, a user command's id), or null when nothing matched a prefixed phrase. */
    command: z.string().nullable(),
    slots: z.record(z.string(), z.string()),
    ok: z.boolean(),
    /** What happened, or why not, as a sentence. */
    message: z.string(),
    /** How close the words were (0–1). */
    score: z.number(),
    /** The words that were heard. */
    text: z.string(),
    historyId: z.number().int().nullable(),
  })
  .strict();
export type CommandOutcome = z.infer<typeof CommandOutcomeSchema>;
