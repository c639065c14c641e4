import type { Reporter, TestModule } from 'vitest/node';
import { BROWSER_TEST_FILE, browserRequired, hasChromium, missingChromium } from './browser.js';

/**
 * A line under the summary when the browser tests were skipped for want of Chromium: "10
 * skipped" alone reads like tests someone turned off on purpose, and a green run then
 * proved nothing about the pages.
 */
export default class BrowserSkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (hasChromium() || browserRequired()) return;
    if (!modules.some((m) => m.moduleId.replace(/\\/g, '/').endsWith(BROWSER_TEST_FILE))) return;
    process.stdout.write(`\n ⚠ The browser tests were SKIPPED: ${missingChromium()}. The pages were not checked in a browser.\n\n`);
  }
}
