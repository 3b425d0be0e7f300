/**
 * The status page's views beyond the overview: a list of messages with its filters, paging and
 * actions; one message (its payload only when asked, through `redact`); an action's plan (the dry
 * run, with the form that confirms it) and its result. Every value escaped; no inline script or style.
 */
import type { Gate } from '../contract/adapter.js';
import type { MessageRecord } from '../contract/message.js';
import type { FoundMessages } from '../operator/find.js';
import type { OperatorResult, PlanRow } from '../operator/plan.js';
import type { Action } from './status-page-actions.js';
import { ago, esc } from './status-page-html.js';
import { home, LISTS, type ListFilter, type ListName, listHref, PAGE_SIZE, qs } from './status-page-lists.js';

/** What every view needs to link and post. */
export interface ViewContext {
  base: string;
  csrf: string;
  readOnly: boolean;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${esc(name)}" value="${esc(value)}">`;
/** The tabs of the lists, the current one marked. */
function tabs(v: ViewContext, queue: string, current: ListName): string {
  return `<nav class="tabs" aria-label="Lists">${(Object.keys(LISTS) as ListName[])
    .map((name) =>
      name === current
        ? `<a aria-current="page" href="${esc(listHref(v.base, queue, name))}">${esc(LISTS[name].label)}</a>`
        : `<a href="${esc(listHref(v.base, queue, name))}">${esc(LISTS[name].label)}</a>`,
    )
    .join('')}</nav>`;
}

/** A page of one list of one queue. */
export function listPage(v: ViewContext, queue: string, list: ListName, f: ListFilter, page: number, found: FoundMessages): string {
  const kind = LISTS[list];
  const now = found.now.getTime();
  const filterForm = `<form method="get" action="${esc(v.base)}/messages" class="filters" role="search">
${hidden('queue', queue)}${hidden('list', list)}
<label>Group key <input name="group" value="${esc(f.group)}" maxlength="255"></label>
<label>Last error contains <input name="error" value="${esc(f.error)}" maxlength="1000"></label>
<label>Unchanged for at least (min) <input name="older_than" value="${esc(f.olderThanMin)}" inputmode="numeric" pattern="[0-9]*" size="6"></label>
<button type="submit">Filter</button></form>`;
  const selectable = !v.readOnly && kind.onSelected.length > 0;
  const rows = found.messages
    .map((m) => {
      const due =
        m.status === 'PENDING'
          ? m.availableAt.getTime() > now
            ? `due in ${ago(m.availableAt.getTime() - now)}`
            : 'due'
          : m.leaseUntil && (m.status === 'PROCESSING' || m.status === 'SENDING')
            ? m.leaseUntil.getTime() >= now
              ? `lease ${ago(m.leaseUntil.getTime() - now)} left`
              : `lease expired ${ago(now - m.leaseUntil.getTime())} ago`
            : m.status === 'PROCESSING' || m.status === 'SENDING'
              ? 'no lease'
              : '';
      const box = selectable
        ? `<td><input type="checkbox" name="id" value="${esc(m.id)}" id="m-${esc(m.id)}" aria-label="Select ${esc(m.id)}"></td>`
        : '';
      return `<tr>${box}<td><a href="${esc(`${v.base}/message?${qs({ queue, id: m.id })}`)}"><code>${esc(m.id)}</code></a></td><td>${esc(m.status)}</td><td>${m.groupKey === null ? '' : `<code>${esc(m.groupKey)}</code>`}</td><td>${m.attempts}</td><td>${ago(now - m.updatedAt.getTime())}</td><td>${ago(now - m.createdAt.getTime())}</td><td>${esc(due)}</td><td>${m.possiblySent ? 'yes' : 'no'}</td><td class="error-text">${esc(m.lastError ?? '')}</td></tr>`;
    })
    .join('\n');
  const head = `<tr>${selectable ? '<th scope="col"><input type="checkbox" data-select-all hidden aria-label="Select all on this page"></th>' : ''}<th scope="col">id</th><th scope="col">status</th><th scope="col">group key</th><th scope="col">attempts</th><th scope="col">unchanged for</th><th scope="col">age</th><th scope="col">due / lease</th><th scope="col">possibly sent</th><th scope="col">last error</th></tr>`;
  const first = (page - 1) * PAGE_SIZE + 1;
  const range =
    found.messages.length === 0
      ? '<p>No message matches.</p>'
      : `<p>Messages ${first}–${first + found.messages.length - 1}${found.more ? ' (more on the next page)' : ''}, oldest change first — the order actions take them in.</p>`;
  const filterParams = { group: f.group, error: f.error, older_than: f.olderThanMin };
  const paging = `<nav class="paging" aria-label="Pages">${page > 1 ? `<a rel="prev" href="${esc(listHref(v.base, queue, list, { ...filterParams, page: page - 1 }))}">← Previous</a>` : ''}${found.more ? `<a rel="next" href="${esc(listHref(v.base, queue, list, { ...filterParams, page: page + 1 }))}">Next →</a>` : ''}</nav>`;
  const table = `<table class="messages"><caption>${esc(kind.label)}</caption><thead>${head}</thead><tbody>${rows}</tbody></table>`;
  // One form for every action of the list: the rows' checkboxes, the options once, the buttons that act
  // on the selected rows, and those that act on every row the filter matches (`?scope=matching`: the
  // page ignores the checkboxes for them).
  const notes: string[] = [];
  const onMatching = v.readOnly
    ? []
    : kind.onMatching.filter((a) => {
        const unsupported = (Object.keys(f) as (keyof ListFilter)[]).filter((k) => f[k] !== '' && !a.filters.includes(k));
        if (unsupported.length > 0) {
          notes.push(`${a.label}: not with this filter (it cannot select by ${unsupported.join(', ')}); select rows instead.`);
          return false;
        }
        if (a.action === 'purge' && f.olderThanMin === '') {
          notes.push(`${a.label}: filter by “unchanged for at least” first (purge takes only what is that old).`);
          return false;
        }
        return true;
      });
  const onSelected = selectable ? kind.onSelected : [];
  const all = [...onSelected, ...onMatching];
  const fields = {
    ...(Object.assign({}, ...all.map((a) => a.fields ?? {})) as Record<string, string>),
    group: f.group,
    error: f.error,
    older_than: f.olderThanMin,
  };
  const button = (a: { action: string; label: string }, scope: string) =>
    `<button type="submit" name="action" value="${esc(a.action)}"${scope ? ` formaction="${esc(`${v.base}/action?scope=${scope}`)}"` : ''}>${esc(a.label)}${scope ? ' (up to 1,000)' : ''}…</button>`;
  const body =
    all.length === 0
      ? table
      : `<form method="post" action="${esc(v.base)}/action" class="rows">${hidden('csrf', v.csrf)}${hidden('queue', queue)}${hidden('list', list)}${Object.entries(
          fields,
        )
          .filter(([, value]) => value !== '')
          .map(([k, value]) => hidden(k, value))
          .join('')}
${table}
${actionFields(all.map((a) => a.action))}
${onSelected.length > 0 ? `<div class="buttons">${onSelected.map((a) => button(a, '')).join('')}</div>` : ''}
${onMatching.length > 0 ? `<div class="buttons">${onMatching.map((a) => button(a, 'matching')).join('')}</div>` : ''}
</form>`;
  return `<h1><a href="${esc(home(v.base))}">Queues</a> › ${esc(queue)} › ${esc(kind.label)}</h1>
${tabs(v, queue, list)}
<p class="help">${esc(kind.help)}</p>
${filterForm}
${range}
${body}
${paging}
${notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}`;
}

/** The extra inputs some actions take (a note, release's options), once per form. */
function actionFields(actions: string[]): string {
  const out: string[] = [];
  if (actions.includes('release-stuck')) {
    out.push(`<fieldset><legend>Release options</legend>
<label><input type="checkbox" name="force" value="1"> Also messages whose lease is still running (you know their worker is dead)</label>
<label>A message that may have been sent (SENDING, or in flight without a lease):
<select name="sending"><option value="">refuse it</option><option value="resend">resend it (flagged possibly sent)</option><option value="hold">hold it for review</option><option value="sent">mark it sent</option></select></label>
</fieldset>`);
  }
  if (actions.includes('cancel')) out.push('<label>Note (why) <input name="note" maxlength="500"></label>');
  return out.join('\n');
}

/** One message: every field but the payload, which shows only when asked for (through `redact`). */
export function messagePage(
  v: ViewContext,
  queue: string,
  m: Omit<MessageRecord, 'payload'>,
  payload: { shown: false } | { shown: true; text: string },
  now: number,
): string {
  const fields: [string, string][] = [
    ['status', m.status],
    ['group key', m.groupKey ?? '–'],
    ['dedupe key', m.dedupeKey ?? '–'],
    ['attempts', String(m.attempts)],
    ['priority', String(m.priority)],
    [
      'due',
      `${m.availableAt.toISOString()} (${m.availableAt.getTime() > now ? `in ${ago(m.availableAt.getTime() - now)}` : `${ago(now - m.availableAt.getTime())} ago`})`,
    ],
    ['lease until', m.leaseUntil ? m.leaseUntil.toISOString() : '–'],
    ['possibly sent', m.possiblySent ? 'yes' : 'no'],
    ['created', `${m.createdAt.toISOString()} (${ago(now - m.createdAt.getTime())} ago)`],
    ['last change', `${m.updatedAt.toISOString()} (${ago(now - m.updatedAt.getTime())} ago)`],
    ['last error', m.lastError ?? '–'],
  ];
  const show = payload.shown
    ? `<h2>Payload</h2><pre class="payload">${esc(payload.text)}</pre>`
    : `<p><a href="${esc(`${v.base}/message?${qs({ queue, id: m.id, payload: 1 })}`)}">Show the payload</a> (it may hold personal data).</p>`;
  return `<h1><a href="${esc(home(v.base))}">Queues</a> › ${esc(queue)} › <code>${esc(m.id)}</code></h1>
<dl class="facts">${fields.map(([k, value]) => `<dt>${esc(k)}</dt><dd>${esc(value)}</dd>`).join('')}</dl>
${show}`;
}

const VERB: Record<OperatorResult['action'], string> = {
  retry: 'Retry',
  'mark-sent': 'Mark sent',
  'release-stuck': 'Release',
  purge: 'Purge',
  cancel: 'Cancel',
};

/** The rows of a plan or a result, each with its transition. */
function planTable(rows: PlanRow[]): string {
  if (rows.length === 0) return '<p>No message to change.</p>';
  return `<table class="messages plan"><caption>Each message and what the action does to it</caption><thead><tr><th scope="col">id</th><th scope="col">from</th><th scope="col">to</th><th scope="col">attempts</th><th scope="col">unchanged for</th><th scope="col">lease left</th><th scope="col">may have been sent</th><th scope="col">last error</th></tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr><td><code>${esc(r.id)}</code></td><td>${esc(r.status)}</td><td>${esc(r.to)}</td><td>${r.attempts}</td><td>${ago(r.ageMs)}</td><td>${r.leaseLeftMs === null ? '' : r.leaseLeftMs >= 0 ? ago(r.leaseLeftMs) : `expired ${ago(-r.leaseLeftMs)} ago`}</td><td>${r.reachedSending ? 'yes' : 'no'}</td><td class="error-text">${esc(r.lastError ?? '')}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function refusals(r: OperatorResult): string {
  if (r.refused.length === 0) return '';
  return `<h2>Left alone (${r.refused.length})</h2><ul class="refused">${r.refused
    .map((x) => `<li><code>${esc(x.id)}</code>${x.status ? ` (${esc(x.status)})` : ''}: ${esc(x.reason)} — ${esc(x.detail)}</li>`)
    .join('')}</ul>`;
}

/**
 * An action's dry run and the form that carries it out: the same fields again, and — for an action
 * that selects by ids — the ids of the rows shown, so nothing the operator did not see is touched.
 */
export function planPage(
  v: ViewContext,
  queue: string,
  form: URLSearchParams,
  action: Action,
  plan: OperatorResult | null,
  back: string,
): string {
  const title = action.kind === 'gate' ? (action.name === 'pause' ? 'Pause' : 'Resume') : VERB[action.name];
  const fields = [...form.entries()].filter(
    ([k]) => k !== 'csrf' && k !== 'confirm' && !(plan && action.kind === 'rows' && action.takesIds && k === 'id'),
  );
  const ids = plan && action.kind === 'rows' && action.takesIds ? plan.rows.map((r) => r.id) : [];
  const what =
    action.kind === 'gate'
      ? `<p>${esc(action.describe)}</p>`
      : `<p>Dry run: ${plan!.rows.length} message(s) would change${plan!.more ? ' (the first 1,000: run again for the rest)' : ''}. Nothing has been written.</p>${planTable(plan!.rows)}${refusals(plan!)}`;
  const can = action.kind === 'gate' || plan!.rows.length > 0;
  const label = action.kind === 'gate' ? title : `${title} ${plan!.rows.length} message(s)`;
  const confirm = can
    ? `<form method="post" action="${esc(v.base)}/action" class="confirm">${hidden('csrf', v.csrf)}${fields.map(([k, value]) => hidden(k, value)).join('')}${ids.map((id) => hidden('id', id)).join('')}${hidden('confirm', '1')}
<button type="submit" class="danger" data-confirm="${esc(`${label} in ${queue}?`)}">${esc(label)}</button> <a href="${esc(back)}">Back, change nothing</a></form>`
    : `<p><a href="${esc(back)}">Back</a></p>`;
  return `<h1>${esc(title)} in ${esc(queue)}: confirm</h1>\n${what}\n${confirm}`;
}

/** What an action did. */
export function resultPage(queue: string, r: OperatorResult, back: string): string {
  return `<h1>${esc(VERB[r.action])} in ${esc(queue)}: done</h1>
<p role="status">${r.changed} message(s) changed.${r.skipped.length > 0 ? ` ${r.skipped.length} moved between the plan and the change and were left as they were: ${esc(r.skipped.join(', '))}.` : ''}${r.more ? ' There were more: run it again for the rest.' : ''}</p>
${planTable(r.rows.filter((row) => !r.skipped.includes(row.id)))}
${refusals(r)}
<p><a href="${esc(back)}">Back</a></p>`;
}

/** What a gate change did. */
export function gatePage(queue: string, g: Gate, back: string): string {
  const who = g.key === null ? `The queue ${queue}` : `The group ${g.key} of ${queue}`;
  const state = g.paused
    ? 'is paused until resumed'
    : g.pausedUntil && g.pausedUntil.getTime() > g.updatedAt.getTime()
      ? `is paused until ${g.pausedUntil.toISOString()}`
      : 'is open: every process claims its messages';
  return `<h1>Done</h1><p role="status">${esc(who)} ${esc(state)}${g.note ? ` — ${esc(g.note)}` : ''}.</p><p><a href="${esc(back)}">Back</a></p>`;
}
