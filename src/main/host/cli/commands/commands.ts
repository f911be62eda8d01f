import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CommandsService } from '../../../actions/commands-service';
import { createLogger } from '../../../log';
import { configDir, settingsFilePath } from '../../../settings/config-dir';
import { JsonFileSettingsBackend } from '../../../settings/json-file-backend';
import { SettingsService } from '../../../settings/settings-service';
import { AppError } from '../../../../shared/errors';
import { EXIT_OK, UsageError, type CliCommand } from '../command';

const SUBCOMMANDS = ['list', 'import', 'export', 'confirm', 'programs'] as const;

export const commandsCommand: CliCommand = {
  name: 'commands',
  summary: 'List, import, export and confirm voice commands; allow commands that run programs',
  usage: [
    'earshot commands [list] [--json] [--config-dir DIR]',
    'earshot commands import FILE | export [--out FILE] | confirm ID | programs on|off',
    '',
    '  list          the built-in commands and yours, with their phrases and what they do',
    '  import FILE   adds the commands of an export file (one with the same id is replaced)',
    '  export        your commands as JSON ({"earshotCommands":1,"commands":[…]}), to stdout or --out',
    '  confirm ID    allows a command that runs a program to run (the window asks on its first run)',
    '  programs on   lets commands run programs at all (off by default); off stops them all',
    '',
    'Commands are matched on what Whisper heard: after the wake word, any text that says one; with',
    'push-to-talk, only text that starts with the command word ("command, copy that").',
  ].join('\n'),
  options: { json: { type: 'boolean' }, out: { type: 'string' }, 'config-dir': { type: 'string' } },
  allowPositionals: true,
  run({ values, positionals, io }) {
    const [subcommand = 'list', ...args] = positionals;
    if (!(SUBCOMMANDS as readonly string[]).includes(subcommand))
      throw new UsageError(`unknown subcommand "${subcommand}" (${SUBCOMMANDS.join(', ')})`);
    const expected = subcommand === 'list' || subcommand === 'export' ? 0 : 1;
    if (args.length !== expected)
      throw new UsageError(`"commands ${subcommand}" takes ${expected === 0 ? 'no arguments' : 'one argument'}`);
    const settings = new SettingsService(
      new JsonFileSettingsBackend(settingsFilePath(configDir(values['config-dir'] as string | undefined))),
      createLogger('commands'),
    );
    const commands = new CommandsService(settings);
    try {
      switch (subcommand) {
        case 'list': {
          const overview = commands.overview();
          if (values.json) {
            io.out(JSON.stringify(overview));
            break;
          }
          for (const c of overview.builtIn) io.out(`${c.id.padEnd(18)} "${c.phrases.join('" | "')}"  ${c.does}`);
          for (const c of overview.settings.user)
            io.out(`${c.id.padEnd(18)} "${c.phrase}"  ${c.action.type}${c.enabled ? '' : ' (off)'}`);
          io.err(
            `Command word: "${overview.settings.prefix}"; programs ${overview.settings.allowPrograms ? 'allowed' : 'not allowed'}.`,
          );
          break;
        }
        case 'import': {
          const { imported } = commands.import(readFileSync(resolve(args[0]!), 'utf8'));
          io.out(`Imported ${imported} command${imported === 1 ? '' : 's'}.`);
          break;
        }
        case 'export': {
          const text = JSON.stringify(commands.export(), null, 2) + '\n';
          const out = values.out as string | undefined;
          if (!out) io.out(text.trimEnd());
          else {
            const temp = `${resolve(out)}.${process.pid}.tmp`;
            writeFileSync(temp, text);
            renameSync(temp, resolve(out));
          }
          break;
        }
        case 'confirm': {
          const command = commands.confirm(args[0]!);
          io.out(`"${command.id}" may now run ${command.action.type === 'run' ? command.action.program : ''}.`);
          break;
        }
        case 'programs': {
          const on = args[0];
          if (on !== 'on' && on !== 'off') throw new UsageError('commands programs takes on or off');
          commands.update({ allowPrograms: on === 'on' });
          io.out(on === 'on' ? 'Commands may run programs (each asks once).' : 'Commands may not run programs.');
          break;
        }
      }
    } catch (error) {
      // A file or id that does not fit is the user's to fix: said as usage, with the reason.
      if (error instanceof AppError) throw new UsageError(error.message);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`there is no file ${args[0]}`);
      throw error;
    }
    return Promise.resolve(EXIT_OK);
  },
};
