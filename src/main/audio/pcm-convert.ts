import { createResampler, type Resampler, type ResamplerQuality } from './resampler';

/** Little-endian interleaved sample encodings that capture devices deliver. */
export type SampleFormat = 'int16' | 'float32';

/** The rate the inference pipeline consumes. */
export const OUTPUT_SAMPLE_RATE = 16000;

const BYTES_PER_SAMPLE: Readonly<Record<SampleFormat, number>> = { int16: 2, float32: 4 };

// One-word scratch for reinterpreting four bytes as a float32 without a DataView per call.
// Assembling the word with shifts makes this independent of the platform's byte order.
const wordBits = new Uint32Array(1);
const wordFloat = new Float32Array(wordBits.buffer);

/**
 * Averages the channels of interleaved little-endian PCM into mono float32 in [-1, 1]
 * (int16 scaled by 1/32768) and returns the number of frames written to `out`. Trailing bytes
 * that do not make a whole frame are ignored. Reads bytes, not typed-array views, because
 * Buffers from native code can sit at an odd `byteOffset`.
 */
export function downmixToMono(input: Uint8Array, format: SampleFormat, channels: number, out: Float32Array): number {
  checkChannels(channels);
  const frames = Math.floor(input.length / (channels * BYTES_PER_SAMPLE[format]));
  if (out.length < frames) throw new RangeError(`output holds ${out.length} frames, ${frames} needed`);
  decodeFrames(input, 0, frames, format, channels, out, 0);
  return frames;
}

function decodeFrames(
  input: Uint8Array,
  byteStart: number,
  frames: number,
  format: SampleFormat,
  channels: number,
  out: Float32Array,
  outStart: number,
): void {
  let b = byteStart;
  if (format === 'int16') {
    const scale = 1 / (32768 * channels);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++, b += 2) {
        // `<< 16 >> 16` sign-extends the 16-bit value.
        sum += ((input[b]! | (input[b + 1]! << 8)) << 16) >> 16;
      }
      out[outStart + f] = sum * scale;
    }
  } else {
    const scale = 1 / channels;
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++, b += 4) {
        wordBits[0] = input[b]! | (input[b + 1]! << 8) | (input[b + 2]! << 16) | (input[b + 3]! << 24);
        sum += wordFloat[0]!;
      }
      out[outStart + f] = sum * scale;
    }
  }
}

function checkChannels(channels: number): void {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channels must be ≥ 1, got ${channels}`);
}

/** A capture stream's format (the shape of `StreamFormat`, so it can be spread in) plus a quality. */
export interface AudioConverterOptions {
  /** Device rate in Hz. */
  sampleRate: number;
  channels: number;
  sampleFormat: SampleFormat;
  quality: ResamplerQuality;
}

/**
 * Device PCM → 16 kHz mono float32, chunk by chunk: downmix, then a streaming resampler.
 * Buffers are kept and grow only when a larger chunk arrives, so a steady stream allocates
 * nothing. A chunk that ends mid-frame is fine: the partial frame waits for the next chunk
 * rather than shifting every later sample onto the wrong channel.
 */
export class AudioConverter {
  readonly outputRate = OUTPUT_SAMPLE_RATE;
  private readonly resampler: Resampler;
  private readonly frameBytes: number;
  private mono = new Float32Array(0);
  /** Bytes of an incomplete frame left over from the previous chunk. */
  private readonly pending: Uint8Array;
  private pendingBytes = 0;

  readonly options: Readonly<AudioConverterOptions>;

  constructor(options: Readonly<AudioConverterOptions>) {
    // A copy, so a caller reusing its options object cannot change a running converter.
    this.options = { ...options };
    checkChannels(options.channels);
    if (!(options.sampleFormat in BYTES_PER_SAMPLE)) {
      throw new RangeError(`unknown sample format: ${options.sampleFormat}`);
    }
    this.frameBytes = options.channels * BYTES_PER_SAMPLE[options.sampleFormat];
    this.pending = new Uint8Array(this.frameBytes);
    this.resampler = createResampler(options.sampleRate, OUTPUT_SAMPLE_RATE, options.quality);
  }

  get quality(): ResamplerQuality {
    return this.options.quality;
  }

  /** Converts the next chunk; the result is a view valid until the next `convert` or `reset`. */
  convert(chunk: Uint8Array): Float32Array {
    const { sampleFormat: format, channels } = this.options;
    const frameBytes = this.frameBytes;
    let byte = 0;
    let frames = 0;
    const maxFrames = Math.floor((this.pendingBytes + chunk.length) / frameBytes);
    if (this.mono.length < maxFrames) this.mono = new Float32Array(maxFrames);

    if (this.pendingBytes > 0) {
      const take = Math.min(frameBytes - this.pendingBytes, chunk.length);
      for (; byte < take; byte++) this.pending[this.pendingBytes + byte] = chunk[byte]!;
      this.pendingBytes += take;
      if (this.pendingBytes < frameBytes) return this.resampler.process(this.mono, 0);
      decodeFrames(this.pending, 0, 1, format, channels, this.mono, 0);
      this.pendingBytes = 0;
      frames = 1;
    }

    const whole = Math.floor((chunk.length - byte) / frameBytes);
    decodeFrames(chunk, byte, whole, format, channels, this.mono, frames);
    frames += whole;
    byte += whole * frameBytes;
    for (; byte < chunk.length; byte++) this.pending[this.pendingBytes++] = chunk[byte]!;

    return this.resampler.process(this.mono, frames);
  }

  /** Drops resampler history and any partial frame, e.g. between two recordings. */
  reset(): void {
    this.pendingBytes = 0;
    this.resampler.reset();
  }
}
