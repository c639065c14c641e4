import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackHarness, slackUsers, type SlackHarness } from './slack-harness.js';
import { buttonClick } from './slack-requests.js';

/**
 * Found in review: request-shape.ts let through signed bodies that Bolt 5.1's
 * getTypeAndConversation and buildSource cannot read: `channel: null` on an action,
 * `event.channel: null` or `event.item: null` on an event, `user: null` on a shortcut. Bolt
 * threw a TypeError in processEvent, so these got a 500 (and an error log) instead of the 400
 * every other malformed signed body gets. bolt-route-shape.ts now checks those fields.
 */
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const payload = (json: unknown) => new URLSearchParams({ payload: JSON.stringify(json) }).toString();
const { anna } = slackUsers;

const cases: [string, string, string][] = [
  ['block_actions with channel null', payload({ ...buttonClick(anna.id, 'rsvp:accept', 'x'), channel: null }), FORM],
  ['block_suggestion with channel null', payload({ type: 'block_suggestion', user: { id: anna.id, team_id: 'T1' }, team: { id: 'T1' }, action_id: 'a', value: 'x', channel: null }), FORM],
  ['an event with event.channel null', JSON.stringify({ type: 'event_callback', event_id: 'EvCH', team_id: 'T1', event: { type: 'message', channel: null, user: anna.id, text: 'x' } }), JSON_TYPE],
  ['global shortcut with user null', payload({ type: 'shortcut', callback_id: 'x', trigger_id: 't', user: null, team: null }), FORM],
  ['message_action with channel null', payload({ type: 'message_action', callback_id: 'x', trigger_id: 't', user: { id: anna.id, team_id: 'T1' }, team: { id: 'T1' }, channel: null, message: {} }), FORM],
  ['an event with event.item null', JSON.stringify({ type: 'event_callback', event_id: 'EvIT', team_id: 'T1', event: { type: 'reaction_added', item: null, user: anna.id } }), JSON_TYPE],
];

describe('signed Slack bodies Bolt cannot route (PGlite)', () => {
  let h: SlackHarness;
  beforeAll(async () => (h = await startSlackHarness('pglite')));
  afterAll(async () => h?.close());

  it.each(cases)('should answer a signed %s with 400, not a 500 from inside Bolt', async (_name, body, type) => {
    const response = await h.slack.post(body, type);
    expect(response.status).toBe(400);
  });
});

describe('a signed Slack request no listener of ours takes (PGlite)', () => {
  const lines: { level: number; msg: string }[] = [];
  let h: SlackHarness;
  beforeAll(async () => (h = await startSlackHarness('pglite', { adapter: { log: pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) } })));
  afterAll(async () => h?.close());

  // A global shortcut we do not offer: Bolt routes it, nothing acks it. Slack would show the
  // person an error after 3 s; we log why and answer then, instead of leaving it open.
  it('should answer 404 after 3 seconds and log that nothing acknowledged it', async () => {
    const started = Date.now();
    const response = await h.slack.interaction({ type: 'shortcut', callback_id: 'not-ours', trigger_id: 't', user: { id: anna.id, team_id: 'T1' }, team: { id: 'T1' } });
    expect(response.status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(lines.some((l) => l.level === 50 && l.msg.includes('not acknowledged within 3 seconds'))).toBe(true);
    expect(h.incoming).toEqual([]);
  });
});
