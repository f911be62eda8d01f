import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../../../../shared/errors';
import {
  entryToJson,
  EXPORT_FORMATS,
  exportHistory,
  formatUtc,
  oneLine,
  type ExportFormat,
} from '../../../history/history-export';
import { HISTORY_TRIGGERS, HistoryStore, type HistoryTrigger } from '../../../history/history-store';
import { historyDbPath } from '../../../settings/config-dir';
import { EXIT_FAILURE, EXIT_OK, integerOption, UsageError, type CliCommand, type CliIo } from '../command';

/** Which options each subcommand takes; any other is a usage error. */
const SUBCOMMAND_OPTIONS: Record<string, readonly string[]> = {
  list: ['search', 'trigger', 'limit', 'json'],
  export: ['format', 'out', 'search', 'trigger'],
  delete: [],
};

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100_000;

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'List, search, export or delete recorded utterances',
  usage: [
    'earshot history [list] [--search TEXT] [--trigger wake|ptt] [--limit N] [--json]',
    'earshot history export --format txt|json|srt [--out FILE] [--search TEXT] [--trigger wake|ptt]',
    'earshot history delete ID',
    '',
    `  list               the newest entries first (default ${DEFAULT_LIMIT}): id, time (UTC), trigger and text`,
    '  --search TEXT      only entries with every word of TEXT; a word ending in * matches a prefix',
    '  --trigger T        only entries opened by the wake word (wake) or push-to-talk (ptt)',
    `  --limit N          at most N entries (1 to ${MAX_LIMIT})`,
    '  --json             {"entries":[{"id","created_at","text","language","trigger","keyword","profile",',
    '                     "device","duration_ms","latency_ms","audio_path"}]}, with "snippet" when searching',
    '  export             every matching entry, oldest first, times in UTC: txt (a line per entry),',
    '                     json (an array as above) or srt (subtitles on a timeline from the first entry)',
    '  --out FILE         write the export to FILE (replaced whole) instead of stdout',
    '  delete ID          delete an entry and its audio file',
    '',
    `The history is ${historyDbPath()} (EARSHOT_HISTORY_DB overrides it).`,
  ].join('\n'),
  options: {
    search: { type: 'string' },
    trigger: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
    format: { type: 'string' },
    out: { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals, io }) {
    const [subcommand = 'list', ...args] = positionals;
    const allowed = SUBCOMMAND_OPTIONS[subcommand];
    if (!allowed) throw new UsageError(`unknown subcommand "${subcommand}" (list, export or delete)`);
    const stray = Object.keys(values).filter((option) => !allowed.includes(option));
    if (stray.length) throw new UsageError(`--${stray[0]} does not apply to "history ${subcommand}"`);

    const trigger = triggerOption(values.trigger);
    const search = values.search as string | undefined;
    let format: ExportFormat | undefined;
    let id: number | undefined;
    if (subcommand === 'delete') {
      if (args.length !== 1 || !/^[1-9]\d{0,15}$/.test(args[0]!)) {
        throw new UsageError('give the id of one entry: history delete ID (see `earshot history`)');
      }
      id = Number(args[0]);
    } else if (args.length) {
      throw new UsageError(`"history ${subcommand}" takes no arguments`);
    }
    if (subcommand === 'export') format = formatOption(values.format);
    const limit = integerOption(values.limit, 'limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;

    const path = historyDbPath();
    const store = HistoryStore.open(path);
    try {
      if (store.recovered) {
        io.err(`warning: ${path} was not a readable database; it was moved to ${store.recovered}`);
        io.err('and a new, empty history was started.');
      }
      if (id !== undefined) {
        if (!store.delete(id)) {
          io.err(`earshot: there is no history entry #${id} (see \`earshot history\`).`);
          return EXIT_FAILURE;
        }
        io.out(`Deleted history entry #${id}.`);
        return EXIT_OK;
      }
      if (format) {
        const entries = store.list({ search, trigger, limit: Number.MAX_SAFE_INTEGER });
        writeExport(exportHistory(entries, format), values.out as string | undefined, io);
        return EXIT_OK;
      }
      const entries = store.list({ search, trigger, limit });
      if (values.json) {
        io.out(JSON.stringify({ entries: entries.map(entryToJson) }));
      } else {
        for (const e of entries) {
          const opened = e.trigger === 'wake' && e.keyword ? `wake: ${e.keyword}` : e.trigger;
          io.out(`#${e.id}  ${formatUtc(e.createdAt)}  [${opened}]  ${oneLine(e.text)}`);
        }
        const total = store.count();
        io.err(
          entries.length
            ? `${entries.length} of ${total} entries in ${path}`
            : `No entries found (${total} in ${path}).`,
        );
      }
      return EXIT_OK;
    } finally {
      store.close();
    }
  },
};

function triggerOption(value: unknown): HistoryTrigger | undefined {
  if (value === undefined) return undefined;
  if (!HISTORY_TRIGGERS.includes(value as HistoryTrigger)) {
    throw new UsageError(`--trigger must be ${HISTORY_TRIGGERS.join(' or ')}, not "${String(value)}"`);
  }
  return value as HistoryTrigger;
}

function formatOption(value: unknown): ExportFormat {
  if (value === undefined) throw new UsageError(`give --format ${EXPORT_FORMATS.join('|')}`);
  if (!EXPORT_FORMATS.includes(value as ExportFormat)) {
    throw new UsageError(`--format must be ${EXPORT_FORMATS.join(', ')}; "${String(value)}" is not one of them`);
  }
  return value as ExportFormat;
}

/** To stdout, or to FILE through a temp file and a rename, so FILE is never left half-written. */
function writeExport(text: string, out: string | undefined, io: CliIo): void {
  if (out === undefined) {
    if (text) io.out(text.replace(/\n$/, ''));
    return;
  }
  const target = resolve(out);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new AppError('Internal', `Could not write ${target}: ${(error as Error).message}`);
  }
  io.err(`Wrote ${target}.`);
}
