import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../../../../shared/errors';
import {
  downloadModel,
  fileUrl,
  HUGGING_FACE_URL,
  stagingFolderOf,
  type DownloadProgress,
  type ModelDownloadResult,
} from '../../../models/model-downloader';
import { userModelsDir } from '../../../settings/config-dir';
import {
  listWhisperModels,
  MODEL_NAME_PATTERN,
  readUserManifest,
  USER_MANIFEST,
  WHISPER_FILES,
  writeUserManifest,
  type WhisperModelInfo,
} from '../../../worker/asr/whisper-registry';
import { sha256File } from '../../../worker/models/model-loader';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIo, type CommandContext } from '../command';

/** Files of a Whisper repo that transformers.js uses and Earshot does not: downloaded when the repo has them. */
const OPTIONAL_FILES = [
  'preprocessor_config.json',
  'tokenizer_config.json',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
  'special_tokens_map.json',
  'normalizer.json',
] as const;

const REQUIRED: readonly string[] = Object.values(WHISPER_FILES);

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
  const userDir = userModelsDir();
  const { models, problems } = listWhisperModels(userDir);
  if (json) {
    const rows = models.map((m) => ({
      name: m.name,
      origin: m.origin,
      multilingual: m.multilingual,
      size_bytes: m.sizeBytes,
      licence: m.licence,
      dir: m.dir,
    }));
    io.out(JSON.stringify({ models: rows, problems, user_dir: userDir }));
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
    io.out(`User models: ${userDir}`);
  }
  for (const problem of problems) io.err(`warning: ${problem}`);
  return EXIT_OK;
}

