import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { Pacer } from '../../src/delivery/pacer.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';

const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-pacing-bounds-')), ...env });

describe('a pacing rate too small to use', () => {
  it('should stop the start with one line for SLACK_CHANNEL_MESSAGES_PER_SECOND=1e-300 rather than schedule sends at an invalid date', () => {
    let error: unknown;
    let pacing: ReturnType<typeof load>['pacing'] | undefined;
    try {
      pacing = load({ SLACK_CHANNEL_MESSAGES_PER_SECOND: '1e-300' }).pacing;
    } catch (e) {
      error = e;
    }
    if (pacing) {
      // What the dispatcher does with it: the second send to a channel is put back to `now + waitMs`.
      const clock = new FixedClock('2027-01-04T08:00:00Z');
      const pacer = new Pacer(clock);
      const rules = platformPacing('slack', 'C1', pacing);
      for (let i = 0; i < 2; i++) pacer.reserve(rules, 1000);
      const { waitMs } = pacer.reserve(rules, 1000);
      const later = new Date(clock.now().getTime() + waitMs);
      expect(Number.isNaN(later.getTime()), `put back to ${String(later)}`).toBe(false);
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/^SLACK_CHANNEL_MESSAGES_PER_SECOND: must be /);
  });
});
