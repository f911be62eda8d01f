/**
 * The utterance history: one SQLite row per utterance, full-text search over the text (FTS5),
 * and optionally each utterance's audio as a WAV file, the oldest pruned beyond a size cap.
 *
 * better-sqlite3 is synchronous and runs in main (Electron or Node); every method here is a
 * few milliseconds of local disk work at most. It is a native module: the Electron build needs
 * it rebuilt for Electron's ABI (electron-builder does this).
 *
 * Several processes may open the same file (the app and `earshot history`): WAL lets readers
 * run beside one writer, and better-sqlite3's default busy timeout (5 s) covers the rest.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import {
  CommandRecordSchema as HistoryCommandSchema,
  type CommandRecord as HistoryCommand,
} from '../../shared/commands';
import { AppError } from '../../shared/errors';
import { HISTORY_TRIGGER_NAMES } from '../../shared/session';
import { encodeWav } from '../audio/wav';
import { createLogger, type Logger } from '../log';

/** How an entry came: a wake word or push-to-talk dictation, or a voice command (either way). */
export const HISTORY_TRIGGERS = HISTORY_TRIGGER_NAMES;
export type HistoryTrigger = (typeof HISTORY_TRIGGERS)[number];

/** What the session records for one utterance; `add` fills in `id` (and `createdAt` if absent). */
export const HistoryEntryInputSchema = z
  .object({
    /** Milliseconds since the epoch; defaults to now. */
    createdAt: z.number().int().nonnegative().optional(),
    text: z.string(),
    /** Whisper's language code, e.g. "en". */
    language: z.string().min(1).max(32),
    trigger: z.enum(HISTORY_TRIGGERS),
    /** The wake word that opened the utterance (null for push-to-talk). */
    keyword: z.string().min(1).nullable().optional(),
    profile: z.string().min(1),
    device: z.string().nullable().optional(),
    durationMs: z.number().int().nonnegative(),
    /** Named stages in milliseconds, e.g. { vad: 12, encoder: 80, decoder: 40, total: 150 }. */
    latency: z.record(z.string(), z.number().nonnegative()).default({}),
    /** For a voice command: which one ran, with what, and how it went. */
    command: HistoryCommandSchema.nullable().optional(),
  })
  .strict();
export type HistoryEntryInput = z.input<typeof HistoryEntryInputSchema>;

export interface HistoryEntry {
  id: number;
  createdAt: number;
  text: string;
  language: string;
  trigger: HistoryTrigger;
  keyword: string | null;
  profile: string;
  device: string | null;
  durationMs: number;
  latency: Record<string, number>;
  command: HistoryCommand | null;
  /** The retained WAV file, or null (retention off, or pruned). */
  audioPath: string | null;
  /** Only when listing with a search: the text around the matches, each match between SNIPPET_MARKERS. */
  snippet?: string;
}

/** What `list` takes; a zod schema so that IPC can validate it as is. */
export const HistoryQuerySchema = z
  .object({
    /** Words to find (each must occur; a trailing `*` matches a prefix). Empty or blank lists all. */
    search: z.string().optional(),
    trigger: z.enum(HISTORY_TRIGGERS).optional(),
    limit: z.number().int().positive().default(100),
    offset: z.number().int().nonnegative().default(0),
    /** Only entries created strictly before this time (ms since the epoch). */
    before: z.number().int().optional(),
    /** Only entries created strictly after this time (ms since the epoch). */
    after: z.number().int().optional(),
    /** Newest first (default), or best match first when searching. */
    order: z.enum(['newest', 'relevance']).default('newest'),
  })
  .strict();
export type HistoryQuery = z.input<typeof HistoryQuerySchema>;

export const SNIPPET_MARKERS = { open: '[', close: ']', ellipsis: '…' } as const;
/** Tokens of context `snippet()` shows around the matches. */
const SNIPPET_TOKENS = 16;

export const DEFAULT_AUDIO_CAP_BYTES = 256 * 1024 * 1024;

export interface HistoryOpenOptions {
  /** Keep each utterance's audio as `<audioDir>/<id>.wav`; without it, audio given to `add` is dropped. */
  audioDir?: string;
  /** The retained WAV files are pruned, oldest first, until they total at most this (default 256 MiB). */
  audioCapBytes?: number;
  /** Where problems that do not fail a call (audio that could not be kept) are reported. */
  logger?: Logger;
}

export interface HistoryAudio {
  /** Mono, full scale = 1.0. */
  samples: Float32Array;
  sampleRate: number;
}