async function add(dirArgument: string, { values, io }: CommandContext): Promise<number> {
  const source = resolve(dirArgument);
  const userDir = resolve(userModelsDir());
  if (!isFolder(source)) {
    throw new AppError(
      'ModelMissing',
      `${source} is not a folder. Give the folder that holds the model's config.json.`,
    );
  }
  const missing = REQUIRED.filter((file) => !isFile(join(source, file)));
  if (missing.length) {
    throw new AppError(
      'ModelMissing',
      `${source} is not a Whisper model in the transformers.js layout: it has no ${missing.join(', ')}. ` +
        `Earshot needs ${REQUIRED.join(', ')} (the 8-bit ONNX export of the Xenova/whisper-* repositories).`,
    );
  }
  if (source === userDir) throw new UsageError('give a model folder, not the user model folder itself');
  const name = modelName(values.name, basename(source));
  // Only the user folder's direct subfolders are models (listWhisperModels); anything else is copied in.
  const inPlace = dirname(source) === userDir;
  const destination = inPlace ? source : join(userDir, name);
  checkNameFree(name, inPlace ? destination : undefined, userDir);
  if (!inPlace && existsSync(destination)) {
    throw new UsageError(`${destination} already exists; choose another --name, or remove that folder first`);
  }
  const files = modelFiles(source);

  let pinned: Record<string, string>;
  if (inPlace) {
    pinned = await hashFiles(destination, files);
    writeUserManifest(destination, { name, files: pinned });
  } else {
    // Assembled in a hidden folder and renamed into place, so the model appears whole with its manifest.
    const staging = join(userDir, `.${name}.adding`);
    await rm(staging, { recursive: true, force: true });
    try {
      // dereference: a Hugging Face cache snapshot is a folder of links into its blob store.
      for (const file of files) await cp(join(source, file), join(staging, file), { dereference: true });
      pinned = await hashFiles(staging, files);
      writeUserManifest(staging, { name, description: `Added from ${source}`.slice(0, 300), files: pinned });
      await rename(staging, destination);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  }

  const bytes = files.reduce((sum, file) => sum + statSync(join(destination, file)).size, 0);
  io.out(
    inPlace
      ? `Added ${name} in place: ${destination} (${files.length} files, ${formatBytes(bytes)}).`
      : `Added ${name}: copied ${files.length} files (${formatBytes(bytes)}) from ${source} into ${destination}.`,
  );
  io.out(`Their sha256 are pinned in ${USER_MANIFEST}; a file changed later is refused until you add the model again.`);
  io.out(`Use it with --model ${name}, e.g. earshot transcribe FILE.wav --model ${name}`);
  return EXIT_OK;
}

async function download(repo: string, { values, io, stopRequested }: CommandContext): Promise<number> {
  if (!/^[A-Za-z0-9][\w.-]*\/[\w.-]+$/.test(repo)) {
    throw new UsageError(`"${repo}" is not a Hugging Face repository name such as Xenova/whisper-tiny.en`);
  }
  const json = Boolean(values.json);
  const revision = (values.revision as string | undefined) ?? 'main';
  const baseUrl = (values['base-url'] as string | undefined) ?? process.env.EARSHOT_HF_BASE_URL ?? HUGGING_FACE_URL;
  if (!/^https?:$/.test(safeUrl(baseUrl)?.protocol ?? '')) {
    throw new UsageError(`the download address must be an http(s) URL, not "${baseUrl}"`);
  }
  const token = (values.token as string | undefined) ?? (process.env.HF_TOKEN || undefined);
  const userDir = resolve(userModelsDir());
  const name = modelName(values.name, repo.split('/').pop() ?? repo);
  const destination = join(userDir, name);
  const source = `${repo}@${revision}`;
  checkNameFree(name, destination, userDir);
  const pins = earlierPins(destination, source);

  const controller = new AbortController();
  void stopRequested.then(() => controller.abort());
  const fail = (error: unknown): number => {
    const cancelled = controller.signal.aborted;
    if (!(error instanceof AppError) && !cancelled) throw error;
    // Cancelled before the downloader started (while probing), the error is a plain AbortError.
    const reason =
      error instanceof AppError ? error : new AppError('DownloadCancelled', `Downloading ${repo} was cancelled.`);
    if (json) io.out(JSON.stringify({ error: reason.toData() }));
    if (cancelled) {
      io.err('Download cancelled. Run the same command again to resume where it stopped.');
      return EXIT_FAILURE;
    }
    io.err(`earshot: ${reason.message}`);
    const staging = stagingFolderOf(destination);
    if (existsSync(staging)) {
      io.err(`The files received so far are kept in ${staging}: run the same command to resume, or delete it.`);
    }
    return EXIT_FAILURE;
  };

  let result: ModelDownloadResult;
  try {
    await mkdir(userDir, { recursive: true });
    const options = { baseUrl, token, signal: controller.signal };
    const extras = await presentFiles(OPTIONAL_FILES, repo, revision, options);
    // Small files first, so a wrong repository or revision fails before the large downloads.
    const { encoder, decoder, ...small } = WHISPER_FILES;
    const paths = [...Object.values(small), ...extras, encoder, decoder];
    io.err(`Downloading ${repo} (revision ${revision}) from ${baseUrl} into ${destination}`);
    for (const path of OPTIONAL_FILES.filter((p) => !extras.includes(p))) {
      io.err(`  ${path}: not in the repository; skipped (Earshot does not need it)`);
    }
    result = await downloadModel(
      { repo, revision, destination, files: paths.map((path) => ({ path, sha256: pins?.[path] })) },
      { ...options, onProgress: progressPrinter(io), progressIntervalMs: PROGRESS_INTERVAL_MS },
    );
  } catch (error) {
    return fail(error);
  }

  // The downloader has verified what it was given pins for; everything else is pinned as it arrived.
  const paths = result.files.map((f) => f.path);
  const hashes = await hashFiles(destination, paths);
  writeUserManifest(destination, {
    name,
    description: `Downloaded from ${baseUrl.replace(/\/+$/, '')}/${repo}, revision ${revision}`.slice(0, 300),
    source,
    files: hashes,
  });
  const bytes = result.files.reduce((sum, f) => sum + f.bytes, 0);
  if (json) {
    const files = result.files.map((f) => ({
      path: f.path,
      bytes: f.bytes,
      sha256: hashes[f.path],
      outcome: f.outcome,
    }));
    io.out(JSON.stringify({ name, dir: destination, repo, revision, size_bytes: bytes, files }));
  } else {
    const fresh = result.files.some((f) => f.outcome !== 'skipped');
    io.out(
      `${fresh ? 'Downloaded' : 'Already downloaded and verified:'} ${repo} (revision ${revision}) into ${destination}: ` +
        `${result.files.length} files, ${formatBytes(bytes)}; their sha256 are pinned in ${USER_MANIFEST}.`,
    );
    io.out(`Use it with --model ${name}, e.g. earshot transcribe FILE.wav --model ${name}`);
  }
  return EXIT_OK;
}

/** `--name`, or a name made from a folder or repository name that fits the manifest's pattern. */
function modelName(option: unknown, fallback: string): string {
  const given = typeof option === 'string';
  const name = given
    ? option
    : fallback
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^[^a-z0-9]+/, '')
        .replace(/-+$/, '');
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw new UsageError(
      given
        ? `--name "${name}" is not a model name: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit`
        : `cannot make a model name from "${fallback}"; give one with --name`,
    );
  }
  // resolveWhisperModel reads these as the packaged whisper-tiny and whisper-base.
  if (name === 'tiny' || name === 'base')
    throw new UsageError(`"${name}" is short for whisper-${name}; choose another --name`);
  return name;
}

