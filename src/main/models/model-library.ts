import { existsSync, readdirSync, statSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../../shared/errors';
import {
  listWhisperModels,
  MODEL_NAME_PATTERN,
  readUserManifest,
  USER_MANIFEST,
  WHISPER_FILES,
  writeUserManifest,
  type WhisperModelInfo,
} from '../worker/asr/whisper-registry';
import { sha256File } from '../worker/models/model-loader';
import {
  downloadModel,
  fileUrl,
  HUGGING_FACE_URL,
  stagingFolderOf,
  type DownloadedFile,
  type DownloadProgress,
} from './model-downloader';

/** Files of a Whisper repo that transformers.js uses and Earshot does not: downloaded when the repo has them. */
export const OPTIONAL_FILES = [
  'preprocessor_config.json',
  'tokenizer_config.json',
  'vocab.json',
  'merges.txt',
  'added_tokens.json',
  'special_tokens_map.json',
  'normalizer.json',
] as const;

export const REQUIRED_FILES: readonly string[] = Object.values(WHISPER_FILES);

/** A Hugging Face repository name such as `Xenova/whisper-tiny.en`. */
export const REPO_PATTERN = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export interface AddedModel {
  name: string;
  dir: string;
  /** The folder was already in the user model folder and was only pinned. */
  inPlace: boolean;
  files: number;
  bytes: number;
}

export interface ModelDownload {
  repo: string;
  /** Default: the repository's last part, in lower case. */
  name?: string;
  /** Default `main`. */
  revision?: string;
  /** Default: Hugging Face. */
  baseUrl?: string;
  token?: string;
}

export interface DownloadedModel {
  name: string;
  dir: string;
  repo: string;
  revision: string;
  bytes: number;
  files: (DownloadedFile & { sha256: string })[];
}

export interface DownloadHooks {
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  progressIntervalMs?: number;
  /** Called once the files to fetch are known, before the first byte (the CLI prints them). */
  onPlan?: (plan: { destination: string; skippedOptional: string[] }) => void;
}

/**
 * The user's Whisper models: list, add a folder, download from Hugging Face or a mirror,
 * delete. Shared by `earshot models` and the Models view, so both pin, name and refuse alike.
 */
export class ModelLibrary {
  readonly userDir: string;

  constructor(userDir: string) {
    this.userDir = resolve(userDir);
  }

  list(): { models: WhisperModelInfo[]; problems: string[] } {
    return listWhisperModels(this.userDir);
  }

  /** Adds a transformers.js-layout folder: copied into the user folder (or pinned in place when it is already there). */
  async add(folder: string, wantedName?: string): Promise<AddedModel> {
    const source = resolve(folder);
    if (!isFolder(source)) {
      throw new AppError(
        'ModelMissing',
        `${source} is not a folder. Give the folder that holds the model's config.json.`,
      );
    }
    const missing = REQUIRED_FILES.filter((file) => !isFile(join(source, file)));
    if (missing.length) {
      throw new AppError(
        'ModelMissing',
        `${source} is not a Whisper model in the transformers.js layout: it has no ${missing.join(', ')}. ` +
          `Earshot needs ${REQUIRED_FILES.join(', ')} (the 8-bit ONNX export of the Xenova/whisper-* repositories).`,
      );
    }
    if (source === this.userDir)
      throw new AppError('InvalidModelName', 'Give a model folder, not the user model folder itself.');
    const name = modelName(wantedName, basename(source));
    // Only the user folder's direct subfolders are models (listWhisperModels); anything else is copied in.
    const inPlace = dirname(source) === this.userDir;
    const destination = inPlace ? source : join(this.userDir, name);
    this.checkNameFree(name, inPlace ? destination : undefined);
    if (!inPlace && existsSync(destination)) {
      throw new AppError(
        'ModelNameTaken',
        `${destination} already exists; choose another name, or remove that folder first.`,
      );
    }
    const files = modelFiles(source);
    if (inPlace) {
      writeUserManifest(destination, { name, files: await hashFiles(destination, files) });
    } else {
      // Assembled in a hidden folder and renamed into place, so the model appears whole with its manifest.
      const staging = join(this.userDir, `.${name}.adding`);
      await rm(staging, { recursive: true, force: true });
      try {
        // dereference: a Hugging Face cache snapshot is a folder of links into its blob store.
        for (const file of files) await cp(join(source, file), join(staging, file), { dereference: true });
        const pinned = await hashFiles(staging, files);
        writeUserManifest(staging, { name, description: `Added from ${source}`.slice(0, 300), files: pinned });
        await rename(staging, destination);
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        throw error;
      }
    }
    const bytes = files.reduce((sum, file) => sum + statSync(join(destination, file)).size, 0);
    return { name, dir: destination, inPlace, files: files.length, bytes };
  }

  /**
   * Downloads a repository into a new model folder and pins what arrived. Stopped through
   * `hooks.signal`, the received bytes stay in a staging folder for the next call to resume
   * (`discard` removes them: the Models view's cancel leaves nothing behind).
   */
  async download(request: ModelDownload, hooks: DownloadHooks = {}): Promise<DownloadedModel> {
    const { repo } = request;
    if (!REPO_PATTERN.test(repo)) {
      throw new AppError(
        'InvalidModelName',
        `"${repo}" is not a Hugging Face repository name such as Xenova/whisper-tiny.en.`,
      );
    }
    const revision = request.revision || 'main';
    const baseUrl = request.baseUrl || HUGGING_FACE_URL;
    if (!/^https?:$/.test(safeUrl(baseUrl)?.protocol ?? '')) {
      throw new AppError('InvalidModelName', `The download address must be an http(s) URL, not "${baseUrl}".`);
    }
    const name = modelName(request.name, repo.split('/').pop() ?? repo);
    const destination = join(this.userDir, name);
    const source = `${repo}@${revision}`;
    this.checkNameFree(name, destination);
    const pins = earlierPins(destination, source);

    await mkdir(this.userDir, { recursive: true });
    const options = { baseUrl, token: request.token, signal: hooks.signal };
    const extras = await presentFiles(OPTIONAL_FILES, repo, revision, options);
    // Small files first, so a wrong repository or revision fails before the large downloads.
    const { encoder, decoder, ...small } = WHISPER_FILES;
    const paths = [...Object.values(small), ...extras, encoder, decoder];
    hooks.onPlan?.({ destination, skippedOptional: OPTIONAL_FILES.filter((p) => !extras.includes(p)) });
    const result = await downloadModel(
      { repo, revision, destination, files: paths.map((path) => ({ path, sha256: pins?.[path] })) },
      {
        ...options,
        ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
        ...(hooks.progressIntervalMs ? { progressIntervalMs: hooks.progressIntervalMs } : {}),
      },
    );

    // The downloader has verified what it was given pins for; everything else is pinned as it arrived.
    const hashes = await hashFiles(
      destination,
      result.files.map((f) => f.path),
    );
    writeUserManifest(destination, {
      name,
      description: `Downloaded from ${baseUrl.replace(/\/+$/, '')}/${repo}, revision ${revision}`.slice(0, 300),
      source,
      files: hashes,
    });
    return {
      name,
      dir: destination,
      repo,
      revision,
      bytes: result.files.reduce((sum, f) => sum + f.bytes, 0),
      files: result.files.map((f) => ({ ...f, sha256: hashes[f.path] ?? '' })),
    };
  }

  /** Removes what an unfinished download of `name` left (its staging folder). */
  async discardDownload(name: string): Promise<void> {
    await rm(stagingFolderOf(join(this.userDir, name)), { recursive: true, force: true });
  }

  /** Where an unfinished download of `name` keeps its bytes, if it left any. */
  unfinishedDownload(name: string): string | undefined {
    const staging = stagingFolderOf(join(this.userDir, name));
    return existsSync(staging) ? staging : undefined;
  }

  /**
   * Checks every pinned file of a model against its hash: undefined when all match, else what
   * is wrong, as a sentence.
   */
  async verify(model: WhisperModelInfo): Promise<string | undefined> {
    for (const file of Object.values(model.files)) {
      if (!isFile(file.path)) return `${file.path} is missing.`;
      if ((await sha256File(file.path)) !== file.sha256) return `${file.path} has changed since it was pinned.`;
    }
    return undefined;
  }

  /**
   * Deletes a user model's folder. Packaged models cannot be deleted, and a model that a profile
   * uses is refused with the profiles' names (switch them to another model first).
   */
  async remove(name: string, usedBy: readonly string[]): Promise<void> {
    const model = this.list().models.find((m) => m.name === name);
    if (!model) throw new AppError('UnknownModel', `There is no Whisper model called "${name}".`);
    if (model.origin === 'package')
      throw new AppError('ModelInUse', `${name} comes with Earshot and cannot be deleted.`);
    if (usedBy.length) {
      throw new AppError(
        'ModelInUse',
        `${name} is used by the profile${usedBy.length > 1 ? 's' : ''} ${usedBy.join(', ')}: choose another model there first.`,
      );
    }
    // Moved aside first, so the model disappears at once and a failed removal leaves no half model.
    const trash = join(this.userDir, `.${name}.deleting`);
    await rm(trash, { recursive: true, force: true });
    await rename(model.dir, trash);
    await rm(trash, { recursive: true, force: true });
  }

  /** Refuses at once a download whose name another model has (the download itself checks again). */
  checkDownloadName(name: string): void {
    this.checkNameFree(name, join(this.userDir, name));
  }

  /**
   * Refuses a name that another model already answers to, except the user model in the folder
   * `reusing` (a folder added again in place, or a download run again).
   */
  private checkNameFree(name: string, reusing: string | undefined): void {
    const taken = this.list().models.find((m) => m.name === name);
    if (!taken || (taken.origin === 'user' && resolve(taken.dir) === reusing)) return;
    throw new AppError(
      'ModelNameTaken',
      `There is already a model called "${name}" (${taken.origin === 'package' ? 'packaged with Earshot' : taken.dir}); choose another name.`,
    );
  }
}

/** The name given, or one made from a folder or repository name that fits the manifest's pattern. */
export function modelName(wanted: string | undefined, fallback: string): string {
  const given = wanted !== undefined && wanted !== '';
  const name = given
    ? wanted
    : fallback
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^[^a-z0-9]+/, '')
        .replace(/-+$/, '');
  if (!MODEL_NAME_PATTERN.test(name)) {
    throw new AppError(
      'InvalidModelName',
      given
        ? `"${name}" is not a model name: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit.`
        : `Cannot make a model name from "${fallback}"; give one.`,
    );
  }
  // resolveWhisperModel reads these as the packaged whisper-tiny and whisper-base.
  if (name === 'tiny' || name === 'base')
    throw new AppError('InvalidModelName', `"${name}" is short for whisper-${name}; choose another name.`);
  return name;
}

