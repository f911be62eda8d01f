import type { AppInfo } from '../../shared/ipc/contract';
import type { WindowGpu } from '../../shared/metrics';
import { EventHub } from '../ipc/event-hub';
import { IpcRouter } from '../ipc/router';
import type { TrustedOrigin } from '../ipc/sender-guard';
import { createLogger, type Logger } from '../log';
import { AudioEngine } from '../audio/audio-engine';
import type { AudioInput } from '../audio/audio-input';
import { bindAudio } from '../ipc/audio-handlers';
import { bindSession } from '../ipc/session-handlers';
import { openHistory, recordingsCapBytes } from '../history/open-history';
import type { HistoryStore } from '../history/history-store';
import type { Desktop } from '../actions/desktop';
import { TextOutput } from '../actions/text-output';
import { SessionService } from '../session/session-service';
import { dirname } from 'node:path';
import { historyDbPath, userModelsDir } from '../settings/config-dir';
import { InferenceService } from '../inference/inference-service';
import { nodeWorkerLauncher, type WorkerLauncher } from '../inference/worker-launcher';
import { ProfileService } from '../profiles/profile-service';
import type { SettingsBackend } from '../settings/settings-backend';
import { SettingsService } from '../settings/settings-service';
import { APP_NAME, APP_VERSION, packageVersion } from './runtime-versions';
import { bindMetrics } from '../ipc/metrics-handlers';
import { bindCommands, ProgramConfirmations } from '../ipc/commands-handlers';
import { bindModels } from '../ipc/models-handlers';
import { ModelLibrary } from '../models/model-library';
import { ModelsService } from '../models/models-service';
import { MachineCheckRunner } from '../profiles/machine-check';
import { retranscribe } from '../history/retranscribe';
import { NODE_RESOURCES_DIR } from './resources-dir';
import { CommandsService } from '../actions/commands-service';
import { systemOpener } from '../actions/command-actions';
import { MetricsEndpoint } from './metrics-endpoint';
import { HoldKeyService } from '../actions/hold-key-service';
import { MetricsService } from '../metrics/metrics-service';
import { GpuReader } from '../metrics/gpu-reader';
import { clearPidUsage, pidUsageSource, type ProcessUsageSource } from '../metrics/process-usage';

export interface CoreOptions {
  settingsBackend: SettingsBackend;
  /** The microphone implementation, chosen by the composition root (naudiodon, or the WAV double). */
  audioInput: AudioInput;
  /** How the inference worker is started (a utility process in Electron); a Node child process by default. */
  workerLauncher?: WorkerLauncher;
  log: Logger;
}

/** The services without any transport: what the CLI's one-shot commands need. */
export interface CoreServices {
  settings: SettingsService;
  profiles: ProfileService;
  audio: AudioEngine;
  inference: InferenceService;
}

export function createCoreServices(options: CoreOptions): CoreServices {
  const settings = new SettingsService(options.settingsBackend, options.log);
  const profiles = new ProfileService(settings, options.log);
  const audio = new AudioEngine({ input: options.audioInput, settings, profiles, log: options.log });
  const inference = new InferenceService({
    launcher: options.workerLauncher ?? nodeWorkerLauncher(),
    audio,
    settings,
    profiles,
    log: options.log,
  });
  return { settings, profiles, audio, inference };
}

export interface ServiceOptions {
  host: AppInfo['host'];
  settingsBackend: SettingsBackend;
  audioInput: AudioInput;
  workerLauncher?: WorkerLauncher;
  /** The renderer's own origin; the IPC guard accepts nothing else. */
  trustedOrigin: TrustedOrigin;
  electronVersions?: { electron: string; chrome: string };
  /** The history database (default: historyDbPath()); its retained audio goes beside it. */
  historyPath?: string;
  /** Where finals are pasted, typed or copied (systemDesktop(), or NO_DESKTOP for a host without one). */
  desktop: Desktop;
  /**
   * CPU and memory per process, given the worker's pid: main and the worker by pid unless the
   * host knows more (Electron adds its renderer and GPU processes).
   */
  processUsage?: (workerPid: () => number | undefined) => ProcessUsageSource;
  /** The app's resources (the machine check's recording); NODE_RESOURCES_DIR by default. */
  resourcesDir?: string;
  /** The user's Whisper model folder (default: userModelsDir()). */
  modelsDir?: string;
  /** Watch the hold key from the settings (the desktop app; `serve --hold-key`). */
  holdKey?: boolean;
  /** The desktop app's window GPU (Electron); the Monitor shows none without it. */
  windowGpu?: () => Promise<WindowGpu | null>;
  log?: Logger;
}

