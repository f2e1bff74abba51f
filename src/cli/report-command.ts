/**
 * `bcss-bulk report DIR...`: the report for the BCSS of a batch from its run directories (one,
 * a live run's, or the several processes' of a shared batch): verdicts as text, the figures as
 * JSON, or one self-contained HTML page.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError } from '../util/errors.js';
import { readReport, renderReportHtml, REPORT_LANGUAGES, ruleDetailOf, type ComplianceReport, type ReportLanguage } from '../report/index.js';

/** The usage lines of the command. */
export const REPORT_USAGE = `  bcss-bulk report DIR... [--json] [--out FILE.html] [--lang fr|nl|en]
      The report for the BCSS of the batch whose runs wrote DIR (several DIRs: the processes of
      one batch, merged; a live run: what happened so far): peaks per source against the caps,
      calls in office hours, announcement, pauses, rejects, and a verdict per rule. --json prints
      the figures; --out writes one self-contained HTML page with the charts.
`;

/** The verdicts as text for a terminal. */
function formatVerdicts(report: ComplianceReport, lang: ReportLanguage): string {
  const lines = [`Report for the BCSS${report.name === undefined ? '' : ` — ${report.name}`}: ${report.startedAt} → ${report.lastRecordAt}${report.ended ? '' : ' (run in progress)'}`];
  for (const rule of report.rules) lines.push(`  ${rule.ok ? 'ok  ' : 'FAIL'}  ${rule.id}: ${ruleDetailOf(rule, lang)}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `bcss-bulk report`; returns the text to print. */
export async function reportCommand(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' }, out: { type: 'string' }, lang: { type: 'string', default: 'en' } }, allowPositionals: true, strict: true });
  const lang = values.lang;
  if (!(REPORT_LANGUAGES as readonly string[]).includes(lang)) throw new ConfigError([{ path: ['lang'], message: `expected fr, nl or en, got '${lang}'` }], 'report arguments');
  if (positionals.length === 0) throw new ConfigError([{ path: ['DIR'], message: 'give at least one run directory' }], 'report arguments');
  const report = await readReport(positionals);
  let text = values.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatVerdicts(report, lang as ReportLanguage);
  if (values.out !== undefined) {
    await writeFile(values.out, renderReportHtml(report, { lang: lang as ReportLanguage }));
    if (values.json !== true) text += `The page is in ${values.out}\n`;
  }
  return text;
}
