// `earshot listen`: a live voice session through the real worker, a WAV file standing in for the microphone; wake word and push-to-talk to a transcript in the history.
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/history/history-store';
import { spawnCli } from '../support/cli-process';
import { sessionWav } from '../support/session-wav';
import { useTempDirs } from '../support/temp-dir';
import { normaliseText } from '../support/wer';

const tempDir = useTempDirs();

interface ListenEvent {
  type: string;
  [key: string]: unknown;
}

/** Runs `listen --json` until it exits; `onEvent` may write to its stdin. */
function listen(
  args: string[],
  env: NodeJS.ProcessEnv,
  onEvent?: (e: ListenEvent, stdin: NodeJS.WritableStream) => void,
) {
  const child = spawnCli(['listen', '--json', ...args], env);
  const events: ListenEvent[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as ListenEvent;
    events.push(event);
    onEvent?.(event, child.stdin);
  });
  return new Promise<{ code: number | null; events: ListenEvent[]; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, events, stderr })),
  );
}

describe('earshot listen', () => {
  it('hears the wake word, records the command after it and saves the final transcript in the history', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    const db = join(dir, 'history.sqlite');
    const env = { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: db };
    const { code, events, stderr } = await listen(['--input-wav', wav.path, '--max-utterances', '1'], env);
    expect(code, stderr).toBe(0);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('ready');
    expect(events.find((e) => e.type === 'wake')).toMatchObject({ keyword: 'hey_jarvis' });
    const states = events.filter((e) => e.type === 'state').map((e) => e.state);
    expect(states).toEqual(['armed', 'recording', 'transcribing', 'armed']);
    const final = events.find((e) => e.type === 'final')!;
    expect(final).toMatchObject({ trigger: 'wake', language: 'en' });
    expect(normaliseText(final.text as string).join(' ')).toContain('kitchen lights');
    expect(final.final_pass).toMatch(/^(full|cached-encoder|reused-partial)$/);
    expect(Object.keys(final.timings as object)).toEqual([
      'started_at',
      'ended_at',
      'recording_ms',
      'encoder_ms',
      'decoder_ms',
      'end_to_text_ms',
    ]);
    const history = HistoryStore.open(db);
    try {
      expect(history.list()).toMatchObject([{ trigger: 'wake', keyword: 'hey_jarvis', text: final.text }]);
    } finally {
      history.close();
    }
  }, 60_000);

  it('records between "start" and "stop" on stdin with --ptt, pre-roll included', async () => {
    const dir = tempDir();
    const wav = await sessionWav(dir);
    const env = { EARSHOT_CONFIG_DIR: dir, EARSHOT_HISTORY_DB: join(dir, 'history.sqlite') };
    let readyAt = 0;
    const { code, events, stderr } = await listen(
      ['--input-wav', wav.path, '--ptt', '--max-utterances', '1'],
      env,
      (event, stdin) => {
        if (event.type !== 'ready') return;
        readyAt = performance.now();
        // The WAV plays in real time from here: press as the command starts, release after it.
        setTimeout(() => stdin.write('start\n'), wav.commandAt * 1000 - 100);
        setTimeout(() => stdin.write('stop\n'), wav.commandEnd * 1000 + 400);
      },
    );
    expect(code, stderr).toBe(0);
    expect(readyAt).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'wake')).toBe(false);
    const final = events.find((e) => e.type === 'final')!;
    expect(final).toMatchObject({ trigger: 'ptt' });
    expect(normaliseText(final.text as string).join(' ')).toContain('kitchen lights');
  }, 60_000);
});
