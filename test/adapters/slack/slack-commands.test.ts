import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../../support/databases.js';
import { countPeopleAndLinks, slackUsers, startSlackHarness, type SlackHarness } from './slack-harness.js';
import { buttonClick } from './slack-requests.js';

const { anna, joanna, stranger } = slackUsers;

describe.each(dialects)('Slack slash commands at POST /slack/events on %s', (kind) => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness(kind);
  });
  afterAll(async () => h?.close());

  it('should answer the url_verification challenge', async () => {
    const response = await h.slack.post(JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' }), 'application/json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: 'c-123' });
  });

  it('should answer "/pzk spotkania" in the ack itself with the next meeting in Polish, and link the person', async () => {
    const response = await h.slack.command(anna.id, 'spotkania');
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('Najbliższe spotkania');
    expect(JSON.stringify(body.blocks)).toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(body.blocks[0]).toMatchObject({ type: 'header' });
    expect(h.fake.callsTo('users.info').map((c) => c.params.user)).toContain(anna.id);
    expect(h.fake.callsTo('users.info')[0]!.headers.authorization).toBe('Bearer xoxb-test-token');
    const links = await h.db.db
      .selectFrom('person_channels')
      .innerJoin('people', 'people.id', 'person_channels.person_id')
      .select(['people.email', 'person_channels.external_id', 'person_channels.address'])
      .where('person_channels.channel', '=', 'slack')
      .execute();
    expect(links).toEqual([{ email: anna.email, external_id: anna.id, address: anna.id }]);
  });

  it('should answer the same command again from memory, the same JSON with its content type, and nothing else from it', async () => {
    const first = await h.slack.command(anna.id, 'spotkania');
    const handled = h.incoming.length;
    const again = await h.slack.command(anna.id, 'spotkania');
    expect(again.headers.get('content-type')).toBe('application/json');
    expect(first.headers.get('content-type')).toBe('application/json');
    const text = await again.text();
    expect(text).toBe(await first.text());
    // Sent whole with its length, not chunked: one write for head and body (the answer has Polish letters: bytes, not characters).
    for (const response of [first, again]) {
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
      expect(response.headers.get('transfer-encoding')).toBeNull();
    }
    expect(h.incoming.length).toBe(handled + 1);
    // An empty ack stays empty, without a content type (Slack reads a typed body as an answer).
    const button = await h.slack.interaction(buttonClick(anna.id, 'link:0', ''));
    expect(button.status).toBe(200);
    expect(button.headers.get('content-type')).toBeNull();
  });

  it('should ask users.info once per person and hour, not once per command', async () => {
    const before = h.fake.callsTo('users.info').length;
    await Promise.all([h.slack.command(anna.id, 'kalendarz'), h.slack.command(anna.id, 'moje-dane')]);
    expect(h.fake.callsTo('users.info').length).toBe(before);
  });

  it('should answer "/pzk help" in English to an English-speaking member', async () => {
    const body = await (await h.slack.command(joanna.id, 'help')).json();
    expect(JSON.stringify(body.blocks)).toContain('What Kooperator can do');
    expect(body.text).toContain('What Kooperator can do');
  });

  it('should answer a Slack user who is on no team politely in Polish and store nothing', async () => {
    const before = await countPeopleAndLinks(h.db);
    const body = await (await h.slack.command(stranger.id, 'spotkania')).json();
    expect(body.text).toContain('Nie znajdujemy Pani/Pana na liście zespołów');
    expect(JSON.stringify(body.blocks)).toContain('jan.kowalski@example.org');
    expect(await countPeopleAndLinks(h.db)).toEqual(before);
  });

  it('should refuse a wrong signature with 401 before anything reaches the bot or the Web API', async () => {
    const calls = h.fake.calls.length;
    const seen = h.incoming.length;
    const response = await h.slack.command(anna.id, 'spotkania', {}, { secret: 'not-the-signing-secret-at-all' });
    expect(response.status).toBe(401);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.fake.calls.length).toBe(calls);
    expect(h.incoming.length).toBe(seen);
  });

  it('should refuse a correctly signed request older than 5 minutes with 401', async () => {
    const calls = h.fake.calls.length;
    const response = await h.slack.command(anna.id, 'spotkania', {}, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(response.status).toBe(401);
    expect(h.fake.calls.length).toBe(calls);
  });

  it('should answer other methods on /slack/events with 405', async () => {
    const response = await fetch(h.slack.eventsUrl);
    expect(response.status).toBe(405);
  });
});
