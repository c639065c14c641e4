import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { slackUsers, startSlackHarness, type SlackHarness } from './slack-harness.js';
import { buttonClick } from './slack-requests.js';

// Hostile review of our Bolt receiver (screened-receiver.ts, index.ts) against Bolt's HTTPReceiver.

const { anna } = slackUsers;
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe.each(dialects)('Slack requests our receiver must treat as Bolt’s HTTPReceiver did, on %s', (kind) => {
  let h: SlackHarness;
  beforeAll(async () => (h = await startSlackHarness(kind)));
  afterAll(async () => h?.close());

  // HTTPReceiver answers 200 to any parsed body with ssl_check "1" (JSON, or an interactivity
  // payload) and passes nothing on; ours looked for it only in an unsigned form body.
  it('answers a signed body with ssl_check "1" with 200 and passes nothing to the listeners', async () => {
    const seen = h.incoming.length;
    const calls = h.fake.calls.length;
    const event = { ssl_check: '1', token: 'x', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: 'EvSSL1', event_time: 1, event: { type: 'app_home_opened', user: anna.id, tab: 'home', channel: 'D1' } };
    expect((await h.slack.post(JSON.stringify(event), 'application/json')).status).toBe(200);
    expect((await h.slack.interaction({ ...buttonClick(anna.id, 'rsvp:accept', 'x'), ssl_check: '1' })).status).toBe(200);
    await settle();
    expect(h.incoming.length).toBe(seen);
    expect(h.fake.calls.length).toBe(calls);
  });
});