/**
 * Refuses a name that another model already answers to, except the user model in the folder
 * `reusing` (a folder added again in place, or a download run again).
 */
function checkNameFree(name: string, reusing: string | undefined, userDir: string): void {
  const taken: WhisperModelInfo | undefined = listWhisperModels(userDir).models.find((m) => m.name === name);
  if (!taken || (taken.origin === 'user' && resolve(taken.dir) === reusing)) return;
  throw new UsageError(
    `there is already a model called "${name}" (${taken.origin === 'package' ? 'packaged with Earshot' : taken.dir}); choose another with --name`,
  );
}

/**
 * The hashes pinned by an earlier download of the same repository and revision into `destination`,
 * so that running the command again verifies (and repairs) that model instead of pinning it afresh.
 */
function earlierPins(destination: string, source: string): Record<string, string> | undefined {
  // Without a manifest the earlier run stopped just before writing it; its files are pinned now.
  if (!existsSync(join(destination, USER_MANIFEST))) return undefined;
  const manifest = readUserManifest(destination);
  if (manifest.source !== source) {
    throw new UsageError(
      `${destination} already holds a model${manifest.source ? ` from ${manifest.source}` : ''}; choose another --name`,
    );
  }
  return manifest.files;
}

/**
 * The optional files the server has: a HEAD for each, leaving out only those it answers 404 for
 * (any other failure is left for the download itself to report).
 */
async function presentFiles(
  paths: readonly string[],
  repo: string,
  revision: string,
  options: { baseUrl: string; token: string | undefined; signal: AbortSignal },
): Promise<string[]> {
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const present = await Promise.all(
    paths.map(async (path) => {
      try {
        const url = fileUrl(options.baseUrl, repo, revision, path);
        const response = await fetch(url, { method: 'HEAD', headers, redirect: 'follow', signal: options.signal });
        return response.status !== 404;
      } catch {
        options.signal.throwIfAborted();
        return true;
      }
    }),
  );
  return paths.filter((_, i) => present[i]);
}

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

/** The model's files relative to `dir`: the Whisper files, then the folder's other top-level *.json and *.txt. */
function modelFiles(dir: string): string[] {
  const extras = readdirSync(dir)
    .filter((file) => /\.(json|txt)$/.test(file) && !file.startsWith('.') && file !== USER_MANIFEST)
    .filter((file) => !REQUIRED.includes(file) && isFile(join(dir, file)))
    .sort();
  return [...REQUIRED, ...extras];
}

async function hashFiles(dir: string, files: readonly string[]): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const file of files) hashes[file] = await sha256File(join(dir, file));
  return hashes;
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function percent(part: number, whole: number): string {
  return `${Math.floor((100 * part) / whole)}%`;
}
