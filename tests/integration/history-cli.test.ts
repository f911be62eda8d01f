// `earshot history` (list, search, export, delete) as real processes over a history seeded through HistoryStore.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/main/history/history-store';
import { runCli } from '../support/cli-process';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const T0 = Date.UTC(2025, 0, 2, 9, 30, 0, 250);

interface EntryJson {
  id: number;
  created_at: string;
  text: string;
  trigger: string;
  keyword: string | null;
  duration_ms: number;
  latency_ms: Record<string, number>;
  audio_path: string | null;
  snippet?: string;
}

/** A history of three utterances (the last with audio kept); returns its env and audio folder. */
function seed(): { env: { EARSHOT_HISTORY_DB: string }; dir: string; audioDir: string } {
  const dir = tempDir();
  const db = join(dir, 'history.sqlite');
  const audioDir = join(dir, 'audio');
  const store = HistoryStore.open(db, { audioDir });
  const base = { language: 'en', profile: 'balanced' } as const;
  store.add({
    ...base,
    createdAt: T0,
    text: 'Turn on the kitchen lights',
    trigger: 'wake',
    keyword: 'hey_jarvis',
    durationMs: 1200,
    latency: { total: 310 },
  });
  store.add({ ...base, createdAt: T0 + 65_000, text: 'What time is it?', trigger: 'ptt', durationMs: 300 });
  store.add(
    {
      ...base,
      createdAt: T0 + 90_000,
      text: 'Lights off "AND" NEAR(now)',
      trigger: 'wake',
      keyword: 'alexa',
      durationMs: 800,
    },
    { samples: new Float32Array(1600), sampleRate: 16_000 },
  );
  store.close();
  return { env: { EARSHOT_HISTORY_DB: db }, dir, audioDir };
}

const json = (stdout: string): EntryJson[] => (JSON.parse(stdout) as { entries: EntryJson[] }).entries;

