// The SQLite utterance history on real files: WAL, search, audio retention, recovery, durability under kill -9, and export.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { decodeWavFile } from '../../src/main/audio/wav';
import { exportHistory, SRT_MIN_CUE_MS } from '../../src/main/history/history-export';
import {
  HISTORY_MIGRATIONS,
  HISTORY_SCHEMA_VERSION,
  ftsQuery,
  HistoryStore,
  type HistoryEntry,
  type HistoryEntryInput,
} from '../../src/main/history/history-store';
import { AppError } from '../../src/shared/errors';
import { ROOT } from '../support/cli-process';
import { useTempDirs } from '../support/temp-dir';

const tempDir = useTempDirs();
const T0 = Date.UTC(2025, 0, 2, 9, 30, 0, 250);

function entry(text: string, more: Partial<HistoryEntryInput> = {}): HistoryEntryInput {
  return { text, language: 'en', trigger: 'ptt', profile: 'balanced', durationMs: 1000, ...more };
}

function openTemp(options?: Parameters<typeof HistoryStore.open>[1]): { store: HistoryStore; path: string } {
  const path = join(tempDir(), 'history.sqlite');
  return { store: HistoryStore.open(path, options), path };
}

/** Reads the file with a connection of its own, as another process would. */
function rawQuery<T>(path: string, sql: string): T {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).get() as T;
  } finally {
    db.close();
  }
}

function sine(seconds: number, sampleRate = 16_000): Float32Array {
  const samples = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * 440 * i) / sampleRate);
  return samples;
}

