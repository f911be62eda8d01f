/**
 * Whisper's log-mel spectrogram, the encoder's `input_features`: what OpenAI Whisper's
 * `log_mel_spectrogram` and Hugging Face's `WhisperFeatureExtractor` compute from 16 kHz mono audio.
 *
 * Each 10 ms frame is a centred STFT frame (reflect padding of n_fft/2 at both ends, the last frame
 * dropped) under a periodic Hann window of 400 samples; its power spectrum goes through 80 Slaney mel
 * filters (0–8 kHz, Slaney area norm, as librosa.filters.mel), then log10(max(mel, 1e-10)). Over the
 * whole output, values below (max − 8) are raised to it, and every value becomes (x + 4) / 4.
 *
 * The FFT: n_fft = 400 = 2⁴·5² and fft.js only transforms powers of two (zero-padding frames to 512
 * would change the frequencies). Bluestein's algorithm turns the 400-point DFT into a circular
 * convolution of length 1024 ≥ 2·400 − 1, i.e. two 1024-point FFTs, exact up to rounding. Frames are
 * real, so two go through one complex transform (one as the real part, one as the imaginary) and are
 * separated by conjugate symmetry, which halves the cost. Frames are paired by position (0 with 1,
 * 2 with 3, …), never by which ones are silent, so skipping silent pairs cannot change any other value.
 */
import FFT from 'fft.js';

export const WHISPER_SAMPLE_RATE = 16000;
export const WHISPER_N_FFT = 400;
/** Samples per output frame (10 ms). */
export const WHISPER_HOP = 160;
export const WHISPER_MELS = 80;
/** Frames in Whisper's 30 s window (480000 samples). */
export const WHISPER_FRAMES = 3000;

const N = WHISPER_N_FFT;
const BINS = N / 2 + 1;
const PAD = N / 2;
/** Bluestein convolution length: the smallest power of two ≥ 2N − 1. */
const CONV = 1024;
const MEL_FLOOR = 1e-10;
/** Whisper keeps 8 decades (80 dB) below the loudest value. */
const DYNAMIC_RANGE = 8;
const MAX_HZ = 8000;

function logMel(mel: number): number {
  return Math.log10(Math.max(mel, MEL_FLOOR));
}

/** What an all-zero frame gives before the max/clamp step (−10). */
const SILENT_LOG = logMel(0);

export interface LogMelOptions {
  /**
   * Answer frames whose whole window is zero without an FFT (default true). The output is
   * bit-identical either way; `false` exists so that tests can prove it.
   */
  skipSilentFrames?: boolean;
}

/** One instance per worker: it holds the window, the mel filters and the FFT scratch, and is not reentrant. */
export class LogMelSpectrogram {
  private readonly skipSilentFrames: boolean;
  private skipped = 0;
  private readonly fft = new FFT(CONV);
  /** Hann window × input chirp e^{−iπn²/N}, interleaved complex. */
  private readonly windowChirp = new Float64Array(2 * N);
  /** Output chirp e^{−iπn²/N}, interleaved complex. */
  private readonly chirp = new Float64Array(2 * N);
  /** FFT of the kernel e^{+iπm²/N} (m = −(N−1)…N−1, wrapped), times 1/CONV for the inverse FFT. */
  private readonly kernel = new Float64Array(2 * CONV);
  /**
   * Sparse mel filters: filter m weighs bins melFirst[m]… with melWeights[melOffset[m] … melOffset[m + 1]).
   * float32, like Whisper's mel_filters.npz and transformers.js's matmul.
   */
  private readonly melFirst = new Int32Array(WHISPER_MELS);
  private readonly melOffset = new Int32Array(WHISPER_MELS + 1);
  private readonly melWeights: Float32Array;

  private readonly frameA = new Float64Array(N);
  private readonly frameB = new Float64Array(N);
  /** Only the first 2N entries are ever written: the rest is the zero padding of the convolution. */
  private readonly input = new Float64Array(2 * CONV);
  private readonly spectrum = new Float64Array(2 * CONV);
  private readonly product = new Float64Array(2 * CONV);
  private readonly dft = new Float64Array(2 * N);
  private readonly powerA = new Float64Array(BINS);
  private readonly powerB = new Float64Array(BINS);