/**
 * The hashes pinned by an earlier download of the same repository and revision into `destination`,
 * so that running the download again verifies (and repairs) that model instead of pinning it afresh.
 */
function earlierPins(destination: string, source: string): Record<string, string> | undefined {
  // Without a manifest the earlier run stopped just before writing it; its files are pinned now.
  if (!existsSync(join(destination, USER_MANIFEST))) return undefined;
  const manifest = readUserManifest(destination);
  if (manifest.source !== source) {
    throw new AppError(
      'ModelNameTaken',
      `${destination} already holds a model${manifest.source ? ` from ${manifest.source}` : ''}; choose another name.`,
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
  options: { baseUrl: string; token: string | undefined; signal: AbortSignal | undefined },
): Promise<string[]> {
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const present = await Promise.all(
    paths.map(async (path) => {
      try {
        const url = fileUrl(options.baseUrl, repo, revision, path);
        const response = await fetch(url, {
          method: 'HEAD',
          headers,
          redirect: 'follow',
          signal: options.signal ?? null,
        });
        return response.status !== 404;
      } catch {
        options.signal?.throwIfAborted();
        return true;
      }
    }),
  );
  return paths.filter((_, i) => present[i]);
}

/** The model's files relative to `dir`: the Whisper files, then the folder's other top-level *.json and *.txt. */
function modelFiles(dir: string): string[] {
  const extras = readdirSync(dir)
    .filter((file) => /\.(json|txt)$/.test(file) && !file.startsWith('.') && file !== USER_MANIFEST)
    .filter((file) => !REQUIRED_FILES.includes(file) && isFile(join(dir, file)))
    .sort();
  return [...REQUIRED_FILES, ...extras];
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
