import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A duration as operators write it: `90s`, `30m`, `12h`, `7d`, `2w` (or a bare number of
 * milliseconds). Throws a {@link UsageError} naming the flag otherwise.
 */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: expected a duration such as 30m, 12h or 7d, got "${text}"`);
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
  if (!Number.isSafeInteger(ms) || ms > 10 * 365 * UNITS.d!) throw new UsageError(`${flag}: "${text}" is longer than ten years`);
  return ms;
}

/** A whole number flag within bounds. */
export function parseWhole(text: string, flag: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max)
    throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** A duration for people: `45s`, `12m`, `3h 5m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 60_000) return `${sign}${Math.round(abs / 1000)}s`;
  if (abs < 3_600_000) return `${sign}${Math.floor(abs / 60_000)}m`;
  if (abs < 86_400_000) return `${sign}${Math.floor(abs / 3_600_000)}h ${Math.floor((abs % 3_600_000) / 60_000)}m`;
  return `${sign}${Math.floor(abs / 86_400_000)}d ${Math.floor((abs % 86_400_000) / 3_600_000)}h`;
}
