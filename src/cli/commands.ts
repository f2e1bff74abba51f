/**
 * The operator's commands on a run directory, as a function of the arguments: parses them,
 * runs the command, writes to the given streams and returns the exit code (0 done, 1 the
 * command failed, 2 wrong usage). `main.ts` binds it to the process.
 */
import { parseArgs } from 'node:util';
import packageJson from '../../package.json' with { type: 'json' };
import { BcssBulkError } from '../util/errors.js';
import { nodeFileSystem } from '../store/file-store/fs.js';
import { exportLines, readLedger, summarizeLedger, type ExportFormat, type LedgerSummary } from '../store/file-store/ledger-tools.js';
import { applyRepair, formatRepairPlan, planRepair } from '../store/file-store/repair.js';
import { PLAN_USAGE, planCommand } from './plan-command.js';
import { REPORT_USAGE, reportCommand } from './report-command.js';
import { CONTROL_COMMANDS, CONTROL_USAGE, controlCommand } from './control-command.js';

/** Where the commands write. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

/** The usage of `bcss-bulk ledger summary`. */
export const SUMMARY_USAGE = `  bcss-bulk ledger summary DIR [--json]
      Progress and rejects of the run directory DIR: items finished, counts per source and
      outcome, rejects by ledger, source, outcome class and code.
`;

/** The usage of `bcss-bulk ledger export`. */
export const EXPORT_USAGE = `  bcss-bulk ledger export DIR --format csv|jsonl [--ledger NAME]... [--outcome reject|exhausted]... [--code CODE]...
      Writes the rejects (all, or the chosen ones) to standard output as CSV or JSON Lines.
`;

/** The usage of `bcss-bulk ledger repair`. */
export const REPAIR_USAGE = `  bcss-bulk ledger repair DIR [--apply]
      Says what is damaged in the run directory DIR (a ledger or journal missing or shorter than
      its checkpoint and seal say, a damaged record) and what a repaired run will do: the items it
      will call again (positions; keys masked, where known) and the rejects that are lost. Changes
      nothing without --apply; with --apply (the run must be stopped) keeps every valid record,
      rewrites the checkpoint and the seal so the next run resumes and calls again exactly those
      items, and writes a note of the repair (repair-<instant>.txt) in DIR.
`;

const EXIT_CODES = 'Exit codes: 0 done, 1 the command failed (no run directory, a damaged file, a plan\'s bad input), 2 wrong usage.\n';

/** The usage text. */
export const USAGE = `Usage:
${SUMMARY_USAGE}${EXPORT_USAGE}${REPAIR_USAGE}${PLAN_USAGE}${REPORT_USAGE}${CONTROL_USAGE}  bcss-bulk --version | -v
  bcss-bulk --help | -h            (also COMMAND --help: bcss-bulk plan --help, bcss-bulk ledger export --help)

${EXIT_CODES}`;

/** The usage of one command (or of a group of commands), with the exit codes. */
function usageOf(lines: string): string {
  return `Usage:\n${lines}\n${EXIT_CODES}`;
}

/** The usage printed by `--help` after a command: `[group]` or `[group, command]`. */
const COMMAND_USAGE: Readonly<Record<string, string>> = {
  ledger: usageOf(SUMMARY_USAGE + EXPORT_USAGE + REPAIR_USAGE),
  'ledger summary': usageOf(SUMMARY_USAGE),
  'ledger export': usageOf(EXPORT_USAGE),
  'ledger repair': usageOf(REPAIR_USAGE),
  plan: usageOf(PLAN_USAGE),
  report: usageOf(REPORT_USAGE),
  ...Object.fromEntries([...CONTROL_COMMANDS].map((name) => [name, usageOf(CONTROL_USAGE)])),
};

class UsageError extends Error {}

function table(title: string, counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return `${title}: none\n`;
  const width = Math.max(...entries.map(([name]) => name.length));
  return `${title}:\n${entries.map(([name, count]) => `  ${name.padEnd(width)}  ${count}`).join('\n')}\n`;
}

/** The summary as text for a terminal. */
export function formatSummary(dir: string, summary: LedgerSummary): string {
  const perSource: Record<string, number> = {};
  let lines = `Run directory ${dir}\nItems finished: ${summary.finished} (every item before position ${summary.watermark} is finished)\n`;
  for (const [source, counts] of Object.entries(summary.counts)) {
    lines += `  ${source}: ${counts.success} succeeded, ${counts.reject} rejected, ${counts.exhausted} exhausted\n`;
    perSource[source] = counts.success + counts.reject + counts.exhausted;
  }
  lines += `Rejects in the ledgers: ${summary.rejects}\n`;
  let counted = 0;
  for (const counts of Object.values(summary.counts)) counted += counts.reject + counts.exhausted;
  if (counted > summary.rejects) lines += `  The counts say ${counted} rejects: ${counted - summary.rejects} reject record(s) are lost (see the repair-*.txt note in the directory)\n`;
  if (summary.rejects > 0) {
    lines += table('By ledger', summary.byLedger) + table('By source', summary.bySource) + table('By outcome', summary.byOutcome) + table('By code', summary.byCode);
  }
  return lines;
}

