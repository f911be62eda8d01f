import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as OrtModule from 'onnxruntime-node';
import type { InferenceSession } from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';
import type { ModelFile } from './model-manifest';

type Ort = typeof OrtModule;
// Not named `require`: bundlers treat that name specially and collide with their own shim.
const requireHere = createRequire(import.meta.url);
let ort: Ort | undefined;

/** onnxruntime-node, loaded once on first use (the worker's only native inference dependency). */
export function onnxRuntime(): Ort {
  ort ??= requireHere('onnxruntime-node') as Ort;
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
 * Checks a model file against its pinned hash before first use. Verified files are
 * remembered by path, size and modification time, so a file changed on disk is checked again.
 */
export class ModelLoader {
  private readonly verified = new Map<string, string>();

  constructor(private readonly source: ModelSource = packagedModels) {}

  async verify(model: ModelFile): Promise<string> {
    const path = this.source.pathOf(model);
    let stamp: string;
    try {
      const stat = statSync(path);
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {
      throw new AppError(
        'ModelMissing',
        `The model file ${path} (${model.id}) is missing. Reinstall Earshot (npm ci) or restore the file.`,
      );
    }
    if (this.verified.get(path) === stamp) return path;
    const actual = await sha256File(path);
    if (actual !== model.sha256) {
      throw new AppError(
        'ModelIntegrityError',
        `The model file ${path} (${model.id}) is damaged or not the expected one: sha256 ${actual}, expected ${model.sha256}. ` +
          'Reinstall Earshot (npm ci) or restore the file.',
      );
    }
    this.verified.set(path, stamp);
    return path;
  }

  /** Verifies, then opens an ONNX Runtime session with the profile's thread count. */
  async session(model: ModelFile, threads: number): Promise<InferenceSession> {
    const path = await this.verify(model);
    return onnxRuntime().InferenceSession.create(path, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Small models run one frame at a time: without the arena each session keeps less memory
      // (built worker with 3 wake words + VAD: 123 → 121 MiB RSS).
      enableCpuMemArena: false,
    });
  }
}
