import { basename, resolve } from 'node:path';
import { AppError } from '../../../../shared/errors';
import { HUGGING_FACE_URL, type DownloadProgress } from '../../../models/model-downloader';
import { ModelLibrary, REQUIRED_FILES as REQUIRED, type DownloadedModel } from '../../../models/model-library';
import { userModelsDir } from '../../../settings/config-dir';
import { USER_MANIFEST } from '../../../worker/asr/whisper-registry';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIo, type CommandContext } from '../command';

/** Which options each subcommand takes; any other is a usage error. */
const SUBCOMMAND_OPTIONS: Record<string, readonly string[]> = {
  list: ['json'],
  add: ['name'],
  download: ['name', 'revision', 'base-url', 'token', 'json'],
};

/** A percentage line on stderr at most this often, however fast the download goes. */
const PROGRESS_INTERVAL_MS = 500;

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'List Whisper models, add a model folder, or download one from Hugging Face',
  usage: [
    'earshot models [list] [--json]',
    'earshot models add DIR [--name NAME]',
    'earshot models download REPO [--name NAME] [--revision REV] [--base-url URL] [--token TOKEN] [--json]',
    '',
    '  list             every Whisper model: name, origin (package or user), languages, size, licence',
    '                   and folder; problems in the user model folder are printed as warnings',
    '  add DIR          add a Whisper model folder in the transformers.js layout (8-bit ONNX, as in the',
    '                   Xenova/whisper-* repositories). It must hold',
    `                   ${REQUIRED.slice(0, 2).join(', ')},`,
    `                   ${REQUIRED.slice(2, -1).join(', ')} and ${REQUIRED.at(-1)}.`,
    '                   Unless DIR is already in the user model folder, those files and its other *.json',
    '                   and *.txt files are copied into a new folder there.',
    '  download REPO    download a Hugging Face Whisper repo such as Xenova/whisper-tiny.en into the user',
    '                   model folder (the files above, and its tokenizer and preprocessor extras if present)',
    "  --name NAME      the name to use with --model (default: DIR's or REPO's last part, in lower case)",
    '  --revision REV   branch, tag or commit to download (default: main; a commit is reproducible)',
    `  --base-url URL   a Hugging Face mirror (default: $EARSHOT_HF_BASE_URL, else ${HUGGING_FACE_URL})`,
    '  --token TOKEN    access token for gated or private repos (default: $HF_TOKEN)',
    '  --json           list: {"models":[{"name","origin","multilingual","size_bytes","licence","dir"}],',
    '                   "problems":[…],"user_dir"}; download: {"name","dir","repo","revision","size_bytes",',
    '                   "files":[{"path","bytes","sha256","outcome"}]} (errors: {"error":{"code","message"}})',
    '',
    `User models live in ${userModelsDir()} (EARSHOT_MODELS_DIR overrides it), one folder each.`,
    'After adding or downloading, use a model by name: earshot transcribe FILE.wav --model NAME.',
    '',
    'Trust on first use: adding or downloading a model pins the sha256 of each of its files, as they',
    `are at that moment, in ${USER_MANIFEST}. Every file is checked against it before it is loaded,`,
    'so a file that changes later is refused (ModelIntegrityError) until the model is added again.',
    "Hugging Face's hashes of large files cannot be checked offline, so a download pins the bytes that",
    'arrived: download from a source you trust, and name a commit with --revision to know what you got.',
    '',
    'Downloads report progress on stderr; stdout carries only the result. Ctrl-C stops a download,',
    'and running the same command again resumes it where it stopped.',
  ].join('\n'),
  options: {
    json: { type: 'boolean' },
    name: { type: 'string' },
    revision: { type: 'string' },
    'base-url': { type: 'string' },
    token: { type: 'string' },
  },
  allowPositionals: true,
  async run(context) {
    const [subcommand = 'list', ...args] = context.positionals;
    const allowed = SUBCOMMAND_OPTIONS[subcommand];
    if (!allowed) throw new UsageError(`unknown subcommand "${subcommand}" (list, add or download)`);
    const stray = Object.keys(context.values).filter((option) => !allowed.includes(option));
    if (stray.length) throw new UsageError(`--${stray[0]} does not apply to "models ${subcommand}"`);
    if (subcommand === 'list') {
      if (args.length) throw new UsageError('"models list" takes no arguments');
      return list(Boolean(context.values.json), context.io);
    }
    const [target, ...extra] = args;
    if (!target || extra.length) {
      throw new UsageError(
        subcommand === 'add'
          ? 'give one model folder: models add DIR'
          : 'give one repository: models download OWNER/NAME',
      );
    }
    return subcommand === 'add' ? add(target, context) : download(target, context);
  },
};

