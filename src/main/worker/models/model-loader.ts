import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';
import { AppError, firstLine } from '../../../shared/errors';
import type { ModelFile } from './model-manifest';
import { applyOnnxRuntimeEnv } from './onnx-runtime-env';

type Ort = typeof OrtModule;
// Not named `require`: bundlers treat that name specially and collide with their own shim.
const requireHere = createRequire(import.meta.url);
let ort: Ort | undefined;

/**
 * onnxruntime-node, loaded once on first use (the worker's only native inference dependency),
 * and the only place that loads it (lint enforces this): its telemetry is turned off first,
 * whichever process this is.
 */
export function onnxRuntime(): Ort {
  if (!ort) {
    applyOnnxRuntimeEnv();
    ort = requireHere('onnxruntime-node') as Ort;
  }
  return ort;
}

/** Where model files are read from: the npm packages by default, or a folder (tests, the user's models). */
export interface ModelSource {
  pathOf(model: ModelFile): string;
}

export const packagedModels: ModelSource = {
  pathOf(model) {
    return join(dirname(requireHere.resolve(`${model.package}/package.json`)), model.path);
  },
};

/** A folder holding model files under their package paths' base names. */
export function modelFolder(dir: string): ModelSource {
  return { pathOf: (model) => join(dir, model.path.split('/').pop() ?? model.path) };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The worker's model files: the packaged ones, or those in EARSHOT_MODEL_DIR (a folder of model
 * files with the same pinned hashes) when it is set.
 */
export function workerModelSource(): ModelSource {
  const dir = process.env.EARSHOT_MODEL_DIR;
  return dir ? modelFolder(dir) : packagedModels;
}

/** What to do about a missing or damaged packaged model file. */
const REINSTALL = 'Reinstall Earshot (npm ci) or restore the file.';

/**
 * Checks a model file against its pinned hash before first use. Verified files are
 * remembered by path, size and modification time, so a file changed on disk is checked again.
 */
export class ModelLoader {
  private readonly verified = new Map<string, string>();

  constructor(private readonly source: ModelSource = packagedModels) {}

  async verify(model: ModelFile): Promise<string> {
    const path = this.source.pathOf(model);
    await this.verifyFile(path, model.sha256, model.id);
    return path;
  }

  /** Checks a file at a known path against its pinned hash (Whisper models resolve their own folders). */
  async verifyFile(path: string, sha256: string, id: string, remedy = REINSTALL): Promise<void> {
    const stamp = fileStamp(path, id, remedy);
    if (this.verified.get(path) === stamp) return;
    checkHash(await sha256File(path), sha256, path, id, remedy);
    this.verified.set(path, stamp);
  }

  /**
   * Reads a whole file and checks the bytes it returns (not a second read) against the pinned
   * hash: for models that are edited in memory before ONNX Runtime sees them.
   */
  async readVerified(path: string, sha256: string, id: string, remedy = REINSTALL): Promise<Uint8Array> {
    fileStamp(path, id, remedy);
    const bytes = await readFile(path);
    checkHash(createHash('sha256').update(bytes).digest('hex'), sha256, path, id, remedy);
    return bytes;
  }

  /** Verifies, then opens an ONNX Runtime session with the profile's thread count. */
  async session(model: ModelFile, threads: number): Promise<InferenceSession> {
    return openSession(await this.verify(model), { threads, name: model.id });
  }
}

/** What the Monitor hears of this thread's model sessions (each thread of the worker sets its own). */
export interface ModelReporter {
  loaded(model: { id: string; model: string; provider: string; bytes: number; ms: number; fallback?: string }): void;
  released(id: string): void;
}

let reporter: ModelReporter | undefined;
let sessionsOpened = 0;

export function reportModels(to: ModelReporter | undefined): void {
  reporter = to;
}

export type Acceleration = 'cpu' | 'auto';

/**
 * The GPU execution provider ONNX Runtime offers on each platform, as onnxruntime-node names it.
 * CUDA's provider library comes with onnxruntime-node's install script (which downloads it, and
 * which Earshot's install does not run: nothing is fetched without the user asking) or with a
 * CUDA-enabled build; without it, `auto` falls back to the CPU and says why.
 */