describe('HistoryStore', () => {
  it('creates a WAL database at the current schema version with the FTS index', () => {
    const { store, path } = openTemp();
    store.close();
    expect(rawQuery<{ journal_mode: string }>(path, 'PRAGMA journal_mode').journal_mode).toBe('wal');
    expect(rawQuery<{ user_version: number }>(path, 'PRAGMA user_version').user_version).toBe(HISTORY_SCHEMA_VERSION);
    const fts = rawQuery<{ sql: string }>(path, "SELECT sql FROM sqlite_schema WHERE name = 'utterances_fts'");
    expect(fts.sql).toMatch(/fts5/i);
    // Reopening an up-to-date history migrates nothing and keeps it.
    HistoryStore.open(path).close();
  });

  it('adds entries, gets them back whole and lists them newest first with filters', () => {
    const { store } = openTemp();
    const a = store.add(
      entry('turn on the lights', {
        createdAt: T0,
        trigger: 'wake',
        keyword: 'hey_jarvis',
        device: 'USB mic',
        durationMs: 1200,
        latency: { vad: 12, encoder: 80.5, total: 150 },
      }),
    );
    const b = store.add(entry('what time is it', { createdAt: T0 + 2000 }));
    const c = store.add(entry('stop the music', { createdAt: T0 + 1000, trigger: 'wake', keyword: 'alexa' }));
    expect([a.id, b.id, c.id]).toEqual([1, 2, 3]);
    expect(store.get(a.id)).toEqual({
      id: 1,
      createdAt: T0,
      text: 'turn on the lights',
      language: 'en',
      trigger: 'wake',
      keyword: 'hey_jarvis',
      profile: 'balanced',
      device: 'USB mic',
      durationMs: 1200,
      latency: { vad: 12, encoder: 80.5, total: 150 },
      command: null,
      audioPath: null,
    });
    expect(store.get(b.id)).toEqual(b);
    expect(store.get(99)).toBeUndefined();
    expect(store.count()).toBe(3);

    const ids = (entries: HistoryEntry[]): number[] => entries.map((e) => e.id);
    expect(ids(store.list())).toEqual([2, 3, 1]);
    expect(ids(store.list({ trigger: 'wake' }))).toEqual([3, 1]);
    expect(ids(store.list({ limit: 1, offset: 1 }))).toEqual([3]);
    expect(ids(store.list({ before: T0 + 2000, after: T0 }))).toEqual([3]);
    // Without a createdAt the entry is stamped now.
    const now = store.add(entry('just now'));
    expect(Math.abs(now.createdAt - Date.now())).toBeLessThan(5000);

    expect(() => store.add({ ...entry('x'), trigger: 'clap' as 'ptt' })).toThrow(/trigger/);
    expect(() => store.add({ ...entry('x'), durationMs: -1 })).toThrow();
    expect(() => store.add({ ...entry('x'), extra: 1 } as HistoryEntryInput)).toThrow(/extra/);
    expect(store.count()).toBe(4);
    store.close();
  });

  it('finds words with FTS5, marks them in snippets and ranks by relevance on request', () => {
    const { store } = openTemp();
    store.add(entry('Turn on the kitchen lights', { createdAt: T0 }));
    store.add(entry('lights lights lights everywhere', { createdAt: T0 + 1 }));
    store.add(entry('Play some music in the kitchen', { createdAt: T0 + 2 }));
    store.add(entry('Réveille-moi à sept heures', { createdAt: T0 + 3, language: 'fr' }));

    const lights = store.list({ search: 'LIGHTS' });
    expect(lights.map((e) => e.id)).toEqual([2, 1]);
    expect(lights[1]!.snippet).toBe('Turn on the kitchen [lights]');
    expect(store.list({ search: 'kitchen lights' }).map((e) => e.id)).toEqual([1]);
    expect(store.list({ search: 'kit*' }).map((e) => e.id)).toEqual([3, 1]);
    // unicode61 with remove_diacritics: "reveille" finds "Réveille".
    expect(store.list({ search: 'reveille' }).map((e) => e.id)).toEqual([4]);
    // Newest first by default; best match first on request (three "lights" beat one).
    store.add(entry('the lights', { createdAt: T0 + 10 }));
    expect(store.list({ search: 'lights' }).map((e) => e.id)).toEqual([5, 2, 1]);
    expect(store.list({ search: 'lights', order: 'relevance' })[0]!.id).toBe(2);
    // An empty or blank search lists everything, without snippets.
    expect(store.list({ search: '  ' })).toHaveLength(5);
    expect(store.list({ search: '' })[0]!.snippet).toBeUndefined();
    store.close();
  });

  it('treats quotes and FTS5 operators in the search as plain text', () => {
    const { store } = openTemp();
    store.add(entry('say "AND" NEAR(the door) - now', { createdAt: T0 }));
    store.add(entry('open the door', { createdAt: T0 + 1 }));
    for (const hostile of [
      '"',
      '"door',
      'AND',
      'door AND',
      'OR',
      'NOT door',
      '*',
      '-',
      '- door',
      'NEAR(',
      'NEAR(door',
      ')',
      'text:door',
      '^door',
      '{text}',
      "'",
      '"" ""',
      '+ ; ,',
    ]) {
      expect(() => store.list({ search: hostile }), hostile).not.toThrow();
    }
    // The operator words are ordinary words of the text.
    expect(store.list({ search: 'AND' }).map((e) => e.id)).toEqual([1]);
    expect(store.list({ search: 'NEAR(the' }).map((e) => e.id)).toEqual([1]);
    expect(store.list({ search: '"door"' }).map((e) => e.id)).toEqual([2, 1]);
    expect(store.list({ search: 'NOT door' })).toEqual([]);
    // Punctuation alone is not a word: it matches nothing, and does not narrow a real word.
    expect(store.list({ search: '-' })).toEqual([]);
    expect(store.list({ search: 'door -' }).map((e) => e.id)).toEqual([2, 1]);
    expect(ftsQuery('a "b" c* *')).toBe('"a" """b""" "c"* "*"');
    store.close();
  });

  it('deletes entries from the table and the FTS index, and keeps the index in step with updates', () => {
    const { store, path } = openTemp();
    const a = store.add(entry('remember the milk', { createdAt: T0 }));
    const b = store.add(entry('remember the eggs', { createdAt: T0 + 1 }));
    expect(store.delete(a.id)).toBe(true);
    expect(store.delete(a.id)).toBe(false);
    expect(store.get(a.id)).toBeUndefined();
    expect(store.list({ search: 'milk' })).toEqual([]);
    expect(store.list({ search: 'remember' }).map((e) => e.id)).toEqual([b.id]);

    // No update API yet; the trigger must still keep the index right if a later version edits text.
    const db = new Database(path);
    db.prepare('UPDATE utterances SET text = ? WHERE id = ?').run('remember the bread', b.id);
    db.close();
    expect(store.list({ search: 'eggs' })).toEqual([]);
    expect(store.list({ search: 'bread' }).map((e) => e.id)).toEqual([b.id]);
    store.close();

    const check = new Database(path);
    expect(() => check.exec("INSERT INTO utterances_fts (utterances_fts) VALUES ('integrity-check')")).not.toThrow();
    check.close();
  });

  it('keeps audio as WAV files and prunes the oldest beyond the size cap', async () => {
    const audioDir = join(tempDir(), 'audio');
    const wavBytes = 44 + 8000 * 2; // 0.5 s at 16 kHz, 16-bit mono
    const { store } = openTemp({ audioDir, audioCapBytes: 2 * wavBytes + 100 });
    const audio = { samples: sine(0.5), sampleRate: 16_000 };
    const added = [1, 2, 3, 4].map((n) => store.add(entry(`utterance ${n}`, { createdAt: T0 + n }), audio));

    expect(added.map((e) => e.audioPath)).toEqual([1, 2, 3, 4].map((id) => join(audioDir, `${id}.wav`)));
    // Only the newest two fit under the cap: the older files are gone and their rows forget them.
    expect([1, 2, 3, 4].map((id) => existsSync(join(audioDir, `${id}.wav`)))).toEqual([false, false, true, true]);
    expect([1, 2, 3, 4].map((id) => store.get(id)!.audioPath)).toEqual([
      null,
      null,
      join(audioDir, '3.wav'),
      join(audioDir, '4.wav'),
    ]);
    const wav = await decodeWavFile(join(audioDir, '4.wav'));
    expect(wav).toMatchObject({ sampleRate: 16_000, channels: 1, frames: 8000, encoding: 'pcm' });
    for (let i = 0; i < wav.samples.length; i += 997) expect(wav.samples[i]).toBeCloseTo(audio.samples[i]!, 4);

    // Deleting an entry removes its file.
    expect(store.delete(4)).toBe(true);
    expect(existsSync(join(audioDir, '4.wav'))).toBe(false);
    // A clip larger than the whole cap is not kept (and evicts nothing), but its text is.
    const long = store.add(entry('a long one'), { samples: sine(1.1), sampleRate: 16_000 });
    expect(long.id).toBe(5); // never 4 again: ids are not reused
    expect(long.audioPath).toBeNull();
    expect(existsSync(join(audioDir, `${long.id}.wav`))).toBe(false);
    expect(store.get(long.id)!.text).toBe('a long one');
    expect(existsSync(join(audioDir, '3.wav'))).toBe(true);

    // The cap is a setting: lowered, the oldest recordings go at once; raised, a longer clip is kept.
    store.add(entry('utterance 6'), audio);
    store.setAudioCap(wavBytes + 100);
    expect(existsSync(join(audioDir, '3.wav'))).toBe(false);
    expect(store.get(3)!.audioPath).toBeNull();
    expect(store.get(3)!.text).toBe('utterance 3');
    expect(existsSync(join(audioDir, '6.wav'))).toBe(true);
    store.setAudioCap(10 * wavBytes);
    expect(store.add(entry('a long one again'), { samples: sine(1.1), sampleRate: 16_000 }).audioPath).not.toBeNull();
    store.close();
  });

  it('drops audio when retention is off, and keeps the text when the audio is unusable', () => {
    const { store: plain } = openTemp();
    expect(plain.add(entry('no retention'), { samples: sine(0.1), sampleRate: 16_000 }).audioPath).toBeNull();
    plain.close();

    const logged: string[] = [];
    const logger = { debug() {}, info() {}, warn: (m: string) => logged.push(m), error() {} };
    const { store } = openTemp({ audioDir: join(tempDir(), 'audio'), logger });
    const bad = store.add(entry('bad audio'), { samples: sine(0.1), sampleRate: 0 });
    expect(bad.audioPath).toBeNull();
    expect(store.get(bad.id)!.text).toBe('bad audio');
    expect(logged).toEqual([`could not keep the audio of history entry #${bad.id}`]);
    store.close();
  });

  it.each([
    ['garbage bytes', Buffer.from('definitely not a database\n'.repeat(300))],
    ['an SQLite header over garbage', Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8176, 0xa5)])],
  ])('moves %s aside, with its WAL files, and starts a fresh history', (_, bytes) => {
    const path = join(tempDir(), 'history.sqlite');
    writeFileSync(path, bytes);
    writeFileSync(path + '-wal', 'stale wal');
    const store = HistoryStore.open(path);
    expect(store.recovered).toMatch(/history\.sqlite\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    expect(readFileSync(store.recovered!)).toEqual(bytes);
    expect(readFileSync(store.recovered! + '-wal', 'utf8')).toBe('stale wal');
    expect(store.count()).toBe(0);
    store.add(entry('a fresh start'));
    expect(store.list({ search: 'fresh' })).toHaveLength(1);
    store.close();

    const again = HistoryStore.open(path);
    expect(again.recovered).toBeUndefined();
    expect(again.count()).toBe(1);
    again.close();
  });

  it('brings a version 1 history to version 2: entries, search and ids kept, commands and taken-back entries possible', () => {
    const path = join(tempDir(), 'history.sqlite');
    const v1 = new Database(path);
    HISTORY_MIGRATIONS[0]!(v1);
    v1.pragma('user_version = 1');
    const insert = v1.prepare(
      `INSERT INTO utterances (created_at, text, language, "trigger", keyword, profile, duration_ms)
       VALUES (?, ?, 'en', ?, NULL, 'balanced', 900)`,
    );
    insert.run(T0, 'turn on the kitchen lights', 'wake');
    insert.run(T0 + 1, 'what time is it', 'ptt');
    insert.run(T0 + 2, 'deleted before the upgrade', 'ptt');
    v1.prepare('DELETE FROM utterances WHERE id = 3').run();
    v1.close();

    const store = HistoryStore.open(path);
    expect(rawQuery<{ user_version: number }>(path, 'PRAGMA user_version').user_version).toBe(2);
    expect(store.list().map((e) => [e.id, e.text, e.command])).toEqual([
      [2, 'what time is it', null],
      [1, 'turn on the kitchen lights', null],
    ]);
    expect(store.list({ search: 'kitchen' }).map((e) => e.id)).toEqual([1]);
    // The counter carried over: id 3 was used once, and is never given again.
    const command = store.add({
      ...entry('switch to the low latency profile'),
      trigger: 'command',
      command: { id: 'switch-profile', slots: { profile: 'low-latency' }, ok: true, message: 'Now using Low latency.' },
    });
    expect(command.id).toBe(4);
    expect(store.get(4)?.command).toEqual({
      id: 'switch-profile',
      slots: { profile: 'low-latency' },
      ok: true,
      message: 'Now using Low latency.',
    });
    expect(store.list({ trigger: 'command' }).map((e) => e.id)).toEqual([4]);
    // "Scratch that": the entry leaves the lists, searches and the count, once.
    expect(store.markDeleted(2)).toBe(true);
    expect(store.markDeleted(2)).toBe(false);
    expect(store.markDeleted(99)).toBe(false);
    expect(store.list().map((e) => e.id)).toEqual([4, 1]);
    expect(store.list({ search: 'time' })).toEqual([]);
    expect(store.count()).toBe(2);
    store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('refuses a history from a newer schema version, and an SQLite file that is not a history', () => {
    const { store, path } = openTemp();
    store.add(entry('from the future'));
    store.close();
    const db = new Database(path);
    db.pragma(`user_version = ${HISTORY_SCHEMA_VERSION + 1}`);
    db.close();
    const refusal = (() => {
      try {
        HistoryStore.open(path);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).message).toMatch(
      new RegExp(
        `written by a newer Earshot \\(schema version ${HISTORY_SCHEMA_VERSION + 1}; this one reads up to ${HISTORY_SCHEMA_VERSION}\\)`,
      ),
    );
    // Left as it was.
    expect(rawQuery<{ user_version: number }>(path, 'PRAGMA user_version').user_version).toBe(
      HISTORY_SCHEMA_VERSION + 1,
    );
    expect(rawQuery<{ n: number }>(path, 'SELECT count(*) AS n FROM utterances').n).toBe(1);

    const other = join(tempDir(), 'other.sqlite');
    const foreign = new Database(other);
    foreign.exec('CREATE TABLE notes (body TEXT)');
    foreign.close();
    expect(() => HistoryStore.open(other)).toThrow(/is an SQLite database but not an Earshot history/);
    expect(rawQuery<{ n: number }>(other, "SELECT count(*) AS n FROM sqlite_schema WHERE name = 'utterances'").n).toBe(
      0,
    );
  });

  it('keeps every committed entry when the writing process is killed with SIGKILL', async () => {
    const dir = tempDir();
    const path = join(dir, 'history.sqlite');
    const audioDir = join(dir, 'audio');
    const store = join(ROOT, 'src', 'main', 'history', 'history-store.ts');
    // Adds entries (with audio, pruned to a small cap) as fast as it can, reporting each commit.
    const writer = `
      import { HistoryStore } from ${JSON.stringify(store)};
      const store = HistoryStore.open(process.env.HISTORY_DB, { audioDir: process.env.AUDIO_DIR, audioCapBytes: 200000 });
      const samples = new Float32Array(1600).map((_, i) => Math.sin(i / 5) / 2);
      let n = 0;
      const batch = () => {
        for (let k = 0; k < 20; k++, n++) {
          const e = store.add({ text: 'utterance number ' + n, language: 'en', trigger: n % 2 ? 'wake' : 'ptt',
            profile: 'balanced', durationMs: 100, latency: { total: n } }, { samples, sampleRate: 16000 });
          process.stdout.write('committed ' + e.id + '\\n');
        }
        setImmediate(batch);
      };
      batch();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', writer], {
      cwd: ROOT,
      env: { ...process.env, HISTORY_DB: path, AUDIO_DIR: audioDir },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const committed: number[] = [];
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const id = Number(/^committed (\d+)$/.exec(line)?.[1]);
      if (!id) return;
      committed.push(id);
      if (committed.length === 500) child.kill('SIGKILL');
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('close', (c, s) => resolve([c, s])),
    );
    expect(signal, stderr).toBe('SIGKILL');
    expect(code).toBeNull();
    expect(committed.length).toBeGreaterThanOrEqual(500);
    // Killed with its connection open: the commits are still in the WAL, not yet checkpointed.
    expect(existsSync(path + '-wal')).toBe(true);

    const reopened = HistoryStore.open(path, { audioDir });
    expect(reopened.recovered).toBeUndefined();
    for (const id of committed) {
      const row = reopened.get(id);
      expect(row?.text, `entry #${id}`).toBe(`utterance number ${id - 1}`);
    }
    expect(reopened.count()).toBeGreaterThanOrEqual(committed.length);
    expect(reopened.list({ search: `${committed.length - 1}` }).map((e) => e.id)).toContain(committed.length);
    // A row that names a WAV file has the whole file: the rename comes before the row update.
    const withAudio = reopened.list({ limit: 100_000 }).filter((e) => e.audioPath);
    expect(withAudio.length).toBeGreaterThan(0);
    for (const e of withAudio) expect((await decodeWavFile(e.audioPath!)).frames).toBe(1600);
    reopened.close();

    const db = new Database(path, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const fts = new Database(path);
    expect(() => fts.exec("INSERT INTO utterances_fts (utterances_fts) VALUES ('integrity-check')")).not.toThrow();
    fts.close();
  });
});

describe('exportHistory', () => {
  const base: Omit<HistoryEntry, 'id' | 'createdAt' | 'text' | 'trigger' | 'durationMs'> = {
    language: 'en',
    keyword: null,
    profile: 'balanced',
    device: null,
    latency: {},
    command: null,
    audioPath: null,
  };
  // Given newest first, as list() returns them; every format writes them oldest first.
  const entries: HistoryEntry[] = [
    { ...base, id: 4, createdAt: T0 + 3_723_456, text: 'Stop', trigger: 'wake', keyword: 'alexa', durationMs: 2000 },
    { ...base, id: 3, createdAt: T0 + 70_000, text: '   ', trigger: 'ptt', durationMs: 900 },
    {
      ...base,
      id: 2,
      createdAt: T0 + 65_000,
      text: 'What time is it?\nPlease  tell me',
      trigger: 'ptt',
      durationMs: 300,
    },
    {
      ...base,
      id: 1,
      createdAt: T0,
      text: 'Turn on the lights',
      trigger: 'wake',
      keyword: 'hey_jarvis',
      device: 'USB mic',
      durationMs: 1200,
      latency: { encoder: 80.5, total: 310 },
      audioPath: '/data/audio/1.wav',
    },
  ];

  it('writes TXT as one UTC line per entry', () => {
    expect(exportHistory(entries, 'txt')).toBe(
      [
        '2025-01-02 09:30:00  [wake]  Turn on the lights',
        '2025-01-02 09:31:05  [ptt]  What time is it? Please tell me',
        '2025-01-02 09:31:10  [ptt]  ',
        '2025-01-02 10:32:03  [wake]  Stop',
        '',
      ].join('\n'),
    );
    expect(exportHistory([], 'txt')).toBe('');
  });

  it('writes JSON as an array of snake_case entries', () => {
    const expected = [
      {
        id: 1,
        created_at: '2025-01-02T09:30:00.250Z',
        text: 'Turn on the lights',
        language: 'en',
        trigger: 'wake',
        keyword: 'hey_jarvis',
        profile: 'balanced',
        device: 'USB mic',
        duration_ms: 1200,
        latency_ms: { encoder: 80.5, total: 310 },
        audio_path: '/data/audio/1.wav',
      },
    ];
    expect(exportHistory(entries.slice(3), 'json')).toBe(JSON.stringify(expected, null, 2) + '\n');
    expect(JSON.parse(exportHistory(entries, 'json')).map((e: { id: number }) => e.id)).toEqual([1, 2, 3, 4]);
    expect(exportHistory([], 'json')).toBe('[]\n');
  });

  it('writes SRT cues on a timeline from the first entry, skipping empty text', () => {
    expect(SRT_MIN_CUE_MS).toBe(500);
    expect(exportHistory(entries, 'srt')).toBe(
      [
        '1',
        '00:00:00,000 --> 00:00:01,200',
        'Turn on the lights',
        '',
        '2',
        '00:01:05,000 --> 00:01:05,500',
        'What time is it? Please tell me',
        '',
        '3',
        '01:02:03,456 --> 01:02:05,456',
        'Stop',
        '',
        '',
      ].join('\n'),
    );
    const days = [entries[3]!, { ...entries[0]!, createdAt: T0 + 100 * 3_600_000 + 1 }];
    expect(exportHistory(days, 'srt')).toContain('\n100:00:00,001 --> 100:00:02,001\nStop\n');
    expect(exportHistory([], 'srt')).toBe('');
  });
});
