import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** The system Chromium the browser tests drive (playwright-core downloads no browser); `.ci/run` installs it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** How long Chromium may take to start. */
const LAUNCH_TIMEOUT_MS = 30_000;

/**
 * Whether browser tests can run here: with Chromium, yes; without it, they are skipped on a
 * developer's machine and fail under CI (CI=true), where a missing browser is a broken setup.
 */
export function browserAvailability(): { kind: 'ready' } | { kind: 'skip' | 'fail'; reason: string } {
  if (existsSync(CHROMIUM_PATH)) return { kind: 'ready' };
  const reason = `no Chromium at ${CHROMIUM_PATH} (install it, e.g. apt-get install chromium, or set CHROMIUM_PATH)`;
  return { kind: process.env.CI === 'true' ? 'fail' : 'skip', reason };
}

/** Starts a headless Chromium with nothing running in the background. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    timeout: LAUNCH_TIMEOUT_MS,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
