import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Pacer, type PaceRule } from '../../src/delivery/pacer.js';
import { toSendResult } from '../../adapters/slack/slack-sender.js';

/**
 * Retry-After comes from the network: a platform, or a proxy in front of it, can send any
 * number. The pacer holds what was refused until it is over, so an absurd one must not stop a
 * platform for years.
 */
const slack: PaceRule = { key: 'slack', perSecond: 5, burst: 10 };
const channel = (id: string): PaceRule => ({ key: `slack:${id}`, perSecond: 1, burst: 2 });

describe('a Retry-After beyond reason', () => {
  it('should not hold all of Slack for more than an hour after two channels were refused with a Retry-After of 30 years', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    // What the Slack sender makes of `Retry-After: 999999999` on an HTTP 429 (a proxy's).
    const refusal = toSendResult({ code: 'slack_webapi_http_error', statusCode: 429, headers: { 'retry-after': '999999999' } });
    expect(refusal.ok).toBe(false);
    const retryAfterMs = refusal.ok ? undefined : refusal.retryAfterMs;
    pacer.refused([slack, channel('A')], retryAfterMs);
    clock.advance(300);
    pacer.refused([slack, channel('B')], retryAfterMs);
    // A day later a DM to someone else, never refused, still cannot go.
    clock.advance(24 * 3600_000);
    expect(pacer.reserve([slack, channel('C')], 1000).booked).toBe(true);
  });

  it('should not hold one Slack channel for more than an hour whatever its Retry-After says', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock, { recoveryMs: 10_000 });
    pacer.refused([slack, channel('A')], 999_999_999 * 1000);
    clock.advance(3600_000 + 60_000);
    expect(pacer.reserve([slack, channel('A')], 1000).booked).toBe(true);
  });
});
