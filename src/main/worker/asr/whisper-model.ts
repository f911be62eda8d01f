import { readFileSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';
import { onnxRuntime, openSession, type ModelLoader } from '../models/model-loader';
import { quantizedHeadDecoderModel } from './decoder-head';
import { rowQuantizedDecoderModel } from './row-quantization';
import { windowedEncoderModel, WHISPER_WINDOW_FRAMES } from './encoder-window';
import { WHISPER_MELS } from './log-mel';
import { WhisperDecoder, type WhisperDims } from './whisper-decoder';
import type { WhisperModelInfo } from './whisper-registry';
import { loadWhisperTokenizer, type WhisperTokenizer } from './whisper-tokenizer';

export interface WhisperModelOptions {
  threads: number;
  /**
   * Edit the encoder so that it runs on windows shorter than 30 s (`encoder-window.ts`). When the
   * graph is not the expected one, the model still loads with the full window (`fitted` false).
   */
  fitWindow: boolean;
}

/** A loaded Whisper model: verified files, ONNX sessions, tokenizer and sizes. */
export class WhisperModel {
  readonly decoder: WhisperDecoder;

  private constructor(
    readonly info: WhisperModelInfo,
    readonly tokenizer: WhisperTokenizer,
    private readonly encoder: InferenceSession,
    decoder: InferenceSession,
    readonly dims: WhisperDims,
    /** The encoder accepts windows shorter than 3000 frames. */
    readonly fitted: boolean,
    /**
     * The decoder quantizes each token on its own (row-quantization.ts), so a run over many tokens
     * gives each the logits it would get alone: drafts can be checked in one run.
     */
    readonly rowsIndependent: boolean,
  ) {
    this.decoder = new WhisperDecoder(onnxRuntime(), decoder, dims);
  }

  /** Verifies every pinned file (sha256) before ONNX Runtime or the tokenizer reads it. */
  static async load(info: WhisperModelInfo, loader: ModelLoader, options: WhisperModelOptions): Promise<WhisperModel> {
    const { files } = info;
    const id = (role: string) => `${info.name} ${role}`;
    const remedy =
      info.origin === 'user'
        ? `Add the model again ("earshot models add ${info.dir}") or download it again.`
        : undefined;
    await Promise.all([
      loader.verifyFile(files.tokenizer.path, files.tokenizer.sha256, id('tokenizer'), remedy),
      loader.verifyFile(files.config.path, files.config.sha256, id('config'), remedy),
      loader.verifyFile(files.generation.path, files.generation.sha256, id('generation config'), remedy),
    ]);
    const dims = readDims(files.config.path, info.name);
    const tokenizer = await loadWhisperTokenizer(info.dir);
    const encoderBytes = await loader.readVerified(files.encoder.path, files.encoder.sha256, id('encoder'), remedy);
    let encoderModel: Uint8Array = encoderBytes;
    let fitted = false;
    if (options.fitWindow) {
      try {
        encoderModel = windowedEncoderModel(encoderBytes);
        fitted = true;
      } catch {
        // Not the graph the edit expects (e.g. another export): the full 30 s window still works.
      }
    }
    const decoderBytes = await loader.readVerified(files.decoder.path, files.decoder.sha256, id('decoder'), remedy);
    let decoderModel: Uint8Array = decoderBytes;
    try {
      decoderModel = quantizedHeadDecoderModel(decoderBytes);
    } catch {
      // Another export: the unedited decoder works, only slower.
    }
    let rowsIndependent = false;
    try {
      decoderModel = rowQuantizedDecoderModel(decoderModel);
      rowsIndependent = true;
    } catch {
      // Another export: it decodes as before, without drafts (its rows of one run are not independent).
    }
    const [encoder, decoder] = await Promise.all([
      // The arena only for the decoder: its many small per-token allocations run 5× faster with
      // it, while the encoder's few large ones would keep hundreds of MiB in it after each run.
      openSession(encoderModel, options.threads, false),
      openSession(decoderModel, options.threads, true),
    ]);
    return new WhisperModel(info, tokenizer, encoder, decoder, dims, fitted, rowsIndependent);
  }

  /** Runs the encoder on log-mel features [80 × frames] (frames even; 3000 unless fitted). */
  async encode(features: Float32Array, frames: number): Promise<Tensor> {
    if (!this.fitted && frames !== WHISPER_WINDOW_FRAMES)
      throw new AppError('Internal', `This encoder takes ${WHISPER_WINDOW_FRAMES} frames, not ${frames}.`);
    const ort = onnxRuntime();
    const input = new ort.Tensor('float32', features, [1, WHISPER_MELS, frames]);
    // Only the hidden states: the graph also returns every attention map, which is slow to fetch.
    const out = await this.encoder.run({ input_features: input }, ['last_hidden_state']);
    const hidden = out.last_hidden_state;
    if (!hidden) throw new AppError('Internal', 'The Whisper encoder gave no output.');
    return hidden;
  }

  async release(): Promise<void> {
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }
}

function readDims(configPath: string, name: string): WhisperDims {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new AppError('ModelIntegrityError', `The ${name} config.json does not parse: ${String(error)}`);
  }
  const int = (key: string): number => {
    const value = config[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
      throw new AppError('ModelIntegrityError', `The ${name} config.json has no valid "${key}".`);
    return value;
  };
  const dModel = int('d_model');
  const heads = int('decoder_attention_heads');
  return {
    decoderLayers: int('decoder_layers'),
    decoderHeads: heads,
    headSize: dModel / heads,
    dModel,
    vocabSize: int('vocab_size'),
    maxTargetPositions: int('max_target_positions'),
    maxSourcePositions: int('max_source_positions'),
  };
}