/** The schema version this code writes: `PRAGMA user_version`. */
export const HISTORY_SCHEMA_VERSION = 2;

/** The indexes and full-text triggers of the utterances table (created again when it is rebuilt). */
const UTTERANCE_INDEXES = `
  CREATE INDEX utterances_created_at ON utterances (created_at);
  -- Pruning and the retained total read only the rows that still have audio.
  CREATE INDEX utterances_audio ON utterances (id, audio_bytes) WHERE audio_path IS NOT NULL;
  CREATE TRIGGER utterances_fts_insert AFTER INSERT ON utterances BEGIN
    INSERT INTO utterances_fts (rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER utterances_fts_delete AFTER DELETE ON utterances BEGIN
    INSERT INTO utterances_fts (utterances_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  CREATE TRIGGER utterances_fts_update AFTER UPDATE OF text ON utterances BEGIN
    INSERT INTO utterances_fts (utterances_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO utterances_fts (rowid, text) VALUES (new.id, new.text);
  END;`;

/**
 * HISTORY_MIGRATIONS[n] takes the schema from version n to n + 1, inside one transaction that also
 * sets user_version, so a migration is applied whole or not at all.
 */
export const HISTORY_MIGRATIONS: readonly ((db: Database.Database) => void)[] = [
  (db) =>
    db.exec(`
      CREATE TABLE utterances (
        -- AUTOINCREMENT: ids are shown to the user (history delete ID) and name WAV files; never reuse one.
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at  INTEGER NOT NULL,
        text        TEXT    NOT NULL,
        language    TEXT    NOT NULL,
        "trigger"   TEXT    NOT NULL CHECK ("trigger" IN ('wake', 'ptt')),
        keyword     TEXT,
        profile     TEXT    NOT NULL,
        device      TEXT,
        duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
        latency     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(latency)),
        audio_path  TEXT,
        audio_bytes INTEGER
      );
      CREATE INDEX utterances_created_at ON utterances (created_at);
      -- Pruning and the retained total read only the rows that still have audio.
      CREATE INDEX utterances_audio ON utterances (id, audio_bytes) WHERE audio_path IS NOT NULL;

      -- External content: the text lives once, in utterances; the triggers keep the index in step.
      CREATE VIRTUAL TABLE utterances_fts USING fts5(
        text, content = 'utterances', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER utterances_fts_insert AFTER INSERT ON utterances BEGIN
        INSERT INTO utterances_fts (rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TRIGGER utterances_fts_delete AFTER DELETE ON utterances BEGIN
        INSERT INTO utterances_fts (utterances_fts, rowid, text) VALUES ('delete', old.id, old.text);
      END;
      CREATE TRIGGER utterances_fts_update AFTER UPDATE OF text ON utterances BEGIN
        INSERT INTO utterances_fts (utterances_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO utterances_fts (rowid, text) VALUES (new.id, new.text);
      END;
    `),
  // v2: voice commands (trigger 'command', what ran in `command`) and dictations taken back by
  // "scratch that" (`deleted_at`). SQLite cannot change a CHECK, so the table is rebuilt; ids and
  // the AUTOINCREMENT counter carry over, and the full-text index keeps its rows (same ids).
  (db) =>
    db.exec(`
      CREATE TABLE utterances_v2 (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at  INTEGER NOT NULL,
        text        TEXT    NOT NULL,
        language    TEXT    NOT NULL,
        "trigger"   TEXT    NOT NULL CHECK ("trigger" IN ('wake', 'ptt', 'command')),
        keyword     TEXT,
        profile     TEXT    NOT NULL,
        device      TEXT,
        duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
        latency     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(latency)),
        audio_path  TEXT,
        audio_bytes INTEGER,
        command     TEXT    CHECK (command IS NULL OR json_valid(command)),
        deleted_at  INTEGER
      );
      INSERT INTO utterances_v2 (id, created_at, text, language, "trigger", keyword, profile, device, duration_ms, latency, audio_path, audio_bytes)
        SELECT id, created_at, text, language, "trigger", keyword, profile, device, duration_ms, latency, audio_path, audio_bytes FROM utterances;
      UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'utterances'), 0))
        WHERE name = 'utterances_v2';
      DELETE FROM sqlite_sequence WHERE name = 'utterances';
      DROP TABLE utterances;
      ALTER TABLE utterances_v2 RENAME TO utterances;
      ${UTTERANCE_INDEXES}
    `),
];

