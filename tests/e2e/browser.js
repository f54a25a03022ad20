// Debian's chromium driven by playwright-core: headless, sandbox off (containers), a
// fresh profile per launch, no network but the server under test. Playwright never
// downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, executablePath).
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// contextOptions: extra playwright context options (the XSS sweep passes bypassCSP).
export async function launch(contextOptions = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), 'rapport-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
    viewport: { width: 1280, height: 860 },
    locale: 'en-US',
    timezoneId: 'UTC',
    ...contextOptions,
  });
  context.setDefaultTimeout(15000);
  async function close() {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
  return { context, close };
}

// The directory failing tests leave their screenshots in.
export const SHOTS = process.env.RAPPORT_E2E_SHOTS || path.join(tmpdir(), 'rapport-e2e-shots');
export function shotPath(name) {
  mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, `${name.replace(/[^\w.-]+/g, '_').slice(0, 80)}.png`);
}

// One page of the app that a test file walks step by step. step(name, fn) is a test that
// saves a screenshot of the page when it fails; open() launches the browser and collects
// CSP violations and script errors into cspErrors and pageErrors for the last step.
export function appPage(prefix) {
  const ui = { page: null, cspErrors: [], pageErrors: [] };
  let browser;
  ui.open = async () => {
    browser = await launch();
    const page = await browser.context.newPage();
    page.on('console', (m) => { if (/Content.Security.Policy/i.test(m.text())) ui.cspErrors.push(m.text()); });
    page.on('pageerror', (e) => ui.pageErrors.push(e.message + (process.env.E2E_STACKS ? ` at ${page.url()}: ${e.stack}` : '')));
    ui.page = page;
    return page;
  };
  ui.close = async () => { await browser?.close(); };
  ui.step = (name, fn) => test(name, async () => {
    try {
      await fn();
    } catch (err) {
      const file = shotPath(`${prefix}-${name}`);
      await ui.page?.screenshot({ path: file, fullPage: true }).catch(() => {});
      err.message += `\n(screenshot: ${file})`;
      throw err;
    }
  });
  ui.signIn = async (username, password) => {
    await ui.page.getByLabel('Username').fill(username);
    await ui.page.getByLabel('Password').fill(password);
    await ui.page.getByRole('button', { name: 'Sign in' }).click();
    await ui.page.getByRole('button', { name: 'Sign out' }).waitFor();
  };
  ui.signOut = async () => {
    await ui.page.getByRole('button', { name: 'Sign out' }).click();
    await ui.page.getByRole('heading', { name: 'Sign in to Rapport' }).waitFor();
  };
  // The page's controls without an accessible name (label, aria-label or -labelledby,
  // a button's text), once the page has settled: their markup, to assert empty.
  ui.unnamedControls = async () => {
    await ui.page.waitForLoadState('networkidle');
    return ui.page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')].filter((el) => {
      const labels = el.labels ? [...el.labels].map((l) => l.textContent.trim()).join('') : '';
      return !(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || labels ||
        (el.tagName === 'BUTTON' && el.textContent.trim()));
    }).map((el) => el.outerHTML.slice(0, 120)));
  };
  // Navigates inside the app the way a user does (no reload): through the history API.
  ui.go = async (path) => {
    await ui.page.evaluate((p) => { history.pushState(null, '', p); dispatchEvent(new PopStateEvent('popstate')); }, path);
  };
  return ui;
}