  constructor(options: LogMelOptions = {}) {
    this.skipSilentFrames = options.skipSilentFrames ?? true;
    const kernelTime = new Float64Array(2 * CONV);
    for (let n = 0; n < N; n++) {
      // n² mod 2N keeps the angle small, so the chirp stays accurate for every n.
      const angle = (Math.PI * ((n * n) % (2 * N))) / N;
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N);
      this.chirp[2 * n] = cos;
      this.chirp[2 * n + 1] = -sin;
      this.windowChirp[2 * n] = hann * cos;
      this.windowChirp[2 * n + 1] = -hann * sin;
      kernelTime[2 * n] = cos;
      kernelTime[2 * n + 1] = sin;
      if (n > 0) {
        kernelTime[2 * (CONV - n)] = cos;
        kernelTime[2 * (CONV - n) + 1] = sin;
      }
    }
    this.fft.transform(this.kernel, kernelTime);
    for (let i = 0; i < 2 * CONV; i++) this.kernel[i]! /= CONV;

    const dense = slaneyMelFilters();
    const weights: number[] = [];
    for (let m = 0; m < WHISPER_MELS; m++) {
      const row = dense.subarray(m * BINS, (m + 1) * BINS);
      const first = row.findIndex((w) => w > 0);
      const last = row.findLastIndex((w) => w > 0);
      this.melFirst[m] = Math.max(first, 0);
      if (first >= 0) weights.push(...row.subarray(first, last + 1));
      this.melOffset[m + 1] = weights.length;
    }
    this.melWeights = Float32Array.from(weights);
  }

  /** Frames of the last `compute()` answered without an FFT because their whole window was zero. */
  get skippedFrames(): number {
    return this.skipped;
  }

  /**
   * The log-mel spectrogram of `samples` (16 kHz mono, full scale ±1), zero-padded or trimmed to
   * `frames` × 160 samples: row-major [80, frames], mel bin major, like the encoder's `input_features`.
   * `frames` is 3000 for Whisper's 30 s window; fewer make a shortened window.
   */
  compute(samples: Float32Array, frames: number = WHISPER_FRAMES): Float32Array<ArrayBuffer> {
    // Reflect padding of 200 samples needs at least 201 samples, i.e. two frames.
    if (!Number.isInteger(frames) || frames < 2) {
      throw new RangeError(`frames must be an integer of at least 2, got ${frames}`);
    }
    const span = frames * WHISPER_HOP;
    let end = Math.min(samples.length, span);
    while (end > 0 && samples[end - 1] === 0) end--;

    const out = new Float32Array(WHISPER_MELS * frames);
    let max = -Infinity;
    this.skipped = 0;
    for (let t = 0; t < frames; t += 2) {
      const last = t + 1 === frames;
      if (this.skipSilentFrames && t * WHISPER_HOP - PAD >= end) {
        // Every window from here on lies in the zero tail.
        for (let m = 0; m < WHISPER_MELS; m++) out.fill(SILENT_LOG, m * frames + t, (m + 1) * frames);
        max = Math.max(max, SILENT_LOG);
        this.skipped += frames - t;
        break;
      }
      const soundA = this.loadFrame(this.frameA, samples, t, end, span);
      // An odd last frame is paired with zeros.
      if (last) this.frameB.fill(0);
      const soundB = !last && this.loadFrame(this.frameB, samples, t + 1, end, span);
      if (this.skipSilentFrames && !soundA && !soundB) {
        for (let m = 0; m < WHISPER_MELS; m++) {
          out[m * frames + t] = SILENT_LOG;
          if (!last) out[m * frames + t + 1] = SILENT_LOG;
        }
        max = Math.max(max, SILENT_LOG);
        this.skipped += last ? 1 : 2;
        continue;
      }
      this.powerSpectra();
      max = Math.max(max, this.melColumn(this.powerA, out, t, frames));
      if (!last) max = Math.max(max, this.melColumn(this.powerB, out, t + 1, frames));
    }

    // Like Whisper, the threshold comes from the float32 maximum.
    const threshold = Math.fround(max) - DYNAMIC_RANGE;
    for (let i = 0; i < out.length; i++) out[i] = (Math.max(out[i]!, threshold) + 4) / 4;
    return out;
  }

  /**
   * Copies frame `t`'s 400 samples into `frame`: samples [160t − 200, 160t + 200) of the audio
   * padded or trimmed to `span` samples and reflected at both ends (samples from `end` on are zero).
   * Returns whether any of them is non-zero.
   */
  private loadFrame(frame: Float64Array, samples: Float32Array, t: number, end: number, span: number): boolean {
    const start = t * WHISPER_HOP - PAD;
    let sound = false;
    if (start >= 0 && start + N <= end) {
      for (let j = 0; j < N; j++) {
        const v = samples[start + j]!;
        frame[j] = v;
        if (v !== 0) sound = true;
      }
      return sound;
    }
    for (let j = 0; j < N; j++) {
      let i = start + j;
      if (i < 0) i = -i;
      else if (i >= span) i = 2 * (span - 1) - i;
      const v = i < end ? samples[i]! : 0;
      frame[j] = v;
      if (v !== 0) sound = true;
    }
    return sound;
  }

  /** The power spectra of frameA and frameB (windowed) into powerA and powerB, by one Bluestein transform. */
  private powerSpectra(): void {
    const { frameA, frameB, windowChirp, input, spectrum, product, kernel, chirp, dft, powerA, powerB } = this;
    for (let n = 0; n < N; n++) {
      const a = frameA[n]!;
      const b = frameB[n]!;
      const cr = windowChirp[2 * n]!;
      const ci = windowChirp[2 * n + 1]!;
      input[2 * n] = a * cr - b * ci;
      input[2 * n + 1] = a * ci + b * cr;
    }
    this.fft.transform(spectrum, input);
    // The inverse FFT as conj(FFT(conj(x))): the 1/CONV is already in the kernel.
    for (let k = 0; k < 2 * CONV; k += 2) {
      const sr = spectrum[k]!;
      const si = spectrum[k + 1]!;
      const kr = kernel[k]!;
      const ki = kernel[k + 1]!;
      product[k] = sr * kr - si * ki;
      product[k + 1] = -(sr * ki + si * kr);
    }
    this.fft.transform(spectrum, product);
    for (let n = 0; n < 2 * N; n += 2) {
      const vr = spectrum[n]!;
      const vi = -spectrum[n + 1]!;
      const cr = chirp[n]!;
      const ci = chirp[n + 1]!;
      dft[n] = cr * vr - ci * vi;
      dft[n + 1] = cr * vi + ci * vr;
    }
    // With Z = DFT(a + ib): A[k] = (Z[k] + conj Z[N−k]) / 2 and B[k] = (Z[k] − conj Z[N−k]) / 2i.
    for (let k = 0; k < BINS; k++) {
      const j = k === 0 ? 0 : N - k;
      const zr = dft[2 * k]!;
      const zi = dft[2 * k + 1]!;
      const yr = dft[2 * j]!;
      const yi = dft[2 * j + 1]!;
      const ar = zr + yr;
      const ai = zi - yi;
      const br = zr - yr;
      const bi = zi + yi;
      powerA[k] = (ar * ar + ai * ai) / 4;
      powerB[k] = (br * br + bi * bi) / 4;
    }
  }

  /** Writes log10 of the mel energies of one frame into column `t` of `out`; returns their maximum. */
  private melColumn(power: Float64Array, out: Float32Array, t: number, frames: number): number {
    const { melFirst, melOffset, melWeights } = this;
    let max = -Infinity;
    for (let m = 0; m < WHISPER_MELS; m++) {
      let sum = 0;
      for (let w = melOffset[m]!, k = melFirst[m]!; w < melOffset[m + 1]!; w++, k++) {
        sum += melWeights[w]! * power[k]!;
      }
      const value = logMel(sum);
      out[m * frames + t] = value;
      if (value > max) max = value;
    }
    return max;
  }
}

/** Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above. */
const HZ_PER_MEL = 200 / 3;
const LOG_HZ = 1000;
const LOG_MEL = LOG_HZ / HZ_PER_MEL;
const LOG_STEP = Math.log(6.4) / 27;

function hzToMel(hz: number): number {
  return hz < LOG_HZ ? hz / HZ_PER_MEL : LOG_MEL + Math.log(hz / LOG_HZ) / LOG_STEP;
}

function melToHz(mel: number): number {
  return mel < LOG_MEL ? mel * HZ_PER_MEL : LOG_HZ * Math.exp(LOG_STEP * (mel - LOG_MEL));
}

/**
 * librosa.filters.mel(sr=16000, n_fft=400, n_mels=80, fmax=8000, norm="slaney", htk=False), dense
 * [80, 201]: triangles between mel-spaced edges, each scaled to unit area (2 / its width in Hz).
 */
function slaneyMelFilters(): Float64Array {
  const melMax = hzToMel(MAX_HZ);
  const edges = Float64Array.from({ length: WHISPER_MELS + 2 }, (_, i) => melToHz((melMax * i) / (WHISPER_MELS + 1)));
  const filters = new Float64Array(WHISPER_MELS * BINS);
  for (let m = 0; m < WHISPER_MELS; m++) {
    const [left, centre, right] = [edges[m]!, edges[m + 1]!, edges[m + 2]!];
    const norm = 2 / (right - left);
    for (let k = 0; k < BINS; k++) {
      const hz = (k * WHISPER_SAMPLE_RATE) / N;
      const rising = (hz - left) / (centre - left);
      const falling = (right - hz) / (right - centre);
      filters[m * BINS + k] = Math.max(0, Math.min(rising, falling)) * norm;
    }
  }
  return filters;
}
