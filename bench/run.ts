// `npm run bench`: measurements, never a gate. Each benchmark prints ratios against a
// baseline measured in the same run, because absolute times on shared machines are noisy.
import { frameLatencyBench } from './frame-latency';
import { guardOverhead } from './ipc-guard-overhead';
import { resamplerBench } from './resampler';
import { ringBufferBench } from './ring-buffer';
import { vadBench } from './vad';
import { wakeAccuracyBench } from './wake-accuracy';
import { wakeWordBench } from './wake-word';
import { workerResourcesBench } from './worker-resources';

const BENCHMARKS = [
  guardOverhead,
  ringBufferBench,
  resamplerBench,
  frameLatencyBench,
  vadBench,
  wakeWordBench,
  workerResourcesBench,
  wakeAccuracyBench,
];

for (const bench of BENCHMARKS) {
  process.stdout.write(`\n## ${bench.name}\n`);
  for (const line of await bench.run()) process.stdout.write(line + '\n');
}