interface Row {
  id: number;
  created_at: number;
  text: string;
  language: string;
  trigger: HistoryTrigger;
  keyword: string | null;
  profile: string;
  device: string | null;
  duration_ms: number;
  latency: string;
  audio_path: string | null;
  command: string | null;
  snippet?: string;
}

const COLUMNS = `u.id, u.created_at, u.text, u.language, u."trigger", u.keyword, u.profile, u.device,
  u.duration_ms, u.latency, u.audio_path, u.command`;
/** Filters shared by the list statements: a null parameter switches its filter off; taken-back entries are left out. */
const FILTERS = `u.deleted_at IS NULL AND (@trigger IS NULL OR u."trigger" = @trigger)
  AND (@before IS NULL OR u.created_at < @before) AND (@after IS NULL OR u.created_at > @after)`;
const NEWEST = 'u.created_at DESC, u.id DESC';

export class HistoryStore {
  private readonly audioDir: string | undefined;
  private audioCapBytes: number;
  private readonly log: Logger;
  private readonly statements;

  private constructor(
    private readonly db: Database.Database,
    /** The file that was open here, moved aside because it was not a readable database. */
    readonly recovered: string | undefined,
    options: HistoryOpenOptions,
  ) {
    this.audioDir = options.audioDir === undefined ? undefined : resolve(options.audioDir);
    this.audioCapBytes = options.audioCapBytes ?? DEFAULT_AUDIO_CAP_BYTES;
    this.log = options.logger ?? createLogger('history');
    const snippet = `snippet(utterances_fts, 0, @open, @close, @ellipsis, ${SNIPPET_TOKENS}) AS snippet`;
    const searchFrom = `FROM utterances_fts JOIN utterances u ON u.id = utterances_fts.rowid
      WHERE utterances_fts MATCH @match AND ${FILTERS}`;
    this.statements = {
      insert: db.prepare<Record<string, unknown>, Row>(
        `INSERT INTO utterances (created_at, text, language, "trigger", keyword, profile, device, duration_ms, latency, command)
         VALUES (@created_at, @text, @language, @trigger, @keyword, @profile, @device, @duration_ms, @latency, @command)
         RETURNING id, created_at, text, language, "trigger", keyword, profile, device, duration_ms, latency, audio_path, command`,
      ),
      get: db.prepare<[number], Row>(`SELECT ${COLUMNS} FROM utterances u WHERE u.id = ?`),
      list: db.prepare<Record<string, unknown>, Row>(
        `SELECT ${COLUMNS} FROM utterances u WHERE ${FILTERS} ORDER BY ${NEWEST} LIMIT @limit OFFSET @offset`,
      ),
      searchNewest: db.prepare<Record<string, unknown>, Row>(
        `SELECT ${COLUMNS}, ${snippet} ${searchFrom} ORDER BY ${NEWEST} LIMIT @limit OFFSET @offset`,
      ),
      searchRelevance: db.prepare<Record<string, unknown>, Row>(
        `SELECT ${COLUMNS}, ${snippet} ${searchFrom}
         ORDER BY utterances_fts.rank, ${NEWEST} LIMIT @limit OFFSET @offset`,
      ),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM utterances WHERE deleted_at IS NULL'),
      markDeleted: db.prepare<[number, number], { id: number }>(
        'UPDATE utterances SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL RETURNING id',
      ),
      delete: db.prepare<[number], { audio_path: string | null }>(
        'DELETE FROM utterances WHERE id = ? RETURNING audio_path',
      ),
      setAudio: db.prepare<[string | null, number | null, number], void>(
        'UPDATE utterances SET audio_path = ?, audio_bytes = ? WHERE id = ?',
      ),
      audioTotal: db.prepare<[], { total: number | null }>(
        'SELECT sum(audio_bytes) AS total FROM utterances WHERE audio_path IS NOT NULL',
      ),
      retainedAudio: db.prepare<[], { id: number; audio_path: string; audio_bytes: number | null }>(
        'SELECT id, audio_path, audio_bytes FROM utterances WHERE audio_path IS NOT NULL ORDER BY id',
      ),
    };
  }

