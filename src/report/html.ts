/**
 * The report for the BCSS as one self-contained HTML page: styles inline, charts as inline SVG,
 * no script, no font, no link: it opens offline and makes no request.
 */
import type { ComplianceReport } from './model.js';
import { colourOf, escapeXml as esc, horizontalBars, hourBars, inFlightLine, shortLocal, timelineBands } from './svg.js';
import { ruleDetail, ruleName, wordsOf, type ReportLanguage } from './texts.js';

/** Options of {@link renderReportHtml}. */
export interface ReportHtmlOptions {
  /**
   * The page's language: French, Dutch or English.
   * @defaultValue `'en'`
   */
  readonly lang?: ReportLanguage | undefined;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px auto;max-width:960px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;font-size:13px}
.ok{color:#1e7d3a;font-weight:bold}.ko{color:#b3261e;font-weight:bold}.note{color:#666;font-size:13px}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}`;

/**
 * The page of a report, in `lang`.
 *
 * @throws {ConfigError} never: an unknown language falls back to English only through the types.
 */
export function renderReportHtml(report: ComplianceReport, options: ReportHtmlOptions = {}): string {
  const lang = options.lang ?? 'en';
  const w = wordsOf(lang);
  const zone = report.calendar.timeZone;
  const from = Date.parse(report.startedAt);
  const to = Math.max(from + 60_000, Date.parse(report.lastRecordAt));
  const names = report.sources.map((source) => source.source);
  const when = (at: string) => shortLocal(zone, Date.parse(at));

  const rules = report.rules
    .map((rule) => `<tr data-rule="${esc(rule.id)}"><td>${esc(ruleName(rule.id, lang))}</td><td class="${rule.ok ? 'ok' : 'ko'}">${esc(rule.ok ? w.kept : w.broken)}</td><td>${esc(ruleDetail(rule.id, rule.ok, rule.facts, lang))}</td></tr>`)
    .join('');
  const sources = report.sources
    .map((s, i) => `<tr><td><span style="color:${colourOf(i)}">■</span> ${esc(s.source)}</td><td>${esc(s.kind)}</td><td>${s.cap}</td><td>${s.policyCap}</td><td>${s.peakConcurrency}</td><td>${s.calls}</td><td>${esc(s.overrideReason ?? '')}</td></tr>`)
    .join('');
  const legend = `<p class="legend">${names.map((name, i) => `<span style="background:${colourOf(i)}"></span>${esc(name)}`).join('')}<span style="background:#f3d9d9"></span>${esc(w.officeHours)}</p>`;
  const inFlight = report.sources
    .map((s, i) => `<h3>${esc(s.source)}: ${esc(w.peak)} ${s.peakConcurrency} / ${esc(w.policyCap)} ${s.policyCap}</h3>${inFlightLine(s.inFlightPerMinute, from, to, s.cap, s.policyCap, colourOf(i), zone, `${w.inFlight}: ${s.source}`)}`)
    .join('');
  const marks = report.events.map((event) => ({ at: event.at, event: [event.event, event.source, event.reason].filter(Boolean).join(' ') }));
  const pauses = report.pauses
    .map((p) => `<tr><td>${esc(when(p.at))}</td><td>${esc(p.reason)}</td><td>${esc(p.origin ?? '')}</td><td>${esc(p.message ?? '')}</td><td>${p.resumedAt === undefined ? '' : esc(when(p.resumedAt))}</td><td class="${p.honoured ? 'ok' : 'ko'}">${p.delayMs === undefined ? '' : Math.round(p.delayMs / 1000)} s</td></tr>`)
    .join('');
  const events = report.events.map((e) => `<tr><td>${esc(when(e.at))}</td><td>${esc(e.event)}</td><td>${esc(e.source ?? '')}</td><td>${esc([e.reason, e.origin, e.message, e.until === undefined ? undefined : `→ ${when(e.until)}`].filter(Boolean).join(' · '))}</td></tr>`).join('');
  const rejects = Object.entries(report.rejectsByCode).sort(([, a], [, b]) => b - a);
  const plan = report.plan;
  const planChart =
    plan === undefined
      ? `<p class="note">${esc(w.noPlan)}</p>`
      : horizontalBars(
          [{ label: w.calls, values: [plan.plannedCalls, plan.actualCalls] }, ...plan.sources.map((s) => ({ label: `${s.source} (${w.calls})`, values: [s.plannedCalls, s.actualCalls] }))],
          [w.planned, w.actual],
          w.planVersusActual,
        );

  return `<!DOCTYPE html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`${w.title}${report.name === undefined ? '' : ` — ${report.name}`}`)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(w.title)}${report.name === undefined ? '' : ` — ${esc(report.name)}`}</h1>
<p>${esc(w.period)}: ${esc(when(report.startedAt))} → ${esc(when(report.lastRecordAt))} (${esc(zone)}) · ${report.runs} ${esc(w.runs)} · ${esc(report.ended ? w.ended : w.live)}</p>
<h2>${esc(w.verdicts)}</h2><table id="rules"><tbody>${rules}</tbody></table>
<h2>${esc(w.sources)}</h2><table id="sources"><thead><tr><th>${esc(w.source)}</th><th></th><th>${esc(w.cap)}</th><th>${esc(w.policyCap)}</th><th>${esc(w.peak)}</th><th>${esc(w.calls)}</th><th>${esc(w.override)}</th></tr></thead><tbody>${sources}</tbody></table>
<h2>${esc(w.callsPerHour)}</h2>${legend}${hourBars(report.callsPerHour, names, zone, w.callsPerHour)}
<h2>${esc(w.inFlight)}</h2>${inFlight}
<h2>${esc(w.timeline)}</h2>${timelineBands(report.timeline, marks, w.states, from, to, zone, w.timeline)}
${pauses === '' ? '' : `<h3>${esc(w.pauses)}</h3><table id="pauses"><thead><tr><th>${esc(w.at)}</th><th>${esc(w.reason)}</th><th>${esc(w.origin)}</th><th>${esc(w.message)}</th><th>${esc(w.resumedAt)}</th><th>${esc(w.delay)}</th></tr></thead><tbody>${pauses}</tbody></table>`}
${events === '' ? '' : `<h3>${esc(w.events)}</h3><table id="events"><thead><tr><th>${esc(w.at)}</th><th>${esc(w.event)}</th><th>${esc(w.source)}</th><th>${esc(w.reason)}</th></tr></thead><tbody>${events}</tbody></table>`}
<h2>${esc(w.rejectsByCode)}</h2>${rejects.length === 0 ? `<p>${esc(w.none)}</p>` : horizontalBars(rejects.map(([code, count]) => ({ label: code, values: [count] })), [], w.rejectsByCode)}
<h2>${esc(w.planVersusActual)}</h2>${plan === undefined ? '' : `<p>${esc(w.hours)}: ${esc(w.planned)} ${plan.plannedHours} · ${esc(w.actual)} ${plan.actualHours}</p>`}${planChart}
</body></html>
`;
}
