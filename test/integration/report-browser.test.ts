/**
 * The report's page as an operator meets it: a batch of two sources (one process each, shared
 * mode's layout: one run directory per process) recorded in real run directories, the real
 * CLI (a child process) merging them into the French page, and the page opened in headless
 * Chromium (Debian's package): no console error, no request but the file itself, a screenshot
 * that is not blank, and the verdicts and the sources' names in its text.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import puppeteer from 'puppeteer-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createRun, FileStore, HttpStatusError } from '../../src/index.js';
import { FakeClock, RecordingService } from '../../src/testing.js';
import { childEnv } from '../support/exec.js';

const root = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'bcss-report-page-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** One process of the batch: its own run directory, one source. */
async function process_(dir: string, source: 'rn' | 'pensions', count: number): Promise<void> {
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 20, 0, 0));
  const store = await FileStore.open(dir);
  const service = new RecordingService<number, number>({
    clock,
    latencyMs: 2_000,
    respond: (item) => {
      if (item % 25 === 7) throw new HttpStatusError(404, { message: 'no such person' });
      return item;
    },
  });
  const run = createRun<number, number>({
    input: Array.from({ length: count }, (_, i) => i),
    source,
    sources: { [source]: { kind: source === 'rn' ? 'rn' : 'authentic' } },
    call: service.call,
    clock,
    store,
    name: 'page-test',
    announcement: { reference: 'SD-2026-000099', announcedOn: '2025-12-20' },
  });
  const done = run.start();
  await clock.runUntil(() => ['completed', 'failed', 'stopped'].includes(run.state));
  await done;
  await store.close();
}

describe('report page in a real browser', () => {
  it('renders its charts offline, without errors, and says the verdicts', { timeout: 60_000 }, async () => {
    const rnDir = path.join(work, 'rn');
    const pensionsDir = path.join(work, 'pensions');
    await process_(rnDir, 'rn', 400);
    await process_(pensionsDir, 'pensions', 200);
    const page = path.join(work, 'report.html');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'report', rnDir, pensionsDir, '--out', page, '--lang', 'fr'], { cwd: root, timeout: 30_000, env: childEnv() });
    expect(stdout).toContain('ok    cap:rn');
    expect(stdout).toContain(`The page is in ${page}`);
    const html = readFileSync(page, 'utf8');
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);

    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const tab = await browser.newPage();
      await tab.setViewport({ width: 1000, height: 1400 });
      const errors: string[] = [];
      const requests: string[] = [];
      tab.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warn') errors.push(message.text());
      });
      tab.on('pageerror', (error) => errors.push(String(error)));
      await tab.setRequestInterception(true);
      const url = pathToFileURL(page).href;
      tab.on('request', (request) => {
        requests.push(request.url());
        if (request.url() === url) void request.continue();
        else void request.abort();
      });
      await tab.goto(url, { waitUntil: 'load' });
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      expect(await tab.$$eval('svg', (charts) => charts.length)).toBeGreaterThanOrEqual(5);

      const text = await tab.$eval('body', (body) => (body as unknown as { innerText: string }).innerText);
      for (const expected of ['Rapport pour la BCSS', 'Lot annoncé une semaine à l’avance', 'respectée', 'rn', 'pensions', 'HTTP_404', 'rn : pic de 4 appels simultanés, plafond BCSS 4', 'pensions : pic de 2 appels simultanés, plafond BCSS 2']) {
        expect(text).toContain(expected);
      }
      const shot = PNG.sync.read(Buffer.from(await tab.screenshot({ fullPage: true, type: 'png' })));
      const colours = new Set<number>();
      for (let i = 0; i < shot.data.length; i += 4) colours.add(shot.data.readUInt32BE(i));
      expect(colours.size).toBeGreaterThan(20);
    } finally {
      await browser.close();
    }
  });
});