const GPU_PROVIDER: Partial<Record<NodeJS.Platform, { name: string; label: string }>> = {
  linux: { name: 'cuda', label: 'CUDA' },
  win32: { name: 'dml', label: 'DirectML' },
  darwin: { name: 'coreml', label: 'CoreML' },
};

export interface SessionOptions {
  threads: number;
  /** What the Monitor calls it (a model id, or "whisper-tiny decoder"). */
  name: string;
  /**
   * ONNX Runtime's CPU memory arena. The small wake-word and VAD models run one frame at a time
   * and keep less memory without it (built worker with 3 wake words + VAD: 123 → 121 MiB RSS);
   * Whisper's decoder allocates many intermediates per token and runs 5× slower without it (tiny:
   * 73 → 14 ms a step).
   */
  arena?: boolean;
  /** `auto`: the platform's GPU provider when it loads, else the CPU (the session reports why). */
  acceleration?: Acceleration;
}

/**
 * An ONNX Runtime session from a verified path or verified bytes, reported to the Monitor when it
 * opens and when it is released.
 */
export async function openSession(model: string | Uint8Array, options: SessionOptions): Promise<InferenceSession> {
  const started = performance.now();
  let fallback: string | undefined;
  const gpu = options.acceleration === 'auto' ? GPU_PROVIDER[process.platform] : undefined;
  if (options.acceleration === 'auto' && !gpu) fallback = `ONNX Runtime has no GPU provider on ${process.platform}`;
  if (gpu) {
    try {
      const session = await createSession(model, sessionOptionsFor(options, gpu.name));
      return reported(session, model, options, gpu.name, started);
    } catch (error) {
      fallback = `${gpu.label} could not be used (${firstLine(error).slice(0, 200)})`;
    }
  }
  const session = await createSession(model, sessionOptionsFor(options, 'cpu'));
  return reported(session, model, options, 'cpu', started, fallback);
}

function sessionOptionsFor(options: SessionOptions, provider: string): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    // A provider that cannot load says so in the error; ONNX Runtime's own log of it is noise.
    logSeverityLevel: 3,
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: options.arena ?? false,
    // ONNX Runtime's pool threads spin while waiting for work by default: on a busy machine they
    // burn the cores other processes (and our own other threads) need. Measured with `npm run bench
    // -- live push` beside two busy processes: release → final p50 1.8 s → 0.7 s, WER 38 % → 12 %.
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

function createSession(
  model: string | Uint8Array,
  options: InferenceSession.SessionOptions,
): Promise<InferenceSession> {
  // Two overloads of `create`, not one taking a union.
  return typeof model === 'string'
    ? onnxRuntime().InferenceSession.create(model, options)
    : onnxRuntime().InferenceSession.create(model, options);
}

/** Reports a session to the Monitor, now and once when it is released. */
function reported(
  session: InferenceSession,
  model: string | Uint8Array,
  options: SessionOptions,
  provider: string,
  started: number,
  fallback?: string,
): InferenceSession {
  const id = `${threadId}.${++sessionsOpened}`;
  const bytes = typeof model === 'string' ? statSync(model).size : model.byteLength;
  reporter?.loaded({
    id,
    model: options.name,
    provider,
    bytes,
    ms: performance.now() - started,
    ...(fallback && { fallback }),
  });
  const release = session.release.bind(session);
  // Released once, however many times it is asked: the Monitor's list loses it then.
  let released: Promise<void> | undefined;
  session.release = () => {
    if (!released) {
      reporter?.released(id);
      released = release();
    }
    return released;
  };
  return session;
}

/** Size and modification time, so a file changed on disk is checked again; a missing file is `ModelMissing`. */
function fileStamp(path: string, id: string, remedy: string): string {
  try {
    const stat = statSync(path);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    throw new AppError('ModelMissing', `The model file ${path} (${id}) is missing. ${remedy}`);
  }
}

function checkHash(actual: string, expected: string, path: string, id: string, remedy: string): void {
  if (actual === expected) return;
  throw new AppError(
    'ModelIntegrityError',
    `The model file ${path} (${id}) is damaged or not the expected one: sha256 ${actual}, expected ${expected}. ` +
      remedy,
  );
}
