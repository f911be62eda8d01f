/**
 * History as text documents: TXT, JSON and SRT. Every format lists the entries oldest first
 * (a document reads forward in time, whatever order the rows came in) and writes times in
 * UTC, so an export is the same on every machine and in every time zone.
 */
import type { HistoryEntry } from './history-store';

export const EXPORT_FORMATS = ['txt', 'json', 'srt'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The shortest time an SRT cue stays on screen, however short the utterance. */
export const SRT_MIN_CUE_MS = 500;

/** One entry as the CLI's JSON shows it: snake_case keys, `created_at` as ISO 8601 UTC. */
export interface HistoryEntryJson {
  id: number;
  created_at: string;
  text: string;
  language: string;
  trigger: string;
  keyword: string | null;
  profile: string;
  device: string | null;
  duration_ms: number;
  latency_ms: Record<string, number>;
  audio_path: string | null;
  snippet?: string;
}

export function entryToJson(entry: HistoryEntry): HistoryEntryJson {
  const json: HistoryEntryJson = {
    id: entry.id,
    created_at: new Date(entry.createdAt).toISOString(),
    text: entry.text,
    language: entry.language,
    trigger: entry.trigger,
    keyword: entry.keyword,
    profile: entry.profile,
    device: entry.device,
    duration_ms: entry.durationMs,
    latency_ms: entry.latency,
    audio_path: entry.audioPath,
  };
  if (entry.snippet !== undefined) json.snippet = entry.snippet;
  return json;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The text on one line: line breaks and runs of white space become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function exportHistory(entries: readonly HistoryEntry[], format: ExportFormat): string {
  const rows = [...entries].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  switch (format) {
    case 'txt':
      return rows.map((e) => `${formatUtc(e.createdAt)}  [${e.trigger}]  ${oneLine(e.text)}\n`).join('');
    case 'json':
      return JSON.stringify(rows.map(entryToJson), null, 2) + '\n';
    case 'srt':
      return toSrt(rows);
  }
}

/**
 * SRT puts the history on one timeline that starts at the first entry: each cue starts at its
 * entry's created_at minus the first entry's and lasts its duration_ms (at least
 * SRT_MIN_CUE_MS, so that a short word can be read). Hours are not capped at 99: a history
 * spanning days gives cues at 100:00:00,000 and beyond, which players read. An entry without
 * text is left out, because an empty cue would end at its own blank line; the numbering stays
 * continuous.
 */
function toSrt(rows: readonly HistoryEntry[]): string {
  const origin = rows[0]?.createdAt ?? 0;
  let cue = 0;
  let out = '';
  for (const entry of rows) {
    const text = oneLine(entry.text);
    if (!text) continue;
    const start = entry.createdAt - origin;
    const end = start + Math.max(entry.durationMs, SRT_MIN_CUE_MS);
    out += `${++cue}\n${srtTime(start)} --> ${srtTime(end)}\n${text}\n\n`;
  }
  return out;
}

/** `HH:MM:SS,mmm` */
function srtTime(ms: number): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)},${pad(ms % 1000, 3)}`;
}
