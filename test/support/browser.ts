import { existsSync } from 'node:fs';

/**
 * Where the browser tests find Chromium (Debian's package; CHROMIUM_PATH for another place),
 * and what a run without it does: the tests are skipped and the summary says so
 * (browser-skip-reporter.ts); with REQUIRE_BROWSER=1, as .ci/run sets, the run fails instead.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM);
export const browserRequired = (): boolean => process.env.REQUIRE_BROWSER === '1';
export const BROWSER_TEST_FILE = 'test/http/pages-browser.test.ts';
export const missingChromium = (): string => `${CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium, or set CHROMIUM_PATH)`;
