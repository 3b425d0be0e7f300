import type { AlertOptions, DiagnoseReport } from '@org/msgqueue';
import { parseDuration, parseWhole } from '../duration.js';
import { renderReport } from '../render/diagnose.js';
import { type GlobalFlags, type Io, withQueues } from './shared.js';

export interface DiagnoseFlags {
  inFlight?: string;
  failedThreshold?: string;
  failedWindow?: string;
  samples?: string;
}

/** Diagnose every queue (or `--queue`): exit 0 when all are healthy, 1 when any has an alert. */
export async function diagnoseCommand(flags: GlobalFlags & DiagnoseFlags, io: Io): Promise<number> {
  const alerts: AlertOptions = {};
  if (flags.inFlight !== undefined) alerts.inFlightMs = parseDuration(flags.inFlight, '--in-flight');
  if (flags.failedWindow !== undefined) alerts.failedWindowMs = parseDuration(flags.failedWindow, '--failed-window');
  if (flags.failedThreshold !== undefined)
    alerts.failedThreshold = parseWhole(flags.failedThreshold, '--failed-threshold', 0, 1_000_000_000);
  const sampleSize = flags.samples === undefined ? 5 : parseWhole(flags.samples, '--samples', 0, 1000);
  const reports: DiagnoseReport[] = await withQueues(flags, (queues) => Promise.all(queues.map((q) => q.diagnose({ sampleSize, alerts }))));
  const healthy = reports.every((r) => r.healthy);
  io.out(flags.json ? JSON.stringify({ healthy, reports }, null, 2) : reports.map(renderReport).join('\n\n'));
  return healthy ? 0 : 1;
}
