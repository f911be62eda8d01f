import { readFileSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { AppError } from '../../../shared/errors';
import { onnxRuntime, openSession, type Acceleration, type ModelLoader } from '../models/model-loader';
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
  /** Where its sessions run (the CPU unless said). */
  acceleration?: Acceleration;
}

/**
 * Fitted encoder windows up to this many frames (15 s: utterances up to 12 s and the silent tail)
 * run on a session with ONNX Runtime's memory arena; longer ones on a second session without it,
 * opened when first needed. Without the arena every run takes its activations fresh from the
 * system (the worker's malloc setting maps each large block anew; WORKER_ENV) and pays a page
 * fault per 4 KiB: measured 3.5× slower on tiny's encoder over 5–12 s windows (2.07 s → 0.58 s
 * for 21 runs). The arena keeps the largest window's activations: about 80 MiB for tiny up to
 * 15 s, but it would keep hundreds of MiB after one 30 s window, hence the bound.
 */
export const ARENA_WINDOW_FRAMES = 1500;

/** A loaded Whisper model: verified files, ONNX sessions, tokenizer and sizes. */
export class WhisperModel {
  readonly decoder: WhisperDecoder;
  /** The session without the arena: for windows over ARENA_WINDOW_FRAMES, opened on first use. */
  private plainEncoder: Promise<InferenceSession> | undefined;
  /** The session with the arena (fitted windows up to ARENA_WINDOW_FRAMES), until memory runs low. */
  private arenaEncoder: InferenceSession | undefined;
  /** Runs under way on the arena session: it is released only after them. */
  private readonly arenaRuns = new Set<Promise<unknown>>();

  private constructor(
    readonly info: WhisperModelInfo,
    readonly tokenizer: WhisperTokenizer,
    encoder: InferenceSession,
    /** The encoder's bytes as ONNX Runtime takes them, for the session without the arena. */
    private readonly encoderModel: Uint8Array,
    /** How its sessions were opened (threads, acceleration): the session without the arena opens alike. */
    private readonly sessionOptions: { threads: number; acceleration: Acceleration },
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
    if (fitted) this.arenaEncoder = encoder;
    else this.plainEncoder = Promise.resolve(encoder);
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
      // An unfitted encoder runs 30 s windows only: too large for the arena (ARENA_WINDOW_FRAMES).
      openSession(encoderModel, {
        threads: options.threads,
        arena: fitted,
        name: `${info.name} encoder`,
        acceleration: options.acceleration,
      }),
      // The decoder's many small per-token allocations run 5× faster with the arena.
      openSession(decoderModel, {
        threads: options.threads,
        arena: true,
        name: `${info.name} decoder`,
        acceleration: options.acceleration,
      }),
    ]);
    return new WhisperModel(
      info,
      tokenizer,
      encoder,
      encoderModel,
      { threads: options.threads, acceleration: options.acceleration ?? 'cpu' },
      decoder,
      dims,
      fitted,
      rowsIndependent,
    );
  }

  /** Runs the encoder on log-mel features [80 × frames] (frames even; 3000 unless fitted). */
  async encode(features: Float32Array, frames: number): Promise<Tensor> {
    if (!this.fitted && frames !== WHISPER_WINDOW_FRAMES)
      throw new AppError('Internal', `This encoder takes ${WHISPER_WINDOW_FRAMES} frames, not ${frames}.`);
    const ort = onnxRuntime();
    const input = new ort.Tensor('float32', features, [1, WHISPER_MELS, frames]);
    // Only the hidden states: the graph also returns every attention map, which is slow to fetch.
    let out: InferenceSession.OnnxValueMapType;
    if (this.arenaEncoder && frames <= ARENA_WINDOW_FRAMES) {
      const run = this.arenaEncoder.run({ input_features: input }, ['last_hidden_state']);
      this.arenaRuns.add(run);
      out = await run.finally(() => this.arenaRuns.delete(run));
    } else {
      out = await (await this.openPlainEncoder()).run({ input_features: input }, ['last_hidden_state']);
    }
    const hidden = out.last_hidden_state;
    if (!hidden) throw new AppError('Internal', 'The Whisper encoder gave no output.');
    return hidden;
  }

  /**
   * Gives the encoder's memory arena back (memory is low): every window runs on the session
   * without it from now on, slower (ARENA_WINDOW_FRAMES) until the model is loaded again.
   * Resolves false when there was none. A run under way on the arena finishes first.
   */
  async releaseArena(): Promise<boolean> {
    const arena = this.arenaEncoder;
    if (!arena) return false;
    this.arenaEncoder = undefined; // runs from now on wait for the plain session
    await this.openPlainEncoder();
    await Promise.allSettled(this.arenaRuns); // a run already under way finishes on the arena
    await arena.release();
    return true;
  }

  async release(): Promise<void> {
    const plain = await this.plainEncoder?.catch(() => undefined);
    await Promise.all([this.arenaEncoder?.release(), plain?.release(), this.decoder.release()]);
  }

  private openPlainEncoder(): Promise<InferenceSession> {
    this.plainEncoder ??= openSession(this.encoderModel, {
      ...this.sessionOptions,
      name: `${this.info.name} encoder (no arena)`,
    });
    this.plainEncoder.catch(() => (this.plainEncoder = undefined)); // a failed open is tried again
    return this.plainEncoder;
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