/** Everything a host needs: the services, the guarded router bound to them, and the event hub. */
export interface AppServices extends CoreServices {
  session: SessionService;
  metrics: MetricsService;
  history: HistoryStore;
  router: IpcRouter;
  events: EventHub;
  /** Program commands' first runs waiting for the window's answer. */
  confirmations: ProgramConfirmations;
  appInfo(): AppInfo;
  dispose(): Promise<void>;
}

/**
 * The one place where services are composed and bound to the IPC contract. The Electron
 * main process and `earshot serve` both call this, so the two hosts cannot drift apart.
 */
export function composeServices(options: ServiceOptions): AppServices {
  const log = options.log ?? createLogger(options.host);
  const core = createCoreServices({
    settingsBackend: options.settingsBackend,
    audioInput: options.audioInput,
    ...(options.workerLauncher ? { workerLauncher: options.workerLauncher } : {}),
    log,
  });
  const { settings, profiles } = core;
  const profileList = () => ({
    profiles: [...profiles.list()],
    activeId: profiles.active().id,
    custom: profiles.custom().map(({ id, basedOn }) => ({ id, basedOn })),
  });
  const events = new EventHub(log);
  const router = new IpcRouter(options.trustedOrigin, log);
  const historyPath = options.historyPath ?? historyDbPath();
  const history = openHistory(historyPath, log, settings.get().session.recordingsCapMb);
  /** Where the history (and its kept recordings) lives: the data folder the Settings view opens. */
  const dataFolder = () => dirname(historyPath);
  const confirmations = new ProgramConfirmations(events);
  const modelsDir = options.modelsDir ?? userModelsDir();
  const session = new SessionService({
    ...core,
    history: history.store,
    output: new TextOutput(options.desktop),
    // Both hosts have a window (Electron's, or the browser on serve) that shows views and asks.
    commandHost: { opener: systemOpener(), hasWindow: true, confirmProgram: (command) => confirmations.ask(command) },
    userModelsDir: modelsDir,
    log,
  });

  const workerPid = () => core.inference.worker.pid;
  const gpuReader = new GpuReader();
  const metrics = new MetricsService({
    processes: (options.processUsage ?? mainAndWorkerUsage)(workerPid),
    intervalMs: () => profiles.active().monitorIntervalMs,
    onIntervalChange: (listener) => profiles.onActiveChanged(listener),
    onSessionUpdate: (listener) => session.onUpdate(listener),
    onWorkerEvent: (listener) => core.inference.onEvent(listener),
    onWorkerRestart: (listener) => core.inference.worker.onRestart(listener),
    onFrame: (listener) => core.audio.onFrame((_samples, seq, captureTime) => listener(seq, captureTime)),
    onFrameLatency: (listener) => core.inference.onFrameLatency(listener),
    framesDropped: () => core.inference.framesDropped,
    frameQueueDepth: () => core.inference.framesPending,
    gpus: () => gpuReader.read(),
    windowGpu: options.windowGpu,
    thresholds: () => settings.get().monitoring.alerts,
    relieveMemory: () => core.inference.relieveMemory(),
    log,
  });

  const machineCheck = new MachineCheckRunner({
    request: (request) => core.inference.worker.request(request),
    resourcesDir: options.resourcesDir ?? NODE_RESOURCES_DIR,
    userModelsDir: modelsDir,
    sessionRunning: () => session.status().running,
    onPreset: (preset, index, count) => events.emit('profiles:check-progress', { name: preset.name, index, count }),
  });

  const appInfo = (): AppInfo => ({
    name: APP_NAME,
    version: APP_VERSION,
    host: options.host,
    platform: process.platform,
    arch: process.arch,
    versions: {
      node: process.versions.node,
      electron: options.electronVersions?.electron ?? null,
      chrome: options.electronVersions?.chrome ?? null,
      onnxruntime: packageVersion('onnxruntime-node'),
    },
    notices: [...settings.notices, ...history.notices],
    settingsLocation: settings.location,
    dataLocation: dataFolder(),
  });

  const disposers = [
    router.handle('app:get-info', appInfo),
    router.handle('settings:get', () => settings.get()),
    router.handle('settings:set-app', (patch) => settings.update({ app: { ...settings.get().app, ...patch } }).app),
    router.handle('settings:reset', () => ({ backup: settings.reset().backup })),
    router.handle('app:open-folder', async ({ folder }) => {
      const path = folder === 'settings' ? dirname(settings.location) : dataFolder();
      await systemOpener().openUrl(path);
      return { path };
    }),
    router.handle('profiles:list', () => profileList()),
    router.handle('profiles:save', (profile) => {
      profiles.save(profile);
      return profileList();
    }),
    router.handle('profiles:delete', ({ id }) => {
      const { fellBackTo } = profiles.delete(id);
      const notice = fellBackTo ? `The profile you deleted was active: Earshot now uses ${fellBackTo.name}.` : null;
      return { list: profileList(), notice };
    }),
    router.handle('history:retranscribe', ({ id, profileId }) =>
      retranscribe(id, {
        history: history.store,
        profile: profiles.get(profileId),
        request: (request) => core.inference.worker.request(request),
        userModelsDir: modelsDir,
      }),
    ),
    router.handle('profiles:check-machine', () => machineCheck.run()),
    router.handle('profiles:set-active', ({ id }) => ({ activeId: profiles.setActive(id).id })),
    router.handle('wake:list-keywords', () => ({
      available: core.inference.availableKeywords(),
      active: settings.get().wake.keywords,
    })),
    router.handle('wake:set-keywords', ({ keywords }) => ({
      available: core.inference.availableKeywords(),
      active: core.inference.setKeywords(keywords),
    })),
    profiles.onActiveChanged((profile) => events.emit('profiles:active-changed', { activeId: profile.id })),
  ];

  disposers.push(...bindAudio(core.audio, router, events));
  disposers.push(...bindSession(session, history.store, router, events));
  disposers.push(
    settings.onChange((next) => history.store.setAudioCap(recordingsCapBytes(next.session.recordingsCapMb))),
  );
  const holdKey = options.holdKey ? new HoldKeyService(session, settings, log) : undefined;
  // The app's own Prometheus endpoint follows its settings (off unless the user turned it on).
  const endpoint = new MetricsEndpoint(metrics, log);
  void endpoint.apply(settings.get().monitoring.endpoint);
  disposers.push(settings.onChange((next) => void endpoint.apply(next.monitoring.endpoint)));
  disposers.push(...bindMetrics(metrics, endpoint, settings, router, events));
  disposers.push(...bindCommands(new CommandsService(settings), confirmations, router));
  const models = new ModelsService({
    library: new ModelLibrary(modelsDir),
    profiles: () => profiles.list(),
    emit: (event) => events.emit('models:download', event),
    defaultBaseUrl: process.env.EARSHOT_HF_BASE_URL,
  });
  disposers.push(...bindModels(models, router));
  disposers.push(accelerationNotices(core.inference, (notice) => events.emit('app:notice', notice)));

  return {
    ...core,
    session,
    metrics,
    history: history.store,
    router,
    events,
    confirmations,
    appInfo,
    dispose: async () => {
      disposers.splice(0).forEach((dispose) => dispose());
      holdKey?.dispose();
      await models.dispose();
      await endpoint.close();
      metrics.dispose();
      clearPidUsage();
      await session.dispose();
      await core.inference.dispose();
      await core.audio.dispose();
      history.store.close();
    },
  };
}

/** Main and the inference worker, by pid (the CLI and `serve`). */
export function mainAndWorkerUsage(workerPid: () => number | undefined): ProcessUsageSource {
  return pidUsageSource(() => [
    { process: 'main', pid: process.pid },
    { process: 'worker', pid: workerPid() },
  ]);
}

/**
 * Says once per reason when a profile asked for the GPU and Whisper runs on the CPU instead
 * (no provider for the platform, or its libraries missing).
 */
export function accelerationNotices(
  inference: InferenceService,
  notify: (notice: { code: 'AccelerationUnavailable'; message: string }) => void,
): () => void {
  const told = new Set<string>();
  return inference.onEvent((event) => {
    if (event.type !== 'model-loaded' || !event.fallback || told.has(event.fallback)) return;
    told.add(event.fallback);
    notify({
      code: 'AccelerationUnavailable',
      message: `GPU acceleration is not available: ${event.fallback}. Whisper runs on the CPU.`,
    });
  });
}
