// Nothing leaves the machine: Earshot's real paths (transcribe, a wake-word session pasting through the X clipboard, serve with push-to-talk, the model list) run under strace with a fresh HOME, and any connection beyond loopback, any DNS query or any file left outside Earshot's own folders fails the test. strace rather than a network namespace: it sees every attempt by every process of the tree (the inference worker, the X tools) even where a closed network would refuse it, and it needs no privileges.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MELSPECTROGRAM } from '../../src/main/worker/models/model-manifest';
import { packagedModels } from '../../src/main/worker/models/model-loader';
import { firstChildPid, ROOT, runCli, runCommand, spawnCli, startServe } from '../support/cli-process';
import { EARSHOT_HOME_FOLDERS, entriesUnder, strayEntries } from '../support/home-audit';
import { outboundAttempts, requireStrace, straceWrapper } from '../support/outbound-trace';
import { sessionWav } from '../support/session-wav';
import { SHARED_AUDIO } from '../support/shared-audio';
import { useTempDirs } from '../support/temp-dir';
import { normaliseText } from '../support/wer';
import { connectServe } from '../support/serve-client';
import { startXvfb } from '../support/xvfb';

const tempDir = useTempDirs();
const MELSPECTROGRAM_PATH = packagedModels.pathOf(MELSPECTROGRAM);
const NAUDIODON_INPUT = join(ROOT, 'src', 'main', 'audio', 'naudiodon-input.ts');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * ONNX Runtime's telemetry uploader (1.30, when not turned off) first resolves its host about
 * 9 s after the runtime starts (measured with strace): the serve run keeps its worker alive
 * longer than that, so the trace would see it.
 */
const LONGER_THAN_ORT_UPLOAD_DELAY_MS = 15_000;

interface PrivateRun {
  home: string;
  trace: string;
  before: string[];
  env: NodeJS.ProcessEnv;
  wrapper: string[];
}

/**
 * Variables under which ONNX Runtime keeps quiet by itself: its own switches, which Earshot must
 * set on its own, and the CI markers it checks (core/platform/telemetry_environment.h), so that
 * the runs here behave as on a user's desktop even on a CI machine.
 */
const QUIETING_VARIABLES = [
  'ORT_DISABLE_TELEMETRY',
  'ORT_TELEMETRY_DISABLED',
  'ORT_RUNNING_UNIT_TESTS',
  'CI',
  'TF_BUILD',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'CODEBUILD_BUILD_ID',
  'BUILDKITE',
  'TEAMCITY_VERSION',
  'APPVEYOR',
  'BITBUCKET_BUILD_NUMBER',
  'SYSTEM_TEAMFOUNDATIONCOLLECTIONURI',
];

/** A fresh HOME with nothing pointing elsewhere, and a trace log outside it. */
function privateRun(): PrivateRun {
  const home = tempDir();
  const trace = join(tempDir(), 'strace.log');
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    XDG_CONFIG_HOME: undefined,
    XDG_DATA_HOME: undefined,
    XDG_CACHE_HOME: undefined,
    XDG_STATE_HOME: undefined,
    EARSHOT_CONFIG_DIR: undefined,
    EARSHOT_HISTORY_DB: undefined,
    EARSHOT_MODELS_DIR: undefined,
    ...Object.fromEntries(QUIETING_VARIABLES.map((name) => [name, undefined])),
    // As from a user's shell, not from inside `npm test` (whose npm_config_* turn npm's update check off and point its cache elsewhere).
    ...Object.fromEntries(
      Object.keys(process.env)
        .filter((name) => /^npm_/i.test(name))
        .map((name) => [name, undefined]),
    ),
  };
  return { home, trace, before: entriesUnder(home), env, wrapper: straceWrapper(trace) };
}

/** npm's own debug log of the run (the package manager's, written on every `npm run`; not Earshot's). */
const NPM_DEBUG_LOG = /^\.npm\/(_logs\/([^/]+\.log)?)?$/;

/** The trace saw the run's processes, and none of them reached out or left a file behind. */
function expectNothingLeft(run: PrivateRun, minProcesses: number, alsoAllowed?: RegExp): void {
  const trace = readFileSync(run.trace, 'utf8');
  const pids = new Set(
    trace
      .split('\n')
      .map((line) => line.split(' ')[0])
      .filter(Boolean),
  );
  expect(pids.size, 'processes seen by strace').toBeGreaterThanOrEqual(minProcesses);
  expect(outboundAttempts(trace)).toEqual([]);
  expect(strayEntries(run.home, run.before).filter((path) => !alsoAllowed?.test(path))).toEqual([]);
}

beforeAll(() => requireStrace());

