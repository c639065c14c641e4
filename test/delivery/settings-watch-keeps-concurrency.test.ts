import { describe, expect, it } from 'vitest';
import { watchSettings, type SettingsAlarm } from '../../src/delivery/settings-alarm.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';

/**
 * main.ts hands the dispatcher every sender wrapped in watchSettings. The wrapper must keep
 * what the dispatcher reads off a sender: e-mail's `concurrency` (its pool's SMTP connections,
 * dispatcher.ts `pacedSend` waits for one before booking a pace turn) and the send's `signal`.
 * Dropped, the service paced e-mail as if the sender had no limit (issue 17's burst), and sends
 * beyond the pool's connections queued inside it.
 */
const alarm = { clear: () => undefined, raise: async () => undefined } as unknown as SettingsAlarm;

describe('watchSettings', () => {
  it('keeps the sender concurrency the dispatcher reads', () => {
    const email: ChannelSender = { kind: 'email', concurrency: 3, send: async () => ({ ok: true }) };
    expect(watchSettings(email, alarm).concurrency).toBe(3);
  });

  it('passes the send signal on to the sender', async () => {
    let seen: AbortSignal | undefined;
    const email: ChannelSender = { kind: 'email', send: async (_a, _m, options) => ((seen = options?.signal), { ok: true }) };
    const controller = new AbortController();
    await watchSettings(email, alarm).send('a@example.org', { language: 'pl', title: 'T', text: 'x' }, { signal: controller.signal });
    expect(seen).toBe(controller.signal);
  });
});
