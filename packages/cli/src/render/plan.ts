import type { OperatorResult } from '@org/msgqueue';
import pc from 'picocolors';
import { formatDuration } from '../duration.js';
import { clip, table } from './table.js';

/** A plan as a person reads it: each row and what happens to it, what is refused, and what was done. */
export function renderPlan(r: OperatorResult): string {
  const lines: string[] = [];
  if (r.rows.length === 0) lines.push(`${r.action}: no message matches.`);
  else {
    lines.push(
      table(
        ['id', 'status', 'becomes', 'attempts', 'unchanged for', 'lease', 'reached SENDING', 'last error'],
        r.rows.map((row) => [
          row.id,
          row.status,
          row.to,
          row.attempts,
          formatDuration(row.ageMs),
          row.leaseLeftMs === null
            ? '–'
            : row.leaseLeftMs < 0
              ? `expired ${formatDuration(-row.leaseLeftMs)} ago`
              : `${formatDuration(row.leaseLeftMs)} left`,
          row.reachedSending ? pc.yellow('yes') : 'no',
          clip(row.lastError, 40),
        ]),
      ),
    );
  }
  if (r.refused.length > 0) {
    lines.push(
      `${pc.yellow(`left alone (${r.refused.length}):`)}\n${r.refused.map((x) => `  ${x.id} [${x.reason}] ${asFlags(x.detail)}`).join('\n')}`,
    );
  }
  if (r.more) lines.push(pc.yellow('more messages match than --limit: run again for the rest.'));
  if (r.dryRun) {
    lines.push(
      r.rows.length > 0
        ? `dry run: nothing changed. ${pc.bold(`Run again with --execute to apply these ${r.rows.length} change(s)`)} — exactly these; a message that moves meanwhile is skipped.`
        : 'dry run: nothing changed.',
    );
  } else {
    lines.push(
      `${pc.green(`changed ${r.changed}`)}${r.skipped.length > 0 ? pc.yellow(`; skipped ${r.skipped.length} that moved since they were read: ${r.skipped.join(', ')}`) : ''}.`,
    );
  }
  return lines.join('\n\n');
}

/** The core's advice, in the CLI's words (its options are flags here). */
function asFlags(detail: string): string {
  return detail
    .replace('pass force', 'pass --force')
    .replace("say sending: 'resend', 'hold' or 'sent'", 'pass --sending resend|hold|sent')
    .replace('pass allowFailed', 'pass --allow-failed');
}