describe('Nothing leaves the machine', () => {
  it('npm run -s cli -- transcribe: a real recording to text, with no outbound call and no file outside Earshot', async () => {
    const run = privateRun();
    // The README's own command line, npm included: the project's .npmrc keeps npm's update check off.
    const argv = [...run.wrapper, 'npm', 'run', '-s', 'cli', '--', 'transcribe', SHARED_AUDIO.jfk, '--json'];
    const result = await runCommand(argv as [string, ...string[]], run.env);
    expect(result.code, result.stderr).toBe(0);
    const { text } = JSON.parse(result.stdout) as { text: string };
    expect(normaliseText(text).join(' ')).toContain('ask not what your country can do for you');
    // npm, the CLI and the inference worker.
    expectNothingLeft(run, 3, NPM_DEBUG_LOG);
  }, 60_000);

  it('listen: the wake word, a command, the history and a paste through the X clipboard, with no outbound call and no file outside Earshot', async () => {
    const wav = await sessionWav(tempDir());
    // New installs paste: xdotool, xprop and xclip run, and the clipboard is saved and put back.
    const run = privateRun();
    const x = await startXvfb();
    try {
      const child = spawnCli(
        ['listen', '--json', '--input-wav', wav.path, '--max-utterances', '1'],
        { ...run.env, DISPLAY: x.display, WAYLAND_DISPLAY: undefined, XDG_SESSION_TYPE: undefined },
        run.wrapper,
      );
      const events: { type: string; [key: string]: unknown }[] = [];
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
      const finalSeen = new Promise<void>((resolve) =>
        createInterface({ input: child.stdout }).on('line', (line) => {
          events.push(JSON.parse(line) as never);
          if (events.at(-1)?.type === 'final') resolve();
        }),
      );
      // xsel keeps the selection (and strace with it) until the X server goes: wait for the CLI
      // itself to exit, then stop the server, then strace ends with the CLI's exit status.
      if ((await Promise.race([finalSeen.then(() => 'final'), closed])) === 'final') {
        const cli = firstChildPid(child.pid!);
        await expect.poll(() => existsSync(`/proc/${cli}`), { timeout: 30_000, interval: 100 }).toBe(false);
        await x.stop();
      }
      expect(await closed, stderr).toBe(0);
      expect(events.find((e) => e.type === 'wake')).toMatchObject({ keyword: 'hey_jarvis' });
      const final = events.find((e) => e.type === 'final');
      expect(normaliseText(String(final?.text)).join(' '), stderr).toContain('kitchen lights');
      expect(final).toHaveProperty('output');
    } finally {
      await x.stop();
    }
    // The history went where Earshot keeps its data, so this HOME was the one in use.
    expect(existsSync(join(run.home, EARSHOT_HOME_FOLDERS[1], 'history.sqlite'))).toBe(true);
    // The CLI, its stdout re-run, the inference worker, and the X tools of the paste.
    expectNothingLeft(run, 4);
  }, 90_000);

  it('serve: a push-to-talk over the WebSocket, kept running past ONNX Runtime upload delay, with no outbound call and no file outside Earshot', async () => {
    const run = privateRun();
    const serve = await startServe(['--no-build', '--input-wav', SHARED_AUDIO.jfk], run.env, run.wrapper);
    const ready = performance.now();
    try {
      const session = await connectServe(serve.url);
      await session.invoke('session:start');
      await session.event('session:state', (p) => (p as { state: string }).state === 'armed', 30_000);
      await session.invoke('session:press');
      await new Promise((resolve) => setTimeout(resolve, 4000));
      await session.invoke('session:release');
      const final = (await session.event('session:final', () => true, 30_000)) as { text: string };
      expect(normaliseText(final.text).join(' '), serve.stderr()).toMatch(/\w/);
      const left = LONGER_THAN_ORT_UPLOAD_DELAY_MS - (performance.now() - ready);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
      session.close();
    } finally {
      expect(await serve.stop(), serve.stderr()).toBe(0);
    }
    expectNothingLeft(run, 3);
  }, 120_000);

  it('catches what it looks for: ONNX Runtime loaded without the switch looks up its telemetry host and leaves its device id', async () => {
    const run = privateRun();
    // A bare script, as a dependency that loads the runtime without Earshot's switch would.
    const script = `require('onnxruntime-node').InferenceSession.create(process.argv[1]).then(() => setTimeout(() => {}, 30000))`;
    const child = spawn(
      run.wrapper[0]!,
      [...run.wrapper.slice(1), process.execPath, '-e', script, MELSPECTROGRAM_PATH],
      {
        cwd: ROOT,
        env: { ...process.env, ...run.env },
        stdio: 'ignore',
      },
    );
    const closed = new Promise((resolve) => child.once('close', resolve));
    try {
      await expect
        .poll(() => outboundAttempts(readFileSync(run.trace, 'utf8')).map((a) => a.why), {
          timeout: 30_000,
          interval: 250,
        })
        .toContain('dns query');
    } finally {
      process.kill(firstChildPid(child.pid!), 'SIGKILL');
      await closed;
    }
    expect(strayEntries(run.home, run.before)).toContain('.cache/Microsoft/DeveloperTools/.onnxruntime/deviceid');
  }, 60_000);

  it("a native crash of the audio library leaves its log in Earshot's cache folder, not in the working directory", async () => {
    const run = privateRun();
    const cwd = tempDir();
    // Loads naudiodon as the app does (listing devices), then gets the signal a PortAudio crash raises.
    // The handler logs and returns; a signal sent this way is not fatal after it, so the script ends itself.
    const script = [
      `const { NaudiodonInput } = await import(${JSON.stringify(NAUDIODON_INPUT)});`,
      'await new NaudiodonInput({ debug() {}, info() {}, warn() {}, error() {} }).listDevices();',
      "process.kill(process.pid, 'SIGSEGV');",
      'setTimeout(() => {}, 500);',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', TSX_LOADER, '--input-type=module', '-e', script], {
      cwd,
      env: { ...process.env, ...run.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve)), stderr).toBe(0);
    expect(readFileSync(join(run.home, EARSHOT_HOME_FOLDERS[2], 'audio-crash.log'), 'utf8')).toMatch(/SIGSEGV|PID/);
    expect(entriesUnder(cwd)).toEqual([]);
    expect(strayEntries(run.home, run.before)).toEqual([]);
  }, 60_000);

  it('models list: the model downloader, not asked to download, makes no outbound call', async () => {
    const run = privateRun();
    const result = await runCli(['models', 'list'], run.env, run.wrapper);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('tiny');
    expectNothingLeft(run, 1);
  }, 60_000);
});

/** A client of serve's WebSocket bridge: invokes channels and waits for events. */
