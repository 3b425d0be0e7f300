/**
 * The bench's pictures, as plain SVG written beside docs/performance.md: readable without colour
 * (every series has its own marker and dash, and its name printed on the chart), sized for a page.
 */

const FONT = 'font-family="system-ui, sans-serif" fill="#111"';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const thousands = (x: number) => Math.round(x).toLocaleString('en');
/** An axis label: whole numbers with separators, small ones with up to two decimals. */
const tick = (x: number) => (Math.abs(x) >= 100 || Number.isInteger(x) ? thousands(x) : String(Number(x.toFixed(2))));

/** Tick values for an axis from 0 to at least `max`: 4–6 round steps. */
function ticks(max: number): number[] {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) out.push(v);
  return out;
}

/** One bar per row, longest first within its group; `limit` rows are drawn hatched, with their name. */
export function barChart(title: string, rows: { label: string; value: number; limit?: boolean }[], unit: string): string {
  const barH = 18;
  const gap = 6;
  const left = 330;
  const width = 820;
  const plotW = width - left - 90;
  const top = 40;
  const height = top + rows.length * (barH + gap) + 40;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const axis = ticks(max);
  const scale = (v: number) => (v / axis.at(-1)!) * plotW;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`,
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#111" stroke-width="2"/></pattern></defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" ${FONT} font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const v of axis) {
    const x = left + scale(v);
    out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 34}" stroke="#ccc"/>`);
    out.push(`<text x="${x}" y="${height - 20}" text-anchor="middle" ${FONT} font-size="12">${thousands(v)}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${height - 4}" text-anchor="middle" ${FONT} font-size="12">${esc(unit)}</text>`);
  rows.forEach((r, i) => {
    const y = top + i * (barH + gap);
    out.push(`<text x="${left - 8}" y="${y + barH - 5}" text-anchor="end" ${FONT} font-size="12">${esc(r.label)}</text>`);
    out.push(
      `<rect x="${left}" y="${y}" width="${Math.max(1, scale(r.value))}" height="${barH}" fill="${r.limit ? 'url(#hatch)' : '#555'}" stroke="#111"/>`,
    );
    out.push(`<text x="${left + scale(r.value) + 6}" y="${y + barH - 5}" ${FONT} font-size="12">${thousands(r.value)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const MARKERS = [
  (x: number, y: number) => `<circle cx="${x}" cy="${y}" r="4" fill="#fff" stroke="#111" stroke-width="1.5"/>`,
  (x: number, y: number) => `<rect x="${x - 4}" y="${y - 4}" width="8" height="8" fill="#111"/>`,
  (x: number, y: number) =>
    `<path d="M${x} ${y - 5} L${x + 5} ${y + 4} L${x - 5} ${y + 4} Z" fill="#fff" stroke="#111" stroke-width="1.5"/>`,
  (x: number, y: number) => `<path d="M${x} ${y - 5} L${x + 5} ${y} L${x} ${y + 5} L${x - 5} ${y} Z" fill="#111"/>`,
  (x: number, y: number) =>
    `<path d="M${x - 4} ${y - 4} L${x + 4} ${y + 4} M${x + 4} ${y - 4} L${x - 4} ${y + 4}" stroke="#111" stroke-width="2"/>`,
];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '1 0'];

/**
 * Lines over an x axis of given points (evenly spaced, labelled as given: process counts, minutes),
 * each series with its own marker and dash, named in a legend beside the plot.
 */
export function lineChart(
  title: string,
  xs: { value: number; label: string }[],
  series: { name: string; points: { x: number; y: number }[] }[],
  axes: { x: string; y: string },
): string {
  const width = 820;
  const height = 420;
  const left = 80;
  const right = 190;
  const top = 40;
  const bottom = 60;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.y)));
  const axis = ticks(max);
  const xAt = (v: number) => {
    const i = xs.findIndex((x) => x.value === v);
    return left + (xs.length === 1 ? plotW / 2 : (i / (xs.length - 1)) * plotW);
  };
  const yAt = (v: number) => top + plotH - (v / axis.at(-1)!) * plotH;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" ${FONT} font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const v of axis) {
    out.push(`<line x1="${left}" y1="${yAt(v)}" x2="${left + plotW}" y2="${yAt(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 8}" y="${yAt(v) + 4}" text-anchor="end" ${FONT} font-size="12">${tick(v)}</text>`);
  }
  for (const x of xs)
    out.push(`<text x="${xAt(x.value)}" y="${top + plotH + 18}" text-anchor="middle" ${FONT} font-size="12">${esc(x.label)}</text>`);
  out.push(`<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#111"/>`);
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#111"/>`);
  out.push(`<text x="${left + plotW / 2}" y="${height - 18}" text-anchor="middle" ${FONT} font-size="12">${esc(axes.x)}</text>`);
  out.push(
    `<text x="18" y="${top + plotH / 2}" text-anchor="middle" transform="rotate(-90 18 ${top + plotH / 2})" ${FONT} font-size="12">${esc(axes.y)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => xAt(a.x) - xAt(b.x));
    if (pts.length === 0) return;
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${xAt(p.x).toFixed(1)} ${yAt(p.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="#111" stroke-width="1.5" stroke-dasharray="${DASHES[i % DASHES.length]}"/>`);
    for (const p of pts) out.push(MARKERS[i % MARKERS.length]!(xAt(p.x), yAt(p.y)));
    // The legend: the series' dash and marker, then its name.
    const ly = top + 10 + i * 24;
    const lx = left + plotW + 16;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 36}" y2="${ly}" stroke="#111" stroke-width="1.5" stroke-dasharray="${DASHES[i % DASHES.length]}"/>`,
    );
    out.push(MARKERS[i % MARKERS.length]!(lx + 18, ly));
    out.push(`<text x="${lx + 44}" y="${ly + 4}" ${FONT} font-size="12">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
