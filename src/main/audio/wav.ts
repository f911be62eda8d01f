/**
 * WAV reading and writing for tests, the CLI (`record`, `wake`, `transcribe`) and the WAV
 * test double of the microphone.
 *
 * Written here rather than taken from npm: `node-wav` skips odd-size chunk padding, ignores
 * the EXTENSIBLE sub-format, throws `RangeError`s on truncated or misaligned data and has not
 * been released since 2016; `wavefile` reports every foreign file as "Not a supported
 * format.", reads a truncated data chunk without a word and brings resamplers and codecs we do
 * not need. Neither can say *what* is wrong with a user's file, which is the point here.
 *
 * Decisions: integer PCM is scaled by 2^(bits-1) (so -1 is exact and decode→encode of 16-bit
 * audio is lossless); float samples pass through unchanged, overs included. A data chunk that
 * declares more bytes than the file has is an error, but a trailing partial sample frame is
 * ignored: it cannot be played and every complete frame before it is intact.
 */
import { readFile, writeFile } from 'node:fs/promises';

export type WavEncoding = 'pcm' | 'float';

export interface DecodedWav {
  sampleRate: number;
  channels: number;
  /** Bits per sample as stored (the container size for WAVE_FORMAT_EXTENSIBLE). */
  bitsPerSample: number;
  encoding: WavEncoding;
  /** Sample frames (one sample per channel each). */
  frames: number;
  /** Interleaved, full scale = 1.0. */
  samples: Float32Array<ArrayBuffer>;
}

/** A file that is not a WAV Earshot can read; the message names the file and what to do. */
export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE GUID; bytes 0..1 hold the format tag. */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** Streaming writers that cannot seek back leave one of these as the data size. */
const SIZE_UNKNOWN = new Set([0, 0xffffffff]);

const FORMAT_NAMES: Record<number, string> = {
  2: 'ADPCM',
  6: 'A-law',
  7: 'µ-law',
  0x11: 'IMA ADPCM',
  0x31: 'GSM 6.10',
  0x50: 'MPEG',
  0x55: 'MP3',
  0xff: 'AAC',
};

