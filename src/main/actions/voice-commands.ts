import { COMMAND_VIEWS, type CommandSettings, type UserCommand } from '../../shared/commands';
import type { Trigger } from '../../shared/session';
import type { ProfileService } from '../profiles/profile-service';
import type { SettingsService } from '../settings/settings-service';
import { programFingerprint, runAction, type ActionResult, type SystemOpener } from './command-actions';
import { afterPrefix, matchCommand, type CommandPhrase, type SlotVocabulary } from './command-matcher';
import type { KeySender } from './desktop';

/** Earshot's own commands, each with the ways to say it. */
export const BUILT_IN_COMMANDS: readonly { id: string; phrases: readonly string[]; does: string }[] = [
  {
    id: 'switch-profile',
    phrases: ['switch to {profile} profile', 'switch to {profile}', 'use {profile} profile'],
    does: 'Switches the active profile.',
  },
  { id: 'stop-listening', phrases: ['stop listening', 'go to sleep'], does: 'Stops listening for the wake word.' },
  { id: 'start-listening', phrases: ['start listening', 'wake up'], does: 'Starts listening for the wake word.' },
  {
    id: 'scratch-that',
    phrases: ['scratch that', 'delete that', 'undo that'],
    does: 'Takes back the last dictation: deleted in the app where possible, and in the history.',
  },
  { id: 'copy-that', phrases: ['copy that'], does: 'Copies the last dictation to the clipboard.' },
  {
    id: 'open-view',
    phrases: ['open {view}', 'show {view}', 'open {view} view', 'show me {view}'],
    does: "Opens Earshot's window at a view.",
  },
  { id: 'open-window', phrases: ['open earshot', 'show earshot'], does: "Opens Earshot's window." },
];

/** What was heard as a command: the command (null: a prefixed phrase that matched none) and its slots. */
export interface HeardCommand {
  command: string | null;
  slots: Record<string, string>;
  score: number;
  text: string;
}

/** What the commands act on; the session service and the host give it. */
export interface CommandContext {
  profiles: ProfileService;
  settings: SettingsService;
  listening(): boolean;
  startListening(): Promise<void>;
  stopListening(): Promise<void>;
  takeBackLastDictation(): Promise<ActionResult>;
  copyLastDictation(): Promise<ActionResult>;
  /** Shows Earshot's window at a view (null: as it is); false where this host has no window. */
  showView(view: string | null): boolean;
  /**
   * Asks in the window whether a program command may run (its first run); resolves with the
   * answer. Absent where no window can ask (`listen`): confirm with `earshot commands confirm ID`.
   */
  confirmProgram?(command: UserCommand): Promise<boolean>;
  opener: SystemOpener;
  keys(): KeySender | null;
}

/**
 * Voice commands: which final is a command (after a wake word, any text that says one; with
 * push-to-talk, only text that starts with the command word), and running it. A command's text
 * is never typed into an app.
 */
export class VoiceCommands {
  constructor(private readonly context: CommandContext) {}

  /** The command a final says, or null when it is dictation. */
  recognise(text: string, trigger: Trigger, keyword: string | null): HeardCommand | null {
    const settings = this.settings();
    const phrases = this.phrases(settings);
    const vocabulary = this.vocabulary();
    const prefixed = afterPrefix(text, settings.prefix);
    if (trigger === 'wake') {
      // The pre-roll may have caught the end of the wake phrase ("Jarvis, switch to…").
      const leading = keyword ? keyword.split('_') : [];
      const match = matchCommand(prefixed ?? text, phrases, vocabulary, settings.threshold, leading);
      return match ? { ...match, text } : null;
    }
    if (prefixed === null) return null;
    const match = matchCommand(prefixed, phrases, vocabulary, settings.threshold);
    return match ? { ...match, text } : { command: null, slots: {}, score: 0, text };
  }

  /** Runs what was heard; never throws. */
  async run(heard: HeardCommand): Promise<ActionResult> {
    if (heard.command === null)
      return { ok: false, message: `No command matches "${heard.text.trim()}": nothing was done, and nothing typed.` };
    try {
      return await this.runCommand(heard.command, heard.slots);
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  private async runCommand(id: string, slots: Record<string, string>): Promise<ActionResult> {
    const c = this.context;
    switch (id) {
      case 'switch-profile': {
        const profile = c.profiles.setActive(slots.profile!);
        return { ok: true, message: `Now using the ${profile.name} profile.` };
      }
      case 'stop-listening':
        // After this utterance is done: the session is still finishing it.
        setTimeout(() => void c.stopListening(), 0);
        return { ok: true, message: 'Stopped listening for the wake word.' };
      case 'start-listening':
        if (c.listening()) return { ok: true, message: 'Already listening.' };
        await c.startListening();
        return { ok: true, message: 'Listening for the wake word.' };
      case 'scratch-that':
        return c.takeBackLastDictation();
      case 'copy-that':
        return c.copyLastDictation();
      case 'open-view':
      case 'open-window': {
        const view = slots.view ?? null;
        if (!c.showView(view)) return { ok: false, message: 'There is no Earshot window here to open.' };
        return { ok: true, message: view ? `Opened ${view.replace('-', ' ')}.` : 'Opened Earshot.' };
      }
    }
    const command = this.settings().user.find((u) => u.id === id);
    if (!command) return { ok: false, message: `There is no command "${id}".` };
    if (command.action.type === 'run') {
      const refusal = await this.programRefusal(command);
      if (refusal) return { ok: false, message: refusal };
    }
    return runAction(command.action, slots, { opener: c.opener, keys: c.keys() });
  }

  /** Why a program command may not run now, or null: programs are off, or its first run is not confirmed. */
  private async programRefusal(command: UserCommand): Promise<string | null> {
    if (command.action.type !== 'run') return null;
    const settings = this.settings();
    if (!settings.allowPrograms)
      return `"${command.id}" runs a program, and running programs is off: turn it on in the Commands view.`;
    const fingerprint = programFingerprint(command.id, command.action);
    if (settings.confirmedPrograms.includes(fingerprint)) return null;
    const confirm = this.context.confirmProgram;
    if (!confirm)
      return `"${command.id}" runs ${command.action.program} for the first time: confirm it once in the Commands view, or with \`earshot commands confirm ${command.id}\`.`;
    if (!(await confirm(command))) return `"${command.id}" was not allowed to run ${command.action.program}.`;
    confirmProgram(this.context.settings, fingerprint);
    return null;
  }

  private settings(): CommandSettings {
    return this.context.settings.get().commands;
  }

  private phrases(settings: CommandSettings): CommandPhrase[] {
    return [
      ...BUILT_IN_COMMANDS.flatMap((c) => c.phrases.map((phrase) => ({ command: c.id, phrase }))),
      ...settings.user.filter((u) => u.enabled).map((u) => ({ command: u.id, phrase: u.phrase })),
    ];
  }

  private vocabulary(): SlotVocabulary {
    return {
      profile: this.context.profiles.list().flatMap((p) => [
        { value: p.id, words: p.name },
        { value: p.id, words: p.id },
      ]),
      view: COMMAND_VIEWS.map((view) => ({ value: view.replace(' ', '-'), words: view })),
    };
  }
}

/** Records that a program command's first run was allowed (by the window, or `earshot commands confirm`). */
export function confirmProgram(settings: SettingsService, fingerprint: string): void {
  const commands = settings.get().commands;
  if (commands.confirmedPrograms.includes(fingerprint)) return;
  settings.update({ commands: { ...commands, confirmedPrograms: [...commands.confirmedPrograms, fingerprint] } });
}
