/**
 * The report's charts as inline SVG, drawn on the server: no script, no font, no network.
 * Each function returns one `<svg>` element; texts are escaped.
 */
import { toLocal } from '../calendar/zone.js';

const W = 900;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };
const COLOURS = ['#1f6fb2', '#d9822b', '#2e9d5b', '#8e44ad', '#c0392b', '#16a085'];

/** Escapes text for HTML and SVG. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The colour of the n-th series. */
export function colourOf(index: number): string {
  return COLOURS[index % COLOURS.length]!;
}

/** `dd/mm HH:mm` in the zone. */
export function shortLocal(timeZone: string, instant: number): string {
  const d = new Date(toLocal(timeZone, instant));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

function svg(height: number, label: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="100%" role="img" aria-label="${escapeXml(label)}">${body}</svg>`;
}

function yAxis(max: number, height: number): string {
  const bottom = height - PAD.bottom;
  const y = (v: number) => bottom - (v / max) * (bottom - PAD.top);
  let out = `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${bottom}" stroke="#888"/>`;
  for (const v of [0, max / 2, max]) out += `<text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${Math.round(v)}</text>`;
  return out;
}

/** One bar per hour (stacked by source), office hours shaded behind. */
export function hourBars(hours: readonly { hour: string; calls: number; bySource: Readonly<Record<string, number>>; officeHours: boolean }[], sources: readonly string[], timeZone: string, label: string): string {
  const height = 240;
  const bottom = height - PAD.bottom;
  const max = Math.max(1, ...hours.map((h) => h.calls));
  const step = (W - PAD.left - PAD.right) / Math.max(1, hours.length);
  let body = '';
  hours.forEach((h, i) => {
    const x = PAD.left + i * step;
    if (h.officeHours) body += `<rect class="office" x="${x}" y="${PAD.top}" width="${step}" height="${bottom - PAD.top}" fill="#f3d9d9"/>`;
    let top = bottom;
    sources.forEach((source, s) => {
      const value = h.bySource[source] ?? 0;
      if (value === 0) return;
      const size = (value / max) * (bottom - PAD.top);
      top -= size;
      body += `<rect x="${x + 1}" y="${top}" width="${Math.max(1, step - 2)}" height="${size}" fill="${colourOf(s)}"><title>${escapeXml(`${shortLocal(timeZone, Date.parse(h.hour))} ${source}: ${value}`)}</title></rect>`;
    });
    const every = Math.ceil(hours.length / 12);
    if (i % every === 0) body += `<text x="${x}" y="${height - 8}" font-size="10">${escapeXml(shortLocal(timeZone, Date.parse(h.hour)))}</text>`;
  });
  return svg(height, label, yAxis(max, height) + body);
}

/** The peak in flight per minute of one source as a step line, against its cap (and the policy's). */
export function inFlightLine(points: readonly (readonly [number, number])[], from: number, to: number, cap: number, policyCap: number, colour: string, timeZone: string, label: string): string {
  const height = 160;
  const bottom = height - PAD.bottom;
  const max = Math.max(cap, policyCap, ...points.map(([, v]) => v)) + 1;
  const span = Math.max(60_000, to - from);
  const x = (t: number) => PAD.left + ((t - from) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => bottom - (v / max) * (bottom - PAD.top);
  let path = '';
  let previous: number | undefined;
  for (const [t, v] of points) {
    if (previous === undefined || t - previous > 60_000) path += `${path === '' ? '' : ` L${x(previous! + 60_000)},${y(0)}`} M${x(t)},${y(0)}`;
    path += ` L${x(t)},${y(v)} L${x(t + 60_000)},${y(v)}`;
    previous = t;
  }
  if (previous !== undefined) path += ` L${x(previous + 60_000)},${y(0)}`;
  let body = yAxis(max, height);
  body += `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(policyCap)}" y2="${y(policyCap)}" stroke="#c0392b" stroke-dasharray="6 4"/>`;
  if (cap !== policyCap) body += `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(cap)}" y2="${y(cap)}" stroke="#7f8c8d" stroke-dasharray="2 3"/>`;
  body += `<path d="${path.trim()}" fill="none" stroke="${colour}" stroke-width="1.5"/>`;
  body += `<text x="${PAD.left}" y="${height - 8}" font-size="10">${escapeXml(shortLocal(timeZone, from))}</text><text x="${W - PAD.right}" y="${height - 8}" font-size="10" text-anchor="end">${escapeXml(shortLocal(timeZone, to))}</text>`;
  return svg(height, label, body);
}

/** The run's states as bands on a time axis, one row per state, with marks for other events. */
export function timelineBands(periods: readonly { state: string; from: string; to?: string; reason: string }[], marks: readonly { at: string; event: string }[], names: Readonly<Record<string, string>>, from: number, to: number, timeZone: string, label: string): string {
  const rows = ['running', 'waiting', 'paused', 'draining'];
  const rowHeight = 22;
  const height = PAD.top + rows.length * rowHeight + 24 + PAD.bottom;
  const span = Math.max(60_000, to - from);
  const x = (t: number) => PAD.left + 60 + ((t - from) / span) * (W - PAD.left - 60 - PAD.right);
  let body = '';
  rows.forEach((row, i) => (body += `<text x="4" y="${PAD.top + i * rowHeight + 15}" font-size="11">${escapeXml(names[row] ?? row)}</text>`));
  for (const period of periods) {
    const row = rows.indexOf(period.state);
    if (row < 0) continue;
    const start = x(Date.parse(period.from));
    const end = x(period.to === undefined ? to : Date.parse(period.to));
    body += `<rect x="${start}" y="${PAD.top + row * rowHeight + 3}" width="${Math.max(1, end - start)}" height="${rowHeight - 6}" fill="${colourOf(row)}"><title>${escapeXml(`${period.state} (${period.reason}) ${shortLocal(timeZone, Date.parse(period.from))}`)}</title></rect>`;
  }
  const markY = PAD.top + rows.length * rowHeight + 12;
  for (const mark of marks) body += `<circle cx="${x(Date.parse(mark.at))}" cy="${markY}" r="4" fill="#c0392b"><title>${escapeXml(`${mark.event} ${shortLocal(timeZone, Date.parse(mark.at))}`)}</title></circle>`;
  body += `<text x="${x(from)}" y="${height - 8}" font-size="10">${escapeXml(shortLocal(timeZone, from))}</text><text x="${x(to)}" y="${height - 8}" font-size="10" text-anchor="end">${escapeXml(shortLocal(timeZone, to))}</text>`;
  return svg(height, label, body);
}

/** Horizontal bars: one per entry, or a pair (planned, actual) per entry. */
export function horizontalBars(entries: readonly { label: string; values: readonly number[] }[], legend: readonly string[], label: string): string {
  const rowHeight = 18 * Math.max(1, legend.length) + 8;
  const height = PAD.top + entries.length * rowHeight + PAD.bottom;
  const max = Math.max(1, ...entries.flatMap((e) => e.values));
  const left = 200;
  let body = '';
  entries.forEach((entry, i) => {
    const top = PAD.top + i * rowHeight;
    body += `<text x="${left - 8}" y="${top + 14}" text-anchor="end" font-size="12">${escapeXml(entry.label)}</text>`;
    entry.values.forEach((value, v) => {
      const width = (value / max) * (W - left - 80);
      body += `<rect x="${left}" y="${top + v * 18}" width="${Math.max(1, width)}" height="15" fill="${colourOf(v)}"/><text x="${left + width + 6}" y="${top + v * 18 + 12}" font-size="11">${escapeXml(`${legend[v] ?? ''} ${value}`.trim())}</text>`;
    });
  });
  return svg(height, label, body);
}