interface Format {
  tag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/** Decodes a whole WAV file held in memory; `name` is used in error messages. */
export function decodeWav(bytes: Uint8Array, name = 'audio'): DecodedWav {
  function fail(problem: string): never {
    throw new WavFormatError(`${name} ${problem}`);
  }
  if (bytes.length === 0) fail('is empty (0 bytes), not a WAV file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = fourcc(bytes, 0);
  if (riff === 'RIFX' || riff === 'RF64') {
    fail(`is a ${riff} file, which is not supported; save it as a standard (RIFF) WAV`);
  }
  if (bytes.length < 12 || riff !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE')
    fail('is not a WAV file (no RIFF/WAVE header)');

  let format: Format | undefined;
  let data: { start: number; bytes: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = fourcc(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    const present = bytes.length - body;
    if (id === 'data' && !data) {
      if (SIZE_UNKNOWN.has(size)) {
        data = { start: body, bytes: present };
        break;
      }
      if (size > present) {
        fail(`is truncated: the data chunk declares ${size} bytes but only ${present} are present`);
      }
      data = { start: body, bytes: size };
    } else if (id === 'fmt ') {
      if (size < 16 || size > present) fail('has a damaged fmt chunk (too short to describe the audio)');
      format = readFormat(view, bytes, body, size, fail);
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    at = body + size + (size & 1);
  }
  if (!format) fail('has no fmt chunk, so its sample format is unknown');
  if (!data) fail('has no data chunk (no audio)');
  const { tag, channels, sampleRate, bitsPerSample } = format;
  const encoding: WavEncoding = tag === FORMAT_FLOAT ? 'float' : 'pcm';
  const frameBytes = channels * (bitsPerSample / 8);
  const frames = Math.floor(data.bytes / frameBytes);
  const samples = new Float32Array(frames * channels);
  readSamples(view, data.start, samples, encoding, bitsPerSample);
  return { sampleRate, channels, bitsPerSample, encoding, frames, samples };
}

function readFormat(
  view: DataView,
  bytes: Uint8Array,
  at: number,
  size: number,
  fail: (problem: string) => never,
): Format {
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) fail('has a damaged fmt chunk (WAVE_FORMAT_EXTENSIBLE without its sub-format)');
    const guid = at + 24;
    if (SUBTYPE_GUID_TAIL.some((b, i) => bytes[guid + 2 + i] !== b)) {
      fail('uses an unsupported encoding (an unknown WAVE_FORMAT_EXTENSIBLE sub-format); save it as PCM or float WAV');
    }
    tag = view.getUint16(guid, true);
  }
  if (tag !== FORMAT_PCM && tag !== FORMAT_FLOAT) {
    const known = FORMAT_NAMES[tag];
    fail(`uses an unsupported encoding (format ${tag}${known ? `, ${known}` : ''}); save it as PCM or float WAV`);
  }
  const sizes = tag === FORMAT_PCM ? [8, 16, 24, 32] : [32, 64];
  if (!sizes.includes(bitsPerSample)) {
    const kind = tag === FORMAT_PCM ? 'PCM' : 'float';
    fail(`uses an unsupported sample size (${bitsPerSample}-bit ${kind}); save it as 16-bit PCM or 32-bit float WAV`);
  }
  if (channels === 0 || sampleRate === 0) {
    fail(`has a damaged fmt chunk (${channels} channels at ${sampleRate} Hz)`);
  }
  return { tag, channels, sampleRate, bitsPerSample };
}

function readSamples(view: DataView, start: number, out: Float32Array, encoding: WavEncoding, bits: number): void {
  const n = out.length;
  if (encoding === 'float') {
    if (bits === 32) for (let i = 0; i < n; i++) out[i] = view.getFloat32(start + 4 * i, true);
    else for (let i = 0; i < n; i++) out[i] = view.getFloat64(start + 8 * i, true);
    return;
  }
  switch (bits) {
    case 8: // 8-bit WAV is the one unsigned PCM size: silence is 128.
      for (let i = 0; i < n; i++) out[i] = (view.getUint8(start + i) - 128) / 128;
      break;
    case 16:
      for (let i = 0; i < n; i++) out[i] = view.getInt16(start + 2 * i, true) / 32768;
      break;
    case 24:
      for (let i = 0, at = start; i < n; i++, at += 3) {
        const raw = view.getUint8(at) | (view.getUint8(at + 1) << 8) | (view.getUint8(at + 2) << 16);
        out[i] = ((raw << 8) >> 8) / 8388608; // the shifts sign-extend bit 23
      }
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = view.getInt32(start + 4 * i, true) / 2147483648;
  }
}

/** Encodes interleaved samples as 16-bit PCM, clipping to full scale and rounding to nearest. */
export function encodeWav(samples: Float32Array, sampleRate: number, channels = 1): Buffer {
  if (!Number.isSafeInteger(channels) || channels < 1 || channels > 0xffff) {
    throw new RangeError(`channels must be an integer in [1, 65535], got ${channels}`);
  }
  if (!Number.isSafeInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) {
    throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  }
  if (samples.length % channels !== 0) {
    throw new RangeError(`${samples.length} samples do not divide into ${channels} channels`);
  }
  const dataBytes = samples.length * 2;
  if (44 + dataBytes - 8 > 0xffffffff) throw new RangeError('too much audio for one WAV file (4 GiB limit)');
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'latin1');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVEfmt ', 8, 'latin1');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(FORMAT_PCM, 20);
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * channels * 2, 28);
  out.writeUInt16LE(channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'latin1');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) {
    // Scale by 32768 like the decoder, so decode→encode gives back the same bytes; NaN → 0.
    const v = Math.round(samples[i]! * 32768) || 0;
    out.writeInt16LE(v > 32767 ? 32767 : v < -32768 ? -32768 : v, 44 + 2 * i);
  }
  return out;
}

/** Reads and decodes a WAV file; errors name the file as `path` was given. */
export async function decodeWavFile(path: string): Promise<DecodedWav> {
  return decodeWav(await readFile(path), path);
}

/** Writes interleaved samples to `path` as 16-bit PCM WAV. */
export async function writeWavFile(
  path: string,
  samples: Float32Array,
  sampleRate: number,
  channels = 1,
): Promise<void> {
  await writeFile(path, encodeWav(samples, sampleRate, channels));
}

function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}