/** Fails with a usage error unless DIR holds a run directory's files. */
async function checkRunDir(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await nodeFileSystem.readdir(dir);
  } catch (error) {
    throw new BcssBulkError('NO_RUN_DIR', `Cannot read the run directory ${dir}: ${(error as Error).message}`);
  }
  if (!names.some((name) => name === 'checkpoint' || name === 'seal' || /^(ledger|journal)-.*\.log$/.test(name))) {
    throw new BcssBulkError('NO_RUN_DIR', `${dir} is not a run directory (no checkpoint, ledger or journal in it)`);
  }
}

async function summary(args: string[], io: CliOutput): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const [dir, ...extra] = positionals;
  if (dir === undefined || extra.length > 0) throw new UsageError('ledger summary takes one run directory');
  await checkRunDir(dir);
  const result = await summarizeLedger(dir);
  io.out(values.json === true ? `${JSON.stringify(result, null, 2)}\n` : formatSummary(dir, result));
}

async function exportCommand(args: string[], io: CliOutput): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { format: { type: 'string' }, ledger: { type: 'string', multiple: true }, outcome: { type: 'string', multiple: true }, code: { type: 'string', multiple: true } },
    allowPositionals: true,
    strict: true,
  });
  const [dir, ...extra] = positionals;
  if (dir === undefined || extra.length > 0) throw new UsageError('ledger export takes one run directory');
  if (values.format !== 'csv' && values.format !== 'jsonl') throw new UsageError(`--format must be csv or jsonl${values.format === undefined ? '' : `, not '${values.format}'`}`);
  for (const outcome of values.outcome ?? []) if (outcome !== 'reject' && outcome !== 'exhausted') throw new UsageError(`--outcome must be reject or exhausted, not '${outcome}'`);
  await checkRunDir(dir);
  const records = await readLedger(dir, {
    ...(values.ledger === undefined ? {} : { ledgers: values.ledger }),
    ...(values.outcome === undefined ? {} : { outcomes: values.outcome as ('reject' | 'exhausted')[] }),
    ...(values.code === undefined ? {} : { codes: values.code }),
  });
  for (const line of exportLines(records, values.format as ExportFormat)) io.out(line);
}

async function repair(args: string[], io: CliOutput): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { apply: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const [dir, ...extra] = positionals;
  if (dir === undefined || extra.length > 0) throw new UsageError('ledger repair takes one run directory');
  await checkRunDir(dir);
  if (values.apply !== true) {
    io.out(formatRepairPlan(await planRepair(dir), false));
    return;
  }
  const result = await applyRepair(dir);
  io.out(formatRepairPlan(result, true));
  if (result.note !== undefined) io.out(`\nRepaired. A note of the repair is in ${result.note}\n`);
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** The usage `--help` asks for in `argv`, or undefined when it asks for none. */
function helpFor(argv: readonly string[]): string | undefined {
  const [group, command] = argv;
  if (group === 'help') return COMMAND_USAGE[argv.slice(1, 3).join(' ')] ?? COMMAND_USAGE[command ?? ''] ?? USAGE;
  if (isHelp(group)) return USAGE;
  if (group === undefined || !argv.some(isHelp)) return undefined;
  // An unknown command stays a usage error (exit 2), --help or not.
  return COMMAND_USAGE[`${group} ${command}`] ?? COMMAND_USAGE[group];
}

/** Runs the command given by `argv` (without the node and script paths); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliOutput): Promise<number> {
  const [group, command, ...rest] = argv;
  try {
    if (group === '--version' || group === '-v') {
      if (argv.length > 1) throw new UsageError(`${group} takes no arguments`);
      io.out(`${packageJson.version}\n`);
      return 0;
    }
    const help = helpFor(argv);
    if (help !== undefined) {
      io.out(help);
      return 0;
    }
    if (group === 'plan') {
      io.out(planCommand(argv.slice(1)));
      return 0;
    }
    if (group === 'report') {
      io.out(await reportCommand(argv.slice(1)));
      return 0;
    }
    if (group !== undefined && CONTROL_COMMANDS.has(group)) return await controlCommand(argv, io);
    if (group !== 'ledger') {
      throw new UsageError(group === undefined ? 'no command given' : group.startsWith('-') ? `unknown option '${group}'` : `unknown command '${group}'`);
    }
    if (command === 'summary') await summary(rest, io);
    else if (command === 'export') await exportCommand(rest, io);
    else if (command === 'repair') await repair(rest, io);
    else throw new UsageError(command === undefined ? 'ledger: give summary, export or repair' : `unknown ledger command '${command}'`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true)) {
      io.err(`bcss-bulk: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    const code = error instanceof BcssBulkError ? ` [${error.code}]` : '';
    io.err(`bcss-bulk: ${error instanceof Error ? error.message : String(error)}${code}\n`);
    return 1;
  }
}
