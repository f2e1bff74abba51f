/**
 * Working with a run directory's ledgers: summary, CSV / JSON Lines export, re-running chosen
 * rejects as a new input, and the `bcss-bulk` command as a real process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRun, exportLedger, FileStore, rerunInput, summarizeLedger, type Classifier, type LedgerRecord } from '../../src/index.js';
import { csvField } from '../../src/store/file-store/index.js';
import { TEST_ANNOUNCEMENT } from '../helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bcss-ledger-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Person {
  readonly id: string;
  readonly answer: string;
}

const classify: Classifier<string> = (result) => {
  if (!result.ok) return undefined;
  if (result.value === 'MSG00000') return { class: 'success' };
  if (result.value === 'HAN20200') return { class: 'transient', code: 'HAN20200', reason: 'source unavailable' };
  return { class: 'reject', code: result.value, reason: `refused, "${result.value}", see the register\nsecond line` };
};

/** A run of seven people, two sources, various answers, into a FileStore in `runDir`. */
async function recordRun(runDir: string): Promise<void> {
  const people: Person[] = [
    { id: 'p1', answer: 'MSG00000' },
    { id: 'p2', answer: 'MSG00012' },
    { id: 'p3', answer: 'MSG00006' },
    { id: 'p4', answer: 'MSG00005' },
    { id: 'p5,x', answer: 'MSG00012' },
    { id: 'p6', answer: 'HAN20200' },
    { id: 'p7', answer: 'MSG00000' },
  ];
  const store = await FileStore.open(runDir);
  await createRun<Person, string>({
    announcement: TEST_ANNOUNCEMENT,
    input: people,
    source: (person) => (person.id === 'p4' ? 'onem' : 'rn'),
    sources: { rn: { kind: 'rn' }, onem: { kind: 'authentic' } },
    calendar: { enforce: false, override: { reason: 'test against an in-process service, not the BCSS' } },
    key: (person) => person.id,
    call: (person) => person.answer,
    classify,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    rejectBudget: false,
    store,
  }).start();
  await store.close();
}

describe('ledger tools', () => {
  it('summarises progress and rejects by ledger, source, outcome and code', async () => {
    await recordRun(dir);
    expect(await summarizeLedger(dir)).toEqual({
      finished: 7,
      watermark: 7,
      counts: { rn: { success: 2, reject: 3, exhausted: 1 }, onem: { success: 0, reject: 1, exhausted: 0 } },
      rejects: 5,
      byLedger: { 'not-integrated': 2, rejects: 2, 'ssin-replaced': 1 },
      bySource: { rn: 4, onem: 1 },
      byOutcome: { reject: 4, exhausted: 1 },
      byCode: { MSG00012: 2, MSG00006: 1, MSG00005: 1, HAN20200: 1 },
    });
  });

  it('exports CSV with a header and RFC 4180 quoting, and JSON Lines, optionally per ledger', async () => {
    await recordRun(dir);
    const csv = await exportLedger(dir, 'csv', { ledgers: ['not-integrated'] });
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('ledger,position,key,source,outcome,code,reason,attempts,firstAttemptAt,lastAttemptAt');
    expect(csv).toContain('not-integrated,1,p2,rn,reject,MSG00012,"refused, ""MSG00012"", see the register\nsecond line",1,');
    expect(csv).toContain('not-integrated,4,"p5,x",rn,reject,MSG00012,');
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n').filter((l) => l.startsWith('not-integrated,')).length).toBe(2);

    const jsonl = await exportLedger(dir, 'jsonl');
    const records = jsonl.trimEnd().split('\n').map((line) => JSON.parse(line) as LedgerRecord);
    expect(records.map((r) => [r.ledger, r.key, r.code])).toEqual([
      ['not-integrated', 'p2', 'MSG00012'],
      ['not-integrated', 'p5,x', 'MSG00012'],
      ['rejects', 'p4', 'MSG00005'],
      ['rejects', 'p6', 'HAN20200'],
      ['ssin-replaced', 'p3', 'MSG00006'],
    ]);
    expect(records.find((r) => r.key === 'p6')).toMatchObject({ outcome: 'exhausted', attempts: 2, source: 'rn' });
  });

  it('quotes CSV fields only when needed', () => {
    expect([csvField('plain'), csvField('a,b'), csvField('say "hi"'), csvField('cr\rlf'), csvField(undefined), csvField(3)]).toEqual(['plain', '"a,b"', '"say ""hi"""', '"cr\rlf"', '', '3']);
  });

  it('guards CSV fields against formula injection (OWASP): = + - @ tab CR get a single quote in front', () => {
    const cells = ['=1+2', '+SUM(A1)', '-2+3', '@cmd', '\tTAB', '\rCR', '=HYPERLINK("http://x","y")', 'a=b', " '=already"];
    expect(cells.map((cell) => csvField(cell))).toEqual(["'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tTAB", '"\'\rCR"', '"\'=HYPERLINK(""http://x"",""y"")"', 'a=b', " '=already"]);
    expect([csvField(-3), csvField(0), csvField(-1.5)]).toEqual(['-3', '0', '-1.5']); // numbers are no formulas
  });

  it('exports keys, codes and reasons that look like formulas as text, in the library and the command', async () => {
    const store = await FileStore.open(dir);
    await createRun<string, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: ["=cmd|'/c calc'!A1", '@SUM(1)'],
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      calendar: { enforce: false, override: { reason: 'test against an in-process service, not the BCSS' } },
      key: (id) => id,
      call: (id) => id,
      classify: (result) => (result.ok ? { class: 'reject', code: '+MSG', reason: `-refused ${result.value}` } : undefined),
      rejectBudget: false,
      store,
    }).start();
    await store.close();
    const csv = await exportLedger(dir, 'csv');
    const rows = csv.split('\r\n').slice(1, 3);
    expect(rows[0]).toMatch(/^rejects,0,'=cmd\|'\/c calc'!A1,rn,reject,'\+MSG,'-refused =cmd\|'\/c calc'!A1,1,/);
    expect(rows[1]).toMatch(/^rejects,1,'@SUM\(1\),rn,reject,'\+MSG,'-refused @SUM\(1\),1,/);
    expect(cli('ledger', 'export', dir, '--format', 'csv').stdout).toBe(csv);
  });

  it('re-runs the chosen rejects as the input of a new run', async () => {
    await recordRun(dir);
    const second = path.join(dir, 'rerun');
    const store = await FileStore.open(second);
    const called: string[] = [];
    const summary = await createRun<LedgerRecord, string>({
      announcement: TEST_ANNOUNCEMENT,
      input: rerunInput(dir, { ledgers: ['not-integrated'] }),
      source: 'rn',
      sources: { rn: { kind: 'rn' } },
      calendar: { enforce: false, override: { reason: 'test against an in-process service, not the BCSS' } },
      key: (record) => record.key,
      call: (record) => {
        called.push(record.key);
        return 'MSG00000'; // registered since
      },
      classify,
      store,
    }).start();
    await store.close();
    expect(called).toEqual(['p2', 'p5,x']);
    expect(summary.totals).toMatchObject({ succeeded: 2, finished: 2 });
    const byOutcome: string[] = [];
    for await (const record of rerunInput(dir, { outcomes: ['exhausted'] })) byOutcome.push(record.key);
    expect(byOutcome).toEqual(['p6']);
    const byCode: string[] = [];
    for await (const record of rerunInput(dir, { codes: ['MSG00006', 'MSG00005'] })) byCode.push(record.key);
    expect(byCode).toEqual(['p4', 'p3']);
  });
});

