// Debian's Chromium driven by playwright-core (no browser download), with a fresh profile,
// and the checks every page gets: axe-core finds no violation, no CSP or script error, and a
// screenshot at phone and desktop size.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SHOTS = new URL('../test-results/screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** A browser with a fresh profile; `camera` is a Y4M file for the fake camera. */
export async function launch({ camera } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'tickets-web-chromium-'));
  const args = [...ARGS];
  if (camera) {
    args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${camera}`);
  }
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args,
    viewport: { width: 1280, height: 800 },
    locale: 'en-GB',
    timezoneId: 'UTC',
    permissions: camera ? ['camera'] : [],
    timeout: 30000,
  });
  context.setDefaultTimeout(10000);
  const problems = [];
  const watch = (page) => {
    page.on('pageerror', (e) => problems.push(`script error on ${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) problems.push(`CSP on ${page.url()}: ${m.text()}`);
    });
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  return {
    context,
    problems,
    page: async () => context.pages()[0] ?? context.newPage(),
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const viewports = [
  { name: '360', width: 360, height: 740 },
  { name: '1280', width: 1280, height: 800 },
];

/** axe-core on the page as it is now, at both sizes, and a screenshot at each. */
export async function checkPage(page, name, results) {
  const original = page.viewportSize();
  for (const size of viewports) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.waitForTimeout(50);
    // evaluate() runs outside the page's CSP, which forbids injected scripts.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
    });
    for (const v of found) results.axe.push(`${name} @${size.name}: ${v}`);
    await page.screenshot({ path: join(SHOTS, `${name}-${size.name}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
  results.pages.push(name);
}
