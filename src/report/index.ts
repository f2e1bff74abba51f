/** The report for the BCSS: figures and verdicts from a batch's compliance records, and its HTML page. */
export { readReport } from './read.js';
export { buildReport } from './figures.js';
export { renderReportHtml, type ReportHtmlOptions } from './html.js';
export { REPORT_LANGUAGES, ruleDetailOf, type ReportLanguage, type RuleFacts } from './texts.js';
export type * from './model.js';
