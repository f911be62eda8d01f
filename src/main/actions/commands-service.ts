import { z } from 'zod';
import {
  CommandsFileSchema,
  type CommandSettings,
  type CommandsFile,
  type CommandsOverview,
  type UserCommand,
} from '../../shared/commands';
import { AppError } from '../../shared/errors';
import type { SettingsService } from '../settings/settings-service';
import { programFingerprint } from './command-actions';
import { BUILT_IN_COMMANDS, confirmProgram } from './voice-commands';

/**
 * The user's voice commands, kept in the settings: listed beside the built-in ones, replaced,
 * imported and exported as JSON, and a program command confirmed once. The desktop window (over
 * IPC) and the CLI both go through it.
 */
export class CommandsService {
  constructor(private readonly settings: SettingsService) {}

  overview(): CommandsOverview {
    return {
      builtIn: BUILT_IN_COMMANDS.map((c) => ({ id: c.id, phrases: [...c.phrases], does: c.does })),
      settings: this.settings.get().commands,
    };
  }

  /** Changes the options or the whole list of user commands (validated by the settings schema). */
  update(patch: Partial<CommandSettings>): CommandsOverview {
    const commands = { ...this.settings.get().commands, ...patch };
    const clash = commands.user.find((c) => BUILT_IN_COMMANDS.some((b) => b.id === c.id));
    if (clash) throw new AppError('InvalidPayload', `"${clash.id}" is the id of a built-in command: choose another.`);
    const ids = commands.user.map((c) => c.id);
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
    if (repeated) throw new AppError('InvalidPayload', `Two commands have the id "${repeated}".`);
    this.settings.update({ commands });
    return this.overview();
  }

  /** Adds the commands of an export file; one with an id already there replaces it. */
  import(text: string): { overview: CommandsOverview; imported: number } {
    let file: CommandsFile;
    try {
      file = CommandsFileSchema.parse(JSON.parse(text));
    } catch (error) {
      const detail =
        error instanceof z.ZodError
          ? `${error.issues[0]?.path.join('.') || 'file'}: ${error.issues[0]?.message}`
          : 'it is not JSON';
      throw new AppError('InvalidPayload', `This is not an Earshot commands file (${detail}).`);
    }
    const incoming = new Map(file.commands.map((c) => [c.id, c]));
    const kept = this.settings.get().commands.user.filter((c) => !incoming.has(c.id));
    return { overview: this.update({ user: [...kept, ...file.commands] }), imported: file.commands.length };
  }

  export(): CommandsFile {
    return { earshotCommands: 1, commands: this.settings.get().commands.user };
  }

  /** Allows a program command's first run (the window's confirmation, or `earshot commands confirm`). */
  confirm(id: string): UserCommand {
    const command = this.settings.get().commands.user.find((c) => c.id === id);
    if (!command) throw new AppError('InvalidPayload', `There is no user command "${id}".`);
    if (command.action.type !== 'run')
      throw new AppError('InvalidPayload', `"${id}" runs no program: it needs no confirmation.`);
    confirmProgram(this.settings, programFingerprint(id, command.action));
    return command;
  }
}