/** Runs the command line as a real process. */
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/cli.ts'), ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the bcss-bulk command', () => {
  it('prints a summary, as text or JSON', async () => {
    await recordRun(dir);
    const text = cli('ledger', 'summary', dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Items finished: 7');
    expect(text.stdout).toContain('rn: 2 succeeded, 3 rejected, 1 exhausted');
    expect(text.stdout).toMatch(/By ledger:\n {2}not-integrated {2}2\n {2}rejects {9}2\n {2}ssin-replaced {3}1\n/);
    const json = cli('ledger', 'summary', dir, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ finished: 7, rejects: 5 });
  });

  it('exports CSV and JSON Lines to standard output', async () => {
    await recordRun(dir);
    const csv = cli('ledger', 'export', dir, '--format', 'csv', '--ledger', 'ssin-replaced');
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe(await exportLedger(dir, 'csv', { ledgers: ['ssin-replaced'] }));
    const jsonl = cli('ledger', 'export', dir, '--format', 'jsonl', '--outcome', 'exhausted');
    expect(jsonl.stdout.trim().split('\n').map((l) => (JSON.parse(l) as LedgerRecord).key)).toEqual(['p6']);
  });

  it('exits 2 with the usage on wrong usage, 1 when the directory is missing or damaged', async () => {
    for (const args of [[], ['ledger'], ['ledger', 'export', dir], ['ledger', 'export', dir, '--format', 'xml'], ['ledger', 'summary', dir, '--bogus'], ['nope']]) {
      const result = cli(...args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain('Usage:');
    }
    expect(cli('--help')).toMatchObject({ code: 0, stdout: expect.stringContaining('bcss-bulk ledger summary DIR') });
    const missing = cli('ledger', 'summary', path.join(dir, 'nothing'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NO_RUN_DIR');
    await recordRun(dir);
    await writeFile(path.join(dir, 'checkpoint'), 'garbage\n');
    const damaged = cli('ledger', 'summary', dir);
    expect(damaged).toMatchObject({ code: 1, stderr: expect.stringContaining('LEDGER_DAMAGED') });
  });
});