function list(json: boolean, io: CliIo): number {
  const library = new ModelLibrary(userModelsDir());
  const { models, problems } = library.list();
  if (json) {
    const rows = models.map((m) => ({
      name: m.name,
      origin: m.origin,
      multilingual: m.multilingual,
      size_bytes: m.sizeBytes,
      licence: m.licence,
      dir: m.dir,
    }));
    io.out(JSON.stringify({ models: rows, problems, user_dir: library.userDir }));
  } else {
    const header = ['NAME', 'ORIGIN', 'LANGUAGES', 'SIZE', 'LICENCE', 'FOLDER'];
    const rows = models.map((m) => [
      m.name,
      m.origin,
      m.multilingual ? 'multilingual' : 'English',
      formatBytes(m.sizeBytes),
      m.licence,
      m.dir,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
    for (const row of [header, ...rows]) {
      io.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
    }
    io.out('');
    io.out(`User models: ${library.userDir}`);
  }
  for (const problem of problems) io.err(`warning: ${problem}`);
  return EXIT_OK;
}

async function add(dirArgument: string, { values, io }: CommandContext): Promise<number> {
  const added = await asUsage(() =>
    new ModelLibrary(userModelsDir()).add(dirArgument, values.name as string | undefined),
  );
  io.out(
    added.inPlace
      ? `Added ${added.name} in place: ${added.dir} (${added.files} files, ${formatBytes(added.bytes)}).`
      : `Added ${added.name}: copied ${added.files} files (${formatBytes(added.bytes)}) from ${resolve(dirArgument)} into ${added.dir}.`,
  );
  io.out(`Their sha256 are pinned in ${USER_MANIFEST}; a file changed later is refused until you add the model again.`);
  io.out(`Use it with --model ${added.name}, e.g. earshot transcribe FILE.wav --model ${added.name}`);
  return EXIT_OK;
}

async function download(repo: string, { values, io, stopRequested }: CommandContext): Promise<number> {
  const json = Boolean(values.json);
  const revision = (values.revision as string | undefined) ?? 'main';
  const baseUrl = (values['base-url'] as string | undefined) ?? process.env.EARSHOT_HF_BASE_URL ?? HUGGING_FACE_URL;
  const token = (values.token as string | undefined) ?? (process.env.HF_TOKEN || undefined);
  const library = new ModelLibrary(userModelsDir());
  const request = { repo, revision, baseUrl, token, name: values.name as string | undefined };

  let destination: string | undefined;
  const controller = new AbortController();
  void stopRequested.then(() => controller.abort());
  const fail = (error: unknown): number => {
    const cancelled = controller.signal.aborted;
    if (!(error instanceof AppError) && !cancelled) throw error;
    if (error instanceof AppError && USAGE_CODES.has(error.code)) throw new UsageError(lowerFirst(error.message));
    // Cancelled before the downloader started (while probing), the error is a plain AbortError.
    const reason =
      error instanceof AppError ? error : new AppError('DownloadCancelled', `Downloading ${repo} was cancelled.`);
    if (json) io.out(JSON.stringify({ error: reason.toData() }));
    if (cancelled) {
      io.err('Download cancelled. Run the same command again to resume where it stopped.');
      return EXIT_FAILURE;
    }
    io.err(`earshot: ${reason.message}`);
    const staging = destination ? library.unfinishedDownload(basename(destination)) : undefined;
    if (staging)
      io.err(`The files received so far are kept in ${staging}: run the same command to resume, or delete it.`);
    return EXIT_FAILURE;
  };

  let result: DownloadedModel;
  try {
    result = await library.download(request, {
      signal: controller.signal,
      onProgress: progressPrinter(io),
      progressIntervalMs: PROGRESS_INTERVAL_MS,
      onPlan: (plan) => {
        destination = plan.destination;
        io.err(`Downloading ${repo} (revision ${revision}) from ${baseUrl} into ${plan.destination}`);
        for (const path of plan.skippedOptional) {
          io.err(`  ${path}: not in the repository; skipped (Earshot does not need it)`);
        }
      },
    });
  } catch (error) {
    return fail(error);
  }

  if (json) {
    const files = result.files.map((f) => ({ path: f.path, bytes: f.bytes, sha256: f.sha256, outcome: f.outcome }));
    io.out(JSON.stringify({ name: result.name, dir: result.dir, repo, revision, size_bytes: result.bytes, files }));
  } else {
    const fresh = result.files.some((f) => f.outcome !== 'skipped');
    io.out(
      `${fresh ? 'Downloaded' : 'Already downloaded and verified:'} ${repo} (revision ${revision}) into ${result.dir}: ` +
        `${result.files.length} files, ${formatBytes(result.bytes)}; their sha256 are pinned in ${USER_MANIFEST}.`,
    );
    io.out(`Use it with --model ${result.name}, e.g. earshot transcribe FILE.wav --model ${result.name}`);
  }
  return EXIT_OK;
}

/** The library's naming errors are the command line's usage errors (exit 2). */
const USAGE_CODES = new Set(['InvalidModelName', 'ModelNameTaken']);

async function asUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && USAGE_CODES.has(error.code)) throw new UsageError(lowerFirst(error.message));
    throw error;
  }
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1).replace(/\.$/, '');

/**
 * A line per finished file, and the current file's percentage at most every PROGRESS_INTERVAL_MS
 * (with the overall one once the downloader knows every file's size, i.e. during the last file).
 */
function progressPrinter(io: CliIo): (progress: DownloadProgress) => void {
  let lastLine = performance.now();
  return (p) => {
    const counter = `[${p.fileIndex + 1}/${p.files}]`;
    if (p.state !== 'downloading') {
      const what = p.state === 'skipped' ? 'already there, verified' : 'done';
      io.err(`  ${counter} ${p.file}: ${formatBytes(p.receivedBytes)}, ${what}`);
      return;
    }
    const now = performance.now();
    if (now - lastLine < PROGRESS_INTERVAL_MS) return;
    lastLine = now;
    const file = p.totalBytes
      ? `${percent(p.receivedBytes, p.totalBytes)} of ${formatBytes(p.totalBytes)}`
      : formatBytes(p.receivedBytes);
    const overall = p.overallTotal ? `; overall ${percent(p.overallReceived, p.overallTotal)}` : '';
    io.err(`  ${counter} ${p.file}: ${file}${overall}`);
  };
}

function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function percent(part: number, whole: number): string {
  return `${Math.floor((100 * part) / whole)}%`;
}
