// WAV decode/encode: round trips, hand-built headers for every supported format, the real recordings, and clear errors for bad files.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWav, decodeWavFile, encodeWav, WavFormatError, writeWavFile } from '../../../src/main/audio/wav';
import { useTempDirs } from '../../support/temp-dir';

/** The shared recordings live beside the repository (../shared), as in CI. */
const AUDIO = fileURLToPath(new URL('../../../../shared/audio', import.meta.url));
const tempDir = useTempDirs();

type Chunk = [id: string, body: Uint8Array, declaredSize?: number];

/** A RIFF/WAVE file from chunks in the order given, padding odd-sized chunks as the spec says. */
function riff(chunks: Chunk[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const [id, body, declared] of chunks) {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(declared ?? body.length, 4);
    parts.push(head, Buffer.from(body), Buffer.alloc(body.length & 1));
  }
  const all = Buffer.concat(parts);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(all.length + 4, 4);
  header.write('WAVE', 8, 'latin1');
  return Buffer.concat([header, all]);
}

function fmt(tag: number, channels: number, rate: number, bits: number): Uint8Array {
  const b = Buffer.alloc(16);
  const block = channels * (bits / 8);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * block, 8);
  b.writeUInt16LE(block, 12);
  b.writeUInt16LE(bits, 14);
  return b;
}

/** WAVE_FORMAT_EXTENSIBLE with the KSDATAFORMAT_SUBTYPE GUID for `subTag` (1 = PCM, 3 = float). */
function fmtExtensible(subTag: number, channels: number, rate: number, bits: number, validBits = bits): Uint8Array {
  const b = Buffer.alloc(40);
  Buffer.from(fmt(0xfffe, channels, rate, bits)).copy(b);
  b.writeUInt16LE(22, 16);
  b.writeUInt16LE(validBits, 18);
  b.writeUInt32LE(channels === 1 ? 4 : 3, 20);
  b.writeUInt16LE(subTag, 24);
  Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]).copy(b, 26);
  return b;
}

const int16 = (...v: number[]) => new Uint8Array(new Int16Array(v).buffer);
const errorOf = (fn: () => unknown): WavFormatError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof WavFormatError) return error;
    throw error;
  }
  throw new Error('expected a WavFormatError');
};

describe('encodeWav → decodeWav', () => {
  it('round-trips mono and stereo audio within one 16-bit step', () => {
    for (const channels of [1, 2]) {
      const samples = new Float32Array(1600 * channels).map((_, i) => 0.8 * Math.sin(i / 7));
      const decoded = decodeWav(encodeWav(samples, 16_000, channels));
      expect(decoded).toMatchObject({ sampleRate: 16_000, channels, bitsPerSample: 16, encoding: 'pcm', frames: 1600 });
      const worst = samples.reduce((m, s, i) => Math.max(m, Math.abs(s - decoded.samples[i]!)), 0);
      expect(worst).toBeLessThanOrEqual(0.5 / 32768 + 1e-7);
    }
  });

  it('clips to full scale and rounds to the nearest step', () => {
    const bytes = encodeWav(new Float32Array([1.5, -2, 0.5, -1, 0.4 / 32768, 0.6 / 32768, -0.6 / 32768, NaN]), 8000);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
    const pcm = Array.from({ length: 8 }, (_, i) => bytes.readInt16LE(44 + 2 * i));
    expect(pcm).toEqual([32767, -32768, 16384, -32768, 0, 1, -1, 0]);
  });

  it('gives back the exact bytes of a 16-bit recording (decode then encode is lossless)', () => {
    const original = readFileSync(join(AUDIO, 'jfk.wav'));
    const reencoded = encodeWav(decodeWav(original, 'jfk.wav').samples, 16_000);
    expect(Buffer.compare(reencoded.subarray(44), original.subarray(original.length - 352_000))).toBe(0);
  });

  it('rejects samples that do not divide into the channels', () => {
    expect(() => encodeWav(new Float32Array(3), 16_000, 2)).toThrow(RangeError);
    expect(() => encodeWav(new Float32Array(2), 0)).toThrow(RangeError);
  });
});

