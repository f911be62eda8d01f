import { PIPELINE_SAMPLE_RATE } from '../../shared/audio';
import { AppError } from '../../shared/errors';
import { AudioConverter } from './pcm-convert';
import type { ResamplerQuality } from './resampler';
import { decodeWavFile, WavFormatError } from './wav';

/**
 * A WAV file of any rate, channel count and sample format as 16 kHz mono float32, through the
 * same converter as live capture. A file that is not a readable WAV is an `InvalidAudioFile`.
 */
export async function loadAudioFile(
  path: string,
  quality: ResamplerQuality = 'high',
): Promise<Float32Array<ArrayBuffer>> {
  let wav;
  try {
    wav = await decodeWavFile(path);
  } catch (err) {
    if (err instanceof WavFormatError) throw new AppError('InvalidAudioFile', err.message);
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new AppError('InvalidAudioFile', `${path} does not exist.`);
    throw err;
  }
  if (wav.sampleRate === PIPELINE_SAMPLE_RATE && wav.channels === 1) return wav.samples;
  const converter = new AudioConverter({
    sampleRate: wav.sampleRate,
    channels: wav.channels,
    sampleFormat: 'float32',
    quality,
  });
  const bytes = new Uint8Array(wav.samples.buffer, wav.samples.byteOffset, wav.samples.byteLength);
  return converter.convert(bytes).slice();
}
