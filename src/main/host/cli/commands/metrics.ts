import { MetricsSnapshotSchema, type MetricsSnapshot } from '../../../../shared/metrics';
import { WS_TOKEN_PARAM } from '../../../../shared/ws-protocol';
import { DEFAULT_ALERT_THRESHOLDS } from '../../../../shared/settings';
import { createLogger } from '../../../log';
import { MetricsService } from '../../../metrics/metrics-service';
import { clearPidUsage, pidUsageSource } from '../../../metrics/process-usage';
import { GpuReader } from '../../../metrics/gpu-reader';
import { isLoopbackAddress } from '../../serve/loopback';
import { METRICS_JSON_PATH, METRICS_PATH } from '../../metrics-http';
import { EXIT_FAILURE, EXIT_OK, UsageError, type CliCommand, type CliIo } from '../command';

export const metricsCommand: CliCommand = {
  name: 'metrics',
  summary: 'Print the metrics of a running `earshot serve` (or of this process)',
  usage: [
    'earshot metrics [--address URL] [--json | --prometheus]',
    '',
    '  --address URL   the address `earshot serve` printed, token included (loopback only)',
    '  --json          the snapshot as one JSON line (percentiles, counters, newest sample)',
    '  --prometheus    the Prometheus text exposition, as `GET /metrics` answers it',
    '',
    'Without --address, a snapshot of this process alone (no session, no worker).',
  ].join('\n'),
  options: { address: { type: 'string' }, json: { type: 'boolean' }, prometheus: { type: 'boolean' } },
  async run({ values, io }) {
    if (values.json && values.prometheus) throw new UsageError('--json and --prometheus cannot be used together');
    const address = values.address as string | undefined;
    const format = values.prometheus ? 'prometheus' : 'json';
    let body: string;
    try {
      body = address ? await fromServe(address, format) : await fromThisProcess(format);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      io.err(`error: ${(error as Error).message}`);
      return EXIT_FAILURE;
    }
    if (values.prometheus) io.out(body.trimEnd());
    else if (values.json) io.out(body);
    else printSnapshot(MetricsSnapshotSchema.parse(JSON.parse(body)), io);
    return EXIT_OK;
  },
};

/** Asks a running `serve`; only a loopback address is contacted (nothing leaves the machine). */
async function fromServe(address: string, format: 'json' | 'prometheus'): Promise<string> {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new UsageError(`--address must be the URL \`earshot serve\` printed, not "${address}"`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'http:' || !(host === 'localhost' || isLoopbackAddress(host)))
    throw new UsageError(
      `--address must be a loopback http:// address (earshot serve listens on 127.0.0.1), not ${url.origin}`,
    );
  const token = url.searchParams.get(WS_TOKEN_PARAM);
  if (!token) throw new UsageError(`--address has no ?${WS_TOKEN_PARAM}=: use the whole URL \`earshot serve\` printed`);
  const target = new URL(format === 'json' ? METRICS_JSON_PATH : METRICS_PATH, url.origin);
  let response: Response;
  try {
    response = await fetch(target, { headers: { Authorization: `Bearer ${token}` } });
  } catch (error) {
    throw new Error(
      `could not reach earshot serve at ${url.origin} (${(error as Error).cause ?? (error as Error).message})`,
    );
  }
  const text = await response.text();
  if (!response.ok) throw new Error(`earshot serve answered ${response.status}: ${text.trim()}`);
  return text;
}

/** One sample of this process: what `metrics` measures about itself. */
async function fromThisProcess(format: 'json' | 'prometheus'): Promise<string> {
  const none = () => () => undefined;
  const metrics = new MetricsService({
    processes: pidUsageSource(() => [{ process: 'main', pid: process.pid }]),
    intervalMs: () => 1000,
    onIntervalChange: none,
    onSessionUpdate: none,
    onWorkerEvent: none,
    onWorkerRestart: none,
    onFrame: none,
    onFrameLatency: none,
    framesDropped: () => 0,
    frameQueueDepth: () => 0,
    gpus: () => new GpuReader().read(),
    // This process alone: no settings, no worker (its alerts are the defaults, and there is nothing to free).
    thresholds: () => DEFAULT_ALERT_THRESHOLDS,
    relieveMemory: async () => ({ encoderEntriesDropped: 0, modelsUnloaded: [], arenasReleased: [] }),
    log: createLogger('metrics'),
  });
  try {
    await metrics.sampleNow();
    return format === 'json' ? JSON.stringify(await metrics.snapshot()) : await metrics.prometheus.exposition();
  } finally {
    metrics.dispose();
    clearPidUsage();
  }
}

function printSnapshot(snapshot: MetricsSnapshot, io: CliIo): void {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)} ms`);
  const sample = snapshot.sample;
  if (sample) {
    for (const p of sample.processes)
      io.out(
        `${p.process.padEnd(9)} pid ${String(p.pid ?? '—').padEnd(8)} CPU ${p.cpuPercent.toFixed(1).padStart(5)} %   ${mib(p.residentBytes)}`,
      );
    io.out(
      `system    memory available ${mib(sample.system.memoryAvailableBytes)} of ${mib(sample.system.memoryTotalBytes)}`,
    );
    if (sample.gpus.length === 0) io.out('gpu       none found: inference runs on the CPU');
    for (const g of sample.gpus)
      io.out(
        `gpu ${g.index}     ${g.name} (${g.vendor}, driver ${g.driver ?? '?'}): ${g.utilizationPercent ?? '?'} %, ` +
          `${g.memoryUsedBytes === null ? '?' : mib(g.memoryUsedBytes)} of ${g.memoryTotalBytes === null ? '?' : mib(g.memoryTotalBytes)}` +
          (g.temperatureC === null ? '' : `, ${g.temperatureC} °C`),
      );
  }
  io.out('');
  for (const [stage, s] of Object.entries(snapshot.latency))
    io.out(
      `${stage.padEnd(20)} n ${String(s.count).padStart(4)}   p50 ${ms(s.p50)}   p95 ${ms(s.p95)}   p99 ${ms(s.p99)}`,
    );
  const c = snapshot.counters;
  io.out('');
  io.out(
    `utterances: wake ${c.utterances.wake}, push-to-talk ${c.utterances.ptt}; wake words: ${
      Object.entries(c.wakes)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
  );
  io.out(
    `frames dropped ${c.framesDropped}, worker restarts ${c.workerRestarts}, recovered ${c.recoveredUtterances}, ` +
      `reused partials ${c.reusedPartials}, encoder cache ${c.encoderCacheHits} hits / ${c.encoderCacheMisses} misses`,
  );
  io.out(
    `rejected wakes: ${
      Object.entries(c.rejectedWakes)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }; model loads ${c.modelLoads}`,
  );
  if (sample)
    io.out(
      `wake pipeline real-time factor ${sample.pipeline.wakeRealtimeFactor?.toFixed(3) ?? '—'}, frames waiting for the worker ${sample.pipeline.frameQueueDepth}`,
    );
  if (snapshot.models.length > 0) io.out('');
  for (const m of snapshot.models)
    io.out(
      `model     ${m.model.padEnd(28)} ${m.provider.padEnd(5)} ${mib(m.bytes).padStart(8)}   loaded in ${ms(m.loadMs)}`,
    );
}