  /**
   * Opens (creating if needed) the history at `path`. A file there that is not a readable
   * SQLite database is moved aside to `<path>.corrupt-<time>` (with its -wal and -shm) and a
   * new history is started; `recovered` then names the moved file so the caller can say so.
   * A history written by a newer Earshot, or an SQLite file that is not a history, is refused.
   */
  static open(path: string, options: HistoryOpenOptions = {}): HistoryStore {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    let recovered = unreadable(path) ? moveAside(path) : undefined;
    let db: Database.Database;
    try {
      db = openDatabase(path);
    } catch (error) {
      // Damage the read-only look did not reach; by now closing has removed the -wal, if any.
      if (recovered || !isCorruption(error)) throw error;
      recovered = moveAside(path);
      db = openDatabase(path);
    }
    return new HistoryStore(db, recovered, options);
  }

  /**
   * Records an utterance and returns it with its id. The row is committed before the audio is
   * written, so a crash loses at most the WAV file, never the text. Audio that cannot be kept
   * is logged and the entry is returned without it.
   */
  add(input: HistoryEntryInput, audio?: HistoryAudio): HistoryEntry {
    const entry = HistoryEntryInputSchema.parse(input);
    const row = this.statements.insert.get({
      created_at: entry.createdAt ?? Date.now(),
      text: entry.text,
      language: entry.language,
      trigger: entry.trigger,
      keyword: entry.keyword ?? null,
      profile: entry.profile,
      device: entry.device ?? null,
      duration_ms: entry.durationMs,
      latency: JSON.stringify(entry.latency),
      command: entry.command ? JSON.stringify(entry.command) : null,
    });
    if (!row) throw new AppError('Internal', 'The history database did not return the new entry.');
    if (audio && this.audioDir !== undefined) {
      const kept = this.keepAudio(row.id, audio);
      if (kept) row.audio_path = kept;
    }
    return toEntry(row);
  }

  /** Entries newest first (or by relevance), filtered; with a search, each has a `snippet`. */
  list(query: HistoryQuery = {}): HistoryEntry[] {
    const q = HistoryQuerySchema.parse(query);
    const params = {
      trigger: q.trigger ?? null,
      before: q.before ?? null,
      after: q.after ?? null,
      limit: q.limit,
      offset: q.offset,
    };
    const match = q.search === undefined ? undefined : ftsQuery(q.search);
    if (match === undefined) return this.statements.list.all(params).map(toEntry);
    const statement = q.order === 'relevance' ? this.statements.searchRelevance : this.statements.searchNewest;
    return statement.all({ ...params, ...SNIPPET_MARKERS, match }).map(toEntry);
  }

  get(id: number): HistoryEntry | undefined {
    const row = this.statements.get.get(id);
    return row && toEntry(row);
  }

  /** Deletes an entry and its WAV file; false when there was no such entry. */
  delete(id: number): boolean {
    const row = this.statements.delete.get(id);
    if (!row) return false;
    if (row.audio_path) removeFile(row.audio_path);
    return true;
  }

  /**
   * Takes an entry back ("scratch that"): it stays in the file, marked, and leaves the lists,
   * searches and the count. False when there is no such entry, or it was taken back already.
   */
  markDeleted(id: number): boolean {
    return this.statements.markDeleted.get(Date.now(), id) !== undefined;
  }

