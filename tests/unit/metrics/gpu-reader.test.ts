// GPU adapters from nvidia-smi's query interface: its CSV (the documented `--format=csv,noheader,nounits` layout, unknown values as "[N/A]") parses into adapters, a missing or failing nvidia-smi means no GPU, and on this machine the reader answers what the machine has.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmiCsv, readNvidiaGpus } from '../../../src/main/metrics/gpu-reader';

const FIXTURE = join(import.meta.dirname, '../../fixtures/nvidia-smi/query-gpu.csv');
const MIB = 2 ** 20;

function hasNvidiaSmi(): boolean {
  try {
    execFileSync('nvidia-smi', ['-L'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('GPU reader', () => {
  it('parses each adapter, with unknown values as null', () => {
    expect(parseNvidiaSmiCsv(readFileSync(FIXTURE, 'utf8'))).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 3060',
        vendor: 'NVIDIA',
        driver: '550.54.14',
        utilizationPercent: 37,
        memoryUsedBytes: 2841 * MIB,
        memoryTotalBytes: 12288 * MIB,
        temperatureC: 54,
      },
      {
        index: 1,
        name: 'Tesla T4',
        vendor: 'NVIDIA',
        driver: '550.54.14',
        utilizationPercent: null,
        memoryUsedBytes: 0,
        memoryTotalBytes: 15360 * MIB,
        temperatureC: null,
      },
    ]);
    expect(parseNvidiaSmiCsv('')).toEqual([]);
  });

  it('finds no GPU when nvidia-smi is missing or fails', async () => {
    expect(await readNvidiaGpus('/nonexistent/nvidia-smi')).toEqual([]);
    expect(await readNvidiaGpus('false')).toEqual([]);
  });

  it('reports what this machine has: none without nvidia-smi, its adapters with it', async () => {
    const gpus = await readNvidiaGpus();
    if (hasNvidiaSmi()) expect(gpus.length).toBeGreaterThan(0);
    else expect(gpus).toEqual([]);
  });
});