describe('decodeWav on hand-built headers', () => {
  it('8-bit PCM is unsigned around 128', () => {
    const wav = decodeWav(
      riff([
        ['fmt ', fmt(1, 1, 8000, 8)],
        ['data', new Uint8Array([0, 128, 255, 64])],
      ]),
    );
    expect(wav).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 8, encoding: 'pcm', frames: 4 });
    expect(Array.from(wav.samples)).toEqual([-1, 0, 127 / 128, -0.5]);
  });

  it('16-bit PCM', () => {
    const wav = decodeWav(
      riff([
        ['fmt ', fmt(1, 2, 44_100, 16)],
        ['data', int16(-32768, 0, 16384, 32767)],
      ]),
    );
    expect(wav).toMatchObject({ channels: 2, frames: 2, bitsPerSample: 16 });
    expect(Array.from(wav.samples)).toEqual([-1, 0, 0.5, Math.fround(32767 / 32768)]);
  });

  it('24-bit PCM, sign-extended', () => {
    const data = new Uint8Array([0x00, 0x00, 0x80, 0, 0, 0, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x40]);
    const wav = decodeWav(
      riff([
        ['fmt ', fmt(1, 1, 48_000, 24)],
        ['data', data],
      ]),
    );
    expect(wav).toMatchObject({ bitsPerSample: 24, frames: 5 });
    expect(Array.from(wav.samples)).toEqual([-1, 0, Math.fround(8388607 / 8388608), Math.fround(-1 / 8388608), 0.5]);
  });

  it('32-bit PCM', () => {
    const data = new Uint8Array(new Int32Array([-2147483648, 1073741824, 0]).buffer);
    const wav = decodeWav(
      riff([
        ['fmt ', fmt(1, 1, 16_000, 32)],
        ['data', data],
      ]),
    );
    expect(wav).toMatchObject({ bitsPerSample: 32, encoding: 'pcm', frames: 3 });
    expect(Array.from(wav.samples)).toEqual([-1, 0.5, 0]);
  });

  it('32-bit and 64-bit float pass through unchanged, overs included', () => {
    const f32 = decodeWav(
      riff([
        ['fmt ', fmt(3, 1, 16_000, 32)],
        ['data', new Uint8Array(new Float32Array([0.25, -1.5]).buffer)],
      ]),
    );
    expect(f32).toMatchObject({ encoding: 'float', bitsPerSample: 32, frames: 2 });
    expect(Array.from(f32.samples)).toEqual([0.25, -1.5]);
    const f64 = decodeWav(
      riff([
        ['fmt ', fmt(3, 1, 16_000, 64)],
        ['data', new Uint8Array(new Float64Array([0.125, 2]).buffer)],
      ]),
    );
    expect(f64).toMatchObject({ encoding: 'float', bitsPerSample: 64, frames: 2 });
    expect(Array.from(f64.samples)).toEqual([0.125, 2]);
  });

  it('WAVE_FORMAT_EXTENSIBLE with PCM and float sub-formats, 24 valid bits in 32', () => {
    const pcm = decodeWav(
      riff([
        ['fmt ', fmtExtensible(1, 2, 16_000, 16)],
        ['data', int16(16384, -16384)],
      ]),
    );
    expect(pcm).toMatchObject({ encoding: 'pcm', channels: 2, frames: 1 });
    expect(Array.from(pcm.samples)).toEqual([0.5, -0.5]);
    const float = decodeWav(
      riff([
        ['fmt ', fmtExtensible(3, 1, 16_000, 32)],
        ['data', new Uint8Array(new Float32Array([0.75]).buffer)],
      ]),
    );
    expect(float).toMatchObject({ encoding: 'float', frames: 1 });
    expect(Array.from(float.samples)).toEqual([0.75]);
    // 24-bit audio left-justified in 32-bit containers: the low byte is zero.
    const data = new Uint8Array(new Int32Array([0x40000000, -0x80000000]).buffer);
    const packed = decodeWav(
      riff([
        ['fmt ', fmtExtensible(1, 1, 16_000, 32, 24)],
        ['data', data],
      ]),
    );
    expect(Array.from(packed.samples)).toEqual([0.5, -1]);
  });

  it('takes chunks in any order, skips extra chunks and honours odd-size padding', () => {
    const list = new Uint8Array(Buffer.from('INFOISFT\x05\x00\x00\x00Lavf5', 'latin1')); // 17 bytes: padded
    const wav = decodeWav(
      riff([
        ['LIST', list],
        ['data', int16(1000, -1000, 3000)],
        ['fact', new Uint8Array([3, 0, 0, 0])],
        ['junk', new Uint8Array([1, 2, 3])], // odd again, and after the data
        ['fmt ', fmt(1, 1, 22_050, 16)],
      ]),
    );
    expect(wav).toMatchObject({ sampleRate: 22_050, frames: 3 });
    expect(Array.from(wav.samples)).toEqual([1000, -1000, 3000].map((v) => Math.fround(v / 32768)));
  });

  it.each([0, 0xffffffff])('reads a data size of %i (streaming writers) as "to the end of the file"', (size) => {
    const wav = decodeWav(
      riff([
        ['fmt ', fmt(1, 1, 16_000, 16)],
        ['data', int16(100, 200, 300), size],
      ]),
    );
    expect(wav.frames).toBe(3);
    expect(wav.samples[2]).toBeCloseTo(300 / 32768, 8);
  });

  it('ignores a trailing partial sample frame', () => {
    const data = new Uint8Array([...int16(100, -100), 7]); // stereo: one frame and a stray byte
    const wav = decodeWav(
      riff([
        ['fmt ', fmt(1, 2, 16_000, 16)],
        ['data', data, 0xffffffff],
      ]),
    );
    expect(wav.frames).toBe(1);
    expect(wav.samples).toHaveLength(2);
  });

  it('decodes data that starts at an odd byte offset of a larger buffer', () => {
    const file = riff([
      ['fmt ', fmt(1, 1, 16_000, 16)],
      ['data', int16(-16384, 8192)],
    ]);
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    expect(Array.from(decodeWav(shifted.subarray(1)).samples)).toEqual([-0.5, 0.25]);
  });
});