  count(): number {
    return this.statements.count.get()?.n ?? 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Writes `<audioDir>/<id>.wav` (temp file, then rename), records it, and prunes to the cap.
   * A clip larger than the whole cap is not kept.
   */
  private keepAudio(id: number, audio: HistoryAudio): string | undefined {
    const dir = this.audioDir!;
    const path = join(dir, `${id}.wav`);
    const temp = `${path}.${process.pid}.tmp`;
    try {
      const bytes = encodeWav(audio.samples, audio.sampleRate);
      // Kept, it would push every older clip out and then itself.
      if (bytes.length > this.audioCapBytes) return undefined;
      mkdirSync(dir, { recursive: true });
      writeFileSync(temp, bytes);
      renameSync(temp, path);
      this.statements.setAudio.run(path, bytes.length, id);
    } catch (error) {
      removeFile(temp);
      removeFile(path);
      this.log.warn(`could not keep the audio of history entry #${id}`, error);
      return undefined;
    }
    const pruned = this.pruneAudio();
    return pruned.has(id) ? undefined : path;
  }

  /** Changes the recordings' cap (a setting); a lower cap forgets the oldest recordings at once. */
  setAudioCap(bytes: number): void {
    if (bytes === this.audioCapBytes) return;
    this.audioCapBytes = bytes;
    if (this.audioDir !== undefined) this.pruneAudio();
  }

  /**
   * Forgets the oldest retained WAV files until the rest total at most the cap. Their rows
   * are updated first and the files removed after the commit: a crash in between leaves a
   * stray file, never a row that names a missing one.
   */
  private pruneAudio(): Set<number> {
    const doomed: { id: number; path: string }[] = [];
    this.db
      .transaction(() => {
        let total = this.statements.audioTotal.get()?.total ?? 0;
        if (total <= this.audioCapBytes) return;
        for (const row of this.statements.retainedAudio.all()) {
          if (total <= this.audioCapBytes) break;
          this.statements.setAudio.run(null, null, row.id);
          total -= row.audio_bytes ?? 0;
          doomed.push({ id: row.id, path: row.audio_path });
        }
      })
      .immediate();
    for (const { path } of doomed) removeFile(path);
    return new Set(doomed.map((d) => d.id));
  }
}

/**
 * The user's words as an FTS5 query that cannot be a syntax error: each whitespace-separated
 * term becomes a quoted string (so `AND`, `-`, `NEAR(` and quotes are plain text), all of
 * which must match; a trailing `*` keeps its meaning as a prefix search. Undefined when there
 * is nothing to search for.
 */
export function ftsQuery(search: string): string | undefined {
  const terms = search.split(/\s+/).filter(Boolean);
  if (!terms.length) return undefined;
  const quote = (term: string): string => `"${term.replaceAll('"', '""')}"`;
  return terms
    .map((term) => {
      const stem = term.replace(/\*+$/, '');
      return stem && stem !== term ? `${quote(stem)}*` : quote(term);
    })
    .join(' ');
}

function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    // In WAL mode, NORMAL syncs the WAL only at checkpoints, not at every commit. A commit is
    // a write() into the OS page cache, which outlives the process: committed entries survive
    // an app crash or kill -9. A power cut or OS crash may lose the last commits (the file
    // stays consistent); that is the trade for not waiting on fsync at every utterance.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > HISTORY_SCHEMA_VERSION) {
      throw new AppError(
        'HistoryIncompatible',
        `The history in ${path} was written by a newer Earshot (schema version ${version}; this one reads up to ` +
          `${HISTORY_SCHEMA_VERSION}). Update Earshot, or point EARSHOT_HISTORY_DB at another file to start a new history.`,
      );
    }
    if (version === 0) {
      const objects = db.prepare('SELECT count(*) AS n FROM sqlite_schema').get() as { n: number };
      if (objects.n > 0) {
        throw new AppError(
          'HistoryIncompatible',
          `${path} is an SQLite database but not an Earshot history; Earshot leaves it alone. ` +
            'Move it away, or point EARSHOT_HISTORY_DB at another file.',
        );
      }
    }
    for (let v = version; v < HISTORY_SCHEMA_VERSION; v++) HISTORY_MIGRATIONS[v]!(db);
    if (version !== HISTORY_SCHEMA_VERSION) db.pragma(`user_version = ${HISTORY_SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * Whether an existing file is not a readable database, found through a read-only connection:
 * closing a read-write one would checkpoint or delete the -wal that belongs with the file, and
 * that is worth keeping beside the moved file. Other failures (locked, needs recovery) are
 * left to the read-write open.
 */
function unreadable(path: string): boolean {
  if (!existsSync(path) || statSync(path).size === 0) return false;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
    db.pragma('user_version');
    return false;
  } catch (error) {
    return isCorruption(error);
  } finally {
    db?.close();
  }
}

function isCorruption(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError && (error.code === 'SQLITE_NOTADB' || error.code.startsWith('SQLITE_CORRUPT'))
  );
}

/** Moves the unreadable database and its WAL files to `<path>.corrupt-<time>[-n]`; returns that path. */
function moveAside(path: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  let target = `${path}.corrupt-${stamp}`;
  for (let n = 1; existsSync(target); n++) target = `${path}.corrupt-${stamp}-${n}`;
  renameSync(path, target);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  return target;
}

function removeFile(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Best effort: a file that cannot be removed now is only disk space.
  }
}

function toEntry(row: Row): HistoryEntry {
  const entry: HistoryEntry = {
    id: row.id,
    createdAt: row.created_at,
    text: row.text,
    language: row.language,
    trigger: row.trigger,
    keyword: row.keyword,
    profile: row.profile,
    device: row.device,
    durationMs: row.duration_ms,
    latency: JSON.parse(row.latency) as Record<string, number>,
    command: row.command === null ? null : (JSON.parse(row.command) as HistoryCommand),
    audioPath: row.audio_path,
  };
  if (row.snippet !== undefined) entry.snippet = row.snippet;
  return entry;
}
