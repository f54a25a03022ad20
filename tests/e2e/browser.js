// Debian's chromium driven by playwright-core: headless, sandbox off (containers), a
// fresh profile per launch, no network but the server under test. Playwright never
// downloads a browser here (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1, executablePath).
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
