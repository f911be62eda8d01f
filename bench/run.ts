// `npm run bench`: measurements, never a gate. Each benchmark prints ratios against a
// baseline measured in the same run, because absolute times on shared machines are noisy.
import { asrBench } from './asr';
import { frameLatencyBench } from './frame-latency';
import { guardOverhead } from './ipc-guard-overhead';
import { livePttBench } from './live-ptt';
import { monitorCostBench } from './monitor-cost';
import { pasteBench } from './paste';
import { resamplerBench } from './resampler';
import { sessionCpuBench, sessionMemoryBench, sessionReleaseBench, sessionWakeBench } from './session';
import { ringBufferBench } from './ring-buffer';
import { vadBench } from './vad';
import { wakeAccuracyBench } from './wake-accuracy';
import { wakeWordBench } from './wake-word';
import { workerResourcesBench } from './worker-resources';
import { applyOnnxRuntimeEnv } from '../src/main/worker/models/onnx-runtime-env';

// Benchmarks load ONNX Runtime in this process and in workers and peers they start: telemetry off for all.
applyOnnxRuntimeEnv();

const BENCHMARKS = [
  guardOverhead,
  ringBufferBench,
  resamplerBench,
  frameLatencyBench,
  vadBench,
  wakeWordBench,
  workerResourcesBench,
  asrBench,
  sessionReleaseBench,
  livePttBench,
  sessionWakeBench,
  sessionCpuBench,
  sessionMemoryBench,
  monitorCostBench,
  pasteBench,
  wakeAccuracyBench,
];

// `npm run bench -- wake accuracy` runs only the benchmarks whose name contains those words.
const filter = process.argv.slice(2).join(' ').toLowerCase();
const chosen = BENCHMARKS.filter((b) => b.name.toLowerCase().includes(filter));
if (chosen.length === 0) {
  process.stderr.write(
    `No benchmark name contains "${filter}". Names:\n${BENCHMARKS.map((b) => `  ${b.name}`).join('\n')}\n`,
  );
  process.exit(2);
}
for (const bench of chosen) {
  process.stdout.write(`\n## ${bench.name}\n`);
  for (const line of await bench.run()) process.stdout.write(line + '\n');
}
