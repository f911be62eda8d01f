// GPU adapters from nvidia-smi's query interface: its CSV (the documented `--format=csv,noheader,nounits` layout, unknown values as "[N/A]") parses into adapters, a missing or failing nvidia-smi means no GPU, and on this machine the reader answers what the machine has.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Systeminformation } from 'systeminformation';
import {
  adaptersOfOtherVendors,
  GpuReader,
  parseNvidiaSmiCsv,
  readNvidiaGpus,
} from '../../../src/main/metrics/gpu-reader';

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

  it('lists other vendors from systeminformation (no utilisation), after the NVIDIA adapters nvidia-smi reports, and looks them up once a minute', async () => {
    // Controllers as systeminformation documents them (vram in MB): an AMD card, an Intel iGPU
    // sharing system memory, and the NVIDIA card it also sees (read through nvidia-smi instead).
    const controllers: Systeminformation.GraphicsControllerData[] = [
      {
        vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]',
        model: 'Navi 23 [Radeon RX 6600]',
        bus: 'PCIe',
        vram: 8192,
        vramDynamic: false,
      },
      {
        vendor: 'Intel Corporation',
        model: 'Alder Lake-P GT2 [Iris Xe Graphics]',
        bus: 'Onboard',
        vram: 128,
        vramDynamic: true,
      },
      { vendor: 'NVIDIA Corporation', model: 'GA106 [GeForce RTX 3060]', bus: 'PCIe', vram: 12288, vramDynamic: false },
    ];
    expect(adaptersOfOtherVendors(controllers, 2)).toEqual([
      {
        index: 2,
        name: 'Navi 23 [Radeon RX 6600]',
        vendor: 'Advanced Micro Devices, Inc. [AMD/ATI]',
        driver: null,
        utilizationPercent: null,
        memoryUsedBytes: null,
        memoryTotalBytes: 8192 * MIB,
        temperatureC: null,
      },
      {
        index: 3,
        name: 'Alder Lake-P GT2 [Iris Xe Graphics]',
        vendor: 'Intel Corporation',
        driver: null,
        utilizationPercent: null,
        memoryUsedBytes: null,
        memoryTotalBytes: null,
        temperatureC: null,
      },
    ]);

    // nvidia-smi played by a script printing its documented CSV, as in the Monitor's e2e test.
    const dir = mkdtempSync(join(tmpdir(), 'earshot-gpu-'));
    try {
      writeFileSync(join(dir, 'nvidia-smi'), `#!/bin/sh\nexec cat '${FIXTURE}'\n`);
      chmodSync(join(dir, 'nvidia-smi'), 0o755);
      let lookups = 0;
      const reader = new GpuReader(join(dir, 'nvidia-smi'), async () => {
        lookups++;
        return controllers;
      });
      const gpus = await reader.read();
      expect(gpus.map((g) => `${g.index} ${g.vendor} ${g.name}`)).toEqual([
        '0 NVIDIA NVIDIA GeForce RTX 3060',
        '1 NVIDIA Tesla T4',
        '2 Advanced Micro Devices, Inc. [AMD/ATI] Navi 23 [Radeon RX 6600]',
        '3 Intel Corporation Alder Lake-P GT2 [Iris Xe Graphics]',
      ]);
      await reader.read();
      expect(lookups).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // A failing lookup (no lspci, no WMI) is no adapters, not an error.
    const failing = new GpuReader('/nonexistent/nvidia-smi', () => Promise.reject(new Error('lspci: not found')));
    expect(await failing.read()).toEqual([]);
  });

  it('finds on this machine what systeminformation and nvidia-smi find together', async () => {
    const gpus = await new GpuReader().read();
    if (!hasNvidiaSmi()) expect(gpus.every((g) => g.vendor !== 'NVIDIA')).toBe(true);
    expect(gpus.map((g) => g.index)).toEqual(gpus.map((_, i) => i));
  });
});