describe('earshot history', () => {
  it('lists entries newest first as text and as JSON', async () => {
    const { env, audioDir } = seed();
    const [text, asJson, ptt] = await Promise.all([
      runCli(['history'], env),
      runCli(['history', '--json'], env),
      runCli(['history', 'list', '--trigger', 'ptt', '--limit', '5', '--json'], env),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe(
      [
        '#3  2025-01-02 09:31:30  [wake: alexa]  Lights off "AND" NEAR(now)',
        '#2  2025-01-02 09:31:05  [ptt]  What time is it?',
        '#1  2025-01-02 09:30:00  [wake: hey_jarvis]  Turn on the kitchen lights',
        '',
      ].join('\n'),
    );
    expect(text.stderr).toContain('3 of 3 entries in');

    expect(asJson.code, asJson.stderr).toBe(0);
    const entries = json(asJson.stdout);
    expect(entries.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(entries[2]).toEqual({
      id: 1,
      created_at: '2025-01-02T09:30:00.250Z',
      text: 'Turn on the kitchen lights',
      language: 'en',
      trigger: 'wake',
      keyword: 'hey_jarvis',
      profile: 'balanced',
      device: null,
      duration_ms: 1200,
      latency_ms: { total: 310 },
      audio_path: null,
    });
    expect(entries[0]!.audio_path).toBe(join(audioDir, '3.wav'));
    expect(json(ptt.stdout).map((e) => e.id)).toEqual([2]);
  });

  it('searches with FTS5, whatever characters the search holds', async () => {
    const { env } = seed();
    const [lights, hostile, none] = await Promise.all([
      runCli(['history', '--search', 'lights', '--json'], env),
      runCli(['history', '--search', '"AND" NEAR( -', '--json'], env),
      runCli(['history', '--search', 'weather'], env),
    ]);
    expect(lights.code, lights.stderr).toBe(0);
    expect(json(lights.stdout).map((e) => [e.id, e.snippet])).toEqual([
      [3, '[Lights] off "AND" NEAR(now)'],
      [1, 'Turn on the kitchen [lights]'],
    ]);
    expect(hostile.code, hostile.stderr).toBe(0);
    expect(json(hostile.stdout).map((e) => e.id)).toEqual([3]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('No entries found (3 in');
  });

  it('exports SRT to a file and JSON to stdout, oldest first', async () => {
    const { env, dir } = seed();
    const out = join(dir, 'history.srt');
    writeFileSync(out, 'an older export, replaced whole');
    const [srt, asJson, txt] = await Promise.all([
      runCli(['history', 'export', '--format', 'srt', '--out', out], env),
      runCli(['history', 'export', '--format', 'json'], env),
      runCli(['history', 'export', '--format', 'txt', '--search', 'lights', '--trigger', 'wake'], env),
    ]);
    expect(srt.code, srt.stderr).toBe(0);
    expect(srt.stdout).toBe('');
    expect(srt.stderr).toContain(`Wrote ${out}.`);
    expect(readFileSync(out, 'utf8')).toBe(
      [
        '1',
        '00:00:00,000 --> 00:00:01,200',
        'Turn on the kitchen lights',
        '',
        '2',
        '00:01:05,000 --> 00:01:05,500',
        'What time is it?',
        '',
        '3',
        '00:01:30,000 --> 00:01:30,800',
        'Lights off "AND" NEAR(now)',
        '',
        '',
      ].join('\n'),
    );
    expect(asJson.code, asJson.stderr).toBe(0);
    expect((JSON.parse(asJson.stdout) as EntryJson[]).map((e) => e.id)).toEqual([1, 2, 3]);
    expect(txt.stdout).toBe(
      '2025-01-02 09:30:00  [wake]  Turn on the kitchen lights\n2025-01-02 09:31:30  [wake]  Lights off "AND" NEAR(now)\n',
    );
  });

  it('deletes an entry and its audio file', async () => {
    const { env, audioDir } = seed();
    expect(existsSync(join(audioDir, '3.wav'))).toBe(true);
    const deleted = await runCli(['history', 'delete', '3'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe('Deleted history entry #3.\n');
    expect(existsSync(join(audioDir, '3.wav'))).toBe(false);

    const [after, again] = await Promise.all([
      runCli(['history', '--search', 'lights', '--json'], env),
      runCli(['history', 'delete', '3'], env),
    ]);
    expect(json(after.stdout).map((e) => e.id)).toEqual([1]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('there is no history entry #3');
  });

  it('refuses bad usage with exit status 2 and says what is wrong', async () => {
    const { env } = seed();
    const cases: [string[], RegExp][] = [
      [['history', 'export', '--format', 'docx'], /--format must be txt, json, srt; "docx" is not one of them/],
      [['history', 'export'], /give --format txt\|json\|srt/],
      [['history', 'export', '--format', 'txt', '--json'], /--json does not apply to "history export"/],
      [['history', '--trigger', 'clap'], /--trigger must be wake or ptt/],
      [['history', '--limit', '0'], /--limit must be a whole number from 1 to 100000/],
      [['history', 'delete', 'abc'], /give the id of one entry/],
      [['history', 'purge'], /unknown subcommand "purge"/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, env)));
    results.forEach((result, i) => {
      const [args, message] = cases[i]!;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain('Try `earshot history --help`.');
      expect(result.stdout).toBe('');
    });
  });

  it('starts a new history when the file is not a database, and says where the old one went', async () => {
    const dir = tempDir();
    const db = join(dir, 'history.sqlite');
    writeFileSync(db, 'not a database at all'.repeat(100));
    const result = await runCli(['history', '--json'], { EARSHOT_HISTORY_DB: db });
    expect(result.code, result.stderr).toBe(0);
    expect(json(result.stdout)).toEqual([]);
    const moved = /moved to (\S+)/.exec(result.stderr)?.[1];
    expect(moved).toMatch(/history\.sqlite\.corrupt-/);
    expect(readFileSync(moved!, 'utf8')).toBe('not a database at all'.repeat(100));
  });
});
