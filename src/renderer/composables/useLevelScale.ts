/** The level meter's scale in dBFS: below −60 reads as silence in a room. */
export const METER_MIN_DB = -60;
export const METER_MAX_DB = 0;

/** A level clamped to the meter's range, to one decimal (what `aria-valuenow` carries). */
export function meterValue(db: number): number {
  return Math.round(Math.min(METER_MAX_DB, Math.max(METER_MIN_DB, db)) * 10) / 10;
}

/** Position on the meter from 0 (−60 dBFS or quieter) to 100 (full scale). */
export function meterPercent(db: number): number {
  return ((meterValue(db) - METER_MIN_DB) / (METER_MAX_DB - METER_MIN_DB)) * 100;
}

/** What a screen reader and the readout say, e.g. "−23 dBFS, peak −9 dBFS" or "silence". */
export function levelText(rmsDb: number, peakDb: number): string {
  if (rmsDb <= METER_MIN_DB && peakDb <= METER_MIN_DB) return 'silence';
  const db = (value: number) => `${Math.round(value)} dBFS`.replace('-', '−');
  return `${db(rmsDb)}, peak ${db(peakDb)}`;
}