describe('decodeWav on the real recordings', () => {
  it.each([
    ['jfk.wav', 176_000, 11],
    ['alexa_test.wav', 10_000, 0.63],
    ['hey_mycroft_test.wav', 15_232, 0.95],
    ['hey_jane.wav', 37_888, 2.4],
    ['negative_reference.wav', 139_605, 8.7],
  ])('%s is 16 kHz mono 16-bit with %i frames', async (file, frames, seconds) => {
    const wav = await decodeWavFile(join(AUDIO, file));
    expect(wav).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, encoding: 'pcm', frames });
    expect(Math.abs(frames / 16_000 - seconds)).toBeLessThan(0.05);
    const peak = wav.samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    expect(peak).toBeGreaterThan(0.05); // real speech, not silence or garbage scaling
    expect(peak).toBeLessThanOrEqual(1);
  });
});

describe('decodeWav errors', () => {
  const jfk = readFileSync(join(AUDIO, 'jfk.wav'));

  it('names a truncated file and how much of the data is missing', () => {
    const cut = jfk.subarray(0, jfk.length - 352_000 + 1000);
    expect(errorOf(() => decodeWav(cut, 'x.wav')).message).toBe(
      'x.wav is truncated: the data chunk declares 352000 bytes but only 1000 are present',
    );
  });

  it('says an empty file is empty', () => {
    expect(errorOf(() => decodeWav(new Uint8Array(0), 'x.wav')).message).toBe(
      'x.wav is empty (0 bytes), not a WAV file',
    );
  });

  it('says random bytes, text and a header cut short are not WAV files', () => {
    let seed = 7;
    const random = new Uint8Array(4096).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    for (const bytes of [random, new Uint8Array(Buffer.from('hello, world\n')), jfk.subarray(0, 10)]) {
      expect(errorOf(() => decodeWav(bytes, 'x.wav')).message).toBe('x.wav is not a WAV file (no RIFF/WAVE header)');
    }
  });

  it('names the encoding of an ADPCM file and what to convert it to', () => {
    const adpcm = riff([
      ['fmt ', fmt(2, 1, 16_000, 4)],
      ['data', new Uint8Array(256)],
    ]);
    expect(errorOf(() => decodeWav(adpcm, 'x.wav')).message).toBe(
      'x.wav uses an unsupported encoding (format 2, ADPCM); save it as PCM or float WAV',
    );
    const unknown = riff([
      ['fmt ', fmt(0x1234, 1, 16_000, 16)],
      ['data', new Uint8Array(2)],
    ]);
    expect(errorOf(() => decodeWav(unknown, 'y.wav')).message).toBe(
      'y.wav uses an unsupported encoding (format 4660); save it as PCM or float WAV',
    );
  });

  it('explains unsupported sample sizes, missing chunks and big-endian files', () => {
    const cases: [Uint8Array, RegExp][] = [
      [
        riff([
          ['fmt ', fmt(1, 1, 16_000, 12)],
          ['data', new Uint8Array(4)],
        ]),
        /unsupported sample size \(12-bit PCM\)/,
      ],
      [
        riff([
          ['fmt ', fmt(3, 1, 16_000, 16)],
          ['data', new Uint8Array(4)],
        ]),
        /unsupported sample size \(16-bit float\)/,
      ],
      [riff([['data', int16(1, 2)]]), /has no fmt chunk/],
      [riff([['fmt ', fmt(1, 1, 16_000, 16)]]), /has no data chunk/],
      [
        riff([
          ['fmt ', new Uint8Array(8)],
          ['data', int16(1)],
        ]),
        /damaged fmt chunk/,
      ],
      [
        riff([
          ['fmt ', fmt(1, 0, 16_000, 16)],
          ['data', int16(1)],
        ]),
        /damaged fmt chunk \(0 channels/,
      ],
      [new Uint8Array(Buffer.from('RIFX\0\0\0\0WAVE')), /RIFX file, which is not supported/],
    ];
    for (const [bytes, message] of cases) expect(errorOf(() => decodeWav(bytes, 'x.wav')).message).toMatch(message);
  });

  it('names the path when reading a file', async () => {
    const path = join(tempDir(), 'notes.wav');
    await writeFile(path, 'not audio at all');
    await expect(decodeWavFile(path)).rejects.toThrow(`${path} is not a WAV file (no RIFF/WAVE header)`);
    await expect(decodeWavFile(path)).rejects.toBeInstanceOf(WavFormatError);
  });
});

describe('writeWavFile', () => {
  it('writes a file that decodeWavFile reads back', async () => {
    const path = join(tempDir(), 'out.wav');
    const samples = new Float32Array([0, 0.5, -0.5, 0.25]);
    await writeWavFile(path, samples, 16_000, 2);
    const wav = await decodeWavFile(path);
    expect(wav).toMatchObject({ sampleRate: 16_000, channels: 2, frames: 2 });
    expect(Array.from(wav.samples)).toEqual([0, 0.5, -0.5, 0.25]);
  });
});
