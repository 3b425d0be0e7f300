/**
 * The status page's HTML: server-rendered, no script, no inline style (the Content-Security-Policy
 * allows neither), every value escaped. Small enough to read: a layout, a login form, and one
 * section per queue built from its `diagnose` report.
 */
import type { DiagnoseReport, Finding, MessageSummary } from '../contract/results.js';
import { home, type ListName, listHref, qs } from './status-page-lists.js';

/** Text safe inside HTML elements and double-quoted attributes. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A duration in a few characters: `850 ms`, `42 s`, `7 min`, `3 h`, `2 d`. */
export function ago(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/** What a page needs besides its content. */
export interface Frame {
  base: string;
  title: string;
  /** The session's CSRF token (null: not signed in, no sign-out form). */
  csrf: string | null;
  /** Reload the page every this many seconds (the served script does, when nothing is being edited). */
  refreshSeconds?: number;
}

/** The page around `main`. */
export function layout(frame: Frame, main: string): string {
  const signOut =
    frame.csrf === null
      ? ''
      : `<form method="post" action="${esc(frame.base)}/logout" class="signout"><input type="hidden" name="csrf" value="${esc(frame.csrf)}"><button type="submit">Sign out</button></form>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(frame.title)} · msgqueue</title>
<link rel="stylesheet" href="${esc(frame.base)}/page.css">
<script src="${esc(frame.base)}/page.js" defer></script>
</head>
<body${frame.refreshSeconds ? ` data-refresh="${frame.refreshSeconds}"` : ''}>
<header><a href="${esc(home(frame.base))}" class="home">msgqueue</a>${signOut}</header>
<main>
${main}
</main>
</body>
</html>
`;
}

/** The sign-in form; `error` when the last try failed. */
export function loginPage(base: string, error: string | null): string {
  return layout(
    { base, title: 'Sign in', csrf: null },
    `<h1>Sign in</h1>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="${esc(base)}/login" class="login">
<label for="secret">Secret</label>
<input id="secret" name="secret" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>`,
  );
}

const SEVERITY: Record<Finding['severity'], string> = { alert: 'Alert', warning: 'Warning', info: 'Info' };

/** Where the overview links and posts: null for a section without links or forms. */
export interface SectionContext {
  base: string;
  csrf: string;
  readOnly: boolean;
}

/** One queue's section: its health, counts, facts, gates, rate limits and findings. */
export function queueSection(r: DiagnoseReport, v: SectionContext): string {
  const statuses = Object.keys(r.counts) as (keyof DiagnoseReport['counts'])[];
  const now = r.at.getTime();
  const facts: [string, string, ListName?][] = [
    ['Due now', String(r.duePending)],
    ...(r.throughput
      ? ([[`Sent / failed in the last ${ago(r.throughput.windowMs)}`, `${r.throughput.sent} / ${r.throughput.failed}`]] as [
          string,
          string,
        ][])
      : []),
    ['Oldest pending', r.oldestPendingAgeMs === null ? '–' : ago(r.oldestPendingAgeMs)],
    ['In flight, lease expired', String(r.expiredInFlight), 'stuck'],
    [`In flight longer than ${ago(r.thresholds.inFlightMs)}`, String(r.inFlightTooLong)],
    ['In flight without a lease', String(r.orphanedInFlight), 'stuck'],
    [`Failed in the last ${ago(r.thresholds.failedWindowMs)}`, String(r.failedInWindow), 'failed'],
    ['To resend, possibly sent', String(r.possiblySentPending), 'resend'],
    ['Held for review', String(r.heldForReview), 'held'],
    ['Groups blocked', String(r.blockedGroups)],
  ];
  const gates =
    r.gates.length === 0
      ? '<p>No gate closed: every process claims.</p>'
      : `<ul class="gates">${r.gates
          .map((g) => {
            const who = g.key === null ? 'The queue' : `Group <code>${esc(g.key)}</code>`;
            const until = g.pausedUntil && g.pausedUntil.getTime() > now ? ` for ${ago(g.pausedUntil.getTime() - now)} more` : '';
            return `<li>${who}: ${g.paused ? 'paused until resumed' : `paused${until}`}${g.note ? ` — ${esc(g.note)}` : ''}</li>`;
          })
          .join('')}</ul>`;
  const limits =
    r.atRateLimit.length === 0
      ? ''
      : `<h3>At their rate limit</h3><ul class="limits">${r.atRateLimit
          .slice(0, 20)
          .map(
            (a) =>
              `<li>${a.key === null ? 'The queue' : `<code>${esc(a.key)}</code>`}: ${a.max} per ${ago(a.perMs)}, next slot in ${ago(a.nextFreeAt.getTime() - now)}</li>`,
          )
          .join('')}</ul>`;
  const findings =
    r.findings.length === 0
      ? '<p>Nothing to report.</p>'
      : `<ul class="findings">${r.findings
          .map(
            (f) =>
              `<li class="${f.severity}"><strong>${SEVERITY[f.severity]}</strong> <code>${esc(f.code)}</code>: ${esc(f.message)}<br><span class="advice">${esc(f.advice)}</span></li>`,
          )
          .join('')}</ul>`;
  return `<section aria-labelledby="q-${esc(r.queue)}">
<h2 id="q-${esc(r.queue)}">${esc(r.queue)} <span class="badge ${r.healthy ? 'ok' : 'bad'}">${r.healthy ? 'healthy' : 'needs attention'}</span></h2>
<p class="meta">${esc(r.adapter)} · ${esc(r.deliveryMode)} · read ${esc(r.at.toISOString())}</p>
<table class="counts"><caption>Messages by status${r.estimated.length > 0 ? ' (≈: estimated)' : ''}</caption>
<thead><tr>${statuses.map((s) => `<th scope="col">${esc(s)}</th>`).join('')}<th scope="col">total</th></tr></thead>
<tbody><tr>${statuses.map((s) => `<td>${r.estimated.includes(s) ? '≈' : ''}${STATUS_LIST[s] && r.counts[s] > 0 ? `<a href="${esc(listHref(v.base, r.queue, STATUS_LIST[s]))}">${r.counts[s]}</a>` : r.counts[s]}</td>`).join('')}<td>${r.total}</td></tr></tbody>
</table>
<dl class="facts">${facts
    .map(
      ([k, value, list]) =>
        `<dt>${esc(k)}</dt><dd>${list && value !== '0' ? `<a href="${esc(listHref(v.base, r.queue, list))}">${esc(value)}</a>` : esc(value)}</dd>`,
    )
    .join('')}</dl>
<h3>Gates</h3>
${gates}
${v.readOnly ? '' : gateForms(r, v)}
${limits}
<h3>Findings</h3>
${findings}
${samples(r, v)}
</section>`;
}

/** The list each status's count links to. */
const STATUS_LIST: Partial<Record<keyof DiagnoseReport['counts'], ListName>> = {
  PENDING: 'pending',
  PROCESSING: 'stuck',
  SENDING: 'stuck',
  SENT: 'sent',
  FAILED: 'failed',
  HELD: 'held',
  CANCELLED: 'cancelled',
};

/** Pause or resume the queue or one group key (each shown first as what it will do, then confirmed). */
function gateForms(r: DiagnoseReport, v: SectionContext): string {
  const id = `g-${esc(r.queue)}`;
  return `<form method="post" action="${esc(v.base)}/action" class="gate"><input type="hidden" name="csrf" value="${esc(v.csrf)}"><input type="hidden" name="queue" value="${esc(r.queue)}">
<label>Group key (empty: the whole queue) <input id="${id}-key" name="group" maxlength="255"></label>
<label>For (minutes; empty: until resumed) <input id="${id}-for" name="for" inputmode="numeric" pattern="[0-9]*" size="5"></label>
<label>Note <input id="${id}-note" name="note" maxlength="500"></label>
<button type="submit" name="action" value="pause">Pause…</button> <button type="submit" name="action" value="resume">Resume…</button></form>`;
}

/** The samples `diagnose` read (stuck, held, failed: the oldest or newest few), as tables; never a payload. */
function samples(r: DiagnoseReport, v: SectionContext): string {
  const now = r.at.getTime();
  const lists: [string, MessageSummary[], ListName][] = [
    ['In flight, lease expired', r.samples.expiredInFlight, 'stuck'],
    ['In flight without a lease', r.samples.orphanedInFlight, 'stuck'],
    ['Held for review', r.samples.held, 'held'],
    ['Failed (newest first)', r.samples.failed, 'failed'],
  ];
  return lists
    .filter(([, rows]) => rows.length > 0)
    .map(
      ([label, rows, list]) => `<h3>${esc(label)} <a class="all" href="${esc(listHref(v.base, r.queue, list))}">all, with actions →</a></h3>
<table class="messages"><thead><tr><th scope="col">id</th><th scope="col">status</th><th scope="col">group key</th><th scope="col">attempts</th><th scope="col">unchanged for</th><th scope="col">possibly sent</th><th scope="col">last error</th></tr></thead>
<tbody>${rows
        .map(
          (m) =>
            `<tr><td><a href="${esc(`${v.base}/message?${qs({ queue: r.queue, id: m.id })}`)}"><code>${esc(m.id)}</code></a></td><td>${esc(m.status)}</td><td>${m.groupKey === null ? '' : `<code>${esc(m.groupKey)}</code>`}</td><td>${m.attempts}</td><td>${ago(now - m.updatedAt.getTime())}</td><td>${m.possiblySent ? 'yes' : 'no'}</td><td class="error-text">${esc(m.lastError ?? '')}</td></tr>`,
        )
        .join('')}</tbody></table>`,
    )
    .join('\n');
}

/** The page's stylesheet: readable on a phone, contrast above 4.5:1, no external font. */
export const STYLESHEET = `:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#4a5563;--line:#d0d7de;--ok:#116329;--bad:#a40e26;--warn:#7d4e00}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9ea7b3;--line:#30363d;--ok:#3fb950;--bad:#ff7b72;--warn:#d29922}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;justify-content:space-between;align-items:center;padding:.5rem 1rem;border-bottom:1px solid var(--line)}
.home{font-weight:700;color:var(--fg);text-decoration:none}main{max-width:72rem;margin:0 auto;padding:1rem}
section{border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0 0 1.5rem}h2{margin:0 0 .25rem}.meta{color:var(--muted);margin:0 0 1rem;font-size:.875rem}
.badge{font-size:.75rem;padding:.1rem .5rem;border-radius:1rem;border:1px solid currentColor;vertical-align:middle}.ok{color:var(--ok)}.bad,.alert{color:var(--bad)}.warning{color:var(--warn)}
table{border-collapse:collapse;display:block;overflow-x:auto;margin:0 0 1rem}caption{text-align:left;color:var(--muted);font-size:.875rem}th,td{padding:.25rem .75rem;border:1px solid var(--line);text-align:right}
dl.facts{display:grid;grid-template-columns:minmax(12rem,max-content) auto;gap:.25rem 1rem;margin:0 0 1rem}dd{margin:0;font-variant-numeric:tabular-nums}
ul{padding-left:1.25rem}.findings li{margin:.5rem 0}.findings li strong,.findings li code{color:inherit}.advice{color:var(--fg)}
form.login{display:grid;gap:.5rem;max-width:20rem}input,button,select{font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:.25rem;background:var(--bg);color:var(--fg)}
nav.tabs{display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin:0 0 1rem}nav.tabs a[aria-current]{font-weight:700;text-decoration:none;color:var(--fg)}a{color:#0969da}@media (prefers-color-scheme:dark){a{color:#58a6ff}}
form.filters,form.gate{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:0 0 1rem}form.filters label,form.gate label{display:grid;font-size:.875rem}.buttons{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
fieldset{border:1px solid var(--line);border-radius:.25rem;margin:.5rem 0;display:grid;gap:.25rem}form.matching,form.confirm{margin:.5rem 0}.danger{border-color:var(--bad);color:var(--bad);font-weight:700}
.note,.help{color:var(--muted)}nav.paging{display:flex;gap:1rem;margin:0 0 1rem}pre.payload{white-space:pre-wrap;overflow-wrap:anywhere;border:1px solid var(--line);padding:.5rem;border-radius:.25rem}
h3 .all{font-size:.875rem;font-weight:400}td input[type=checkbox],th input[type=checkbox]{width:1.25rem;height:1.25rem}
table.messages td,table.messages th{text-align:left}form.confirm a{margin-left:1rem}td.error-text{max-width:32rem;overflow-wrap:anywhere}button{cursor:pointer}button:focus-visible,input:focus-visible,select:focus-visible,a:focus-visible{outline:3px solid #0969da;outline-offset:2px}.error{color:var(--bad)}
`;
