import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeConnector } from './fake-connector.js';
import { activity, BOT, installed, message, people, startHarness, type Harness } from './harness.js';
import { dialects, freshDatabase } from '../../support/databases.js';

describe.each(dialects)('Teams adapter on %s', (kind) => {
  let h: Harness;
  // The first database of a worker takes seconds (PGlite snapshot, migrations): not in a test's time.
  beforeAll(async () => (await freshDatabase(kind)).close());
  beforeEach(async () => {
    h = await startHarness(kind);
  });
  afterEach(async () => h?.close());

  const links = () => h.db.db.selectFrom('person_channels').selectAll().where('channel', '=', 'teams').execute();

  it('should answer "spotkania" with an Adaptive Card replying to the message', async () => {
    const sent = message(h.connector, people.anna, 'spotkania');
    const response = await h.post(sent);
    expect(response.status).toBe(200);
    const [reply, ...more] = h.connector.activities();
    expect(more).toEqual([]);
    expect(reply!.conversationId).toBe('a:personal-aad-anna');
    expect(reply!.replyToId).toBe(sent.id);
    expect(reply!.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(reply!.body.attachments[0].content.version).toBe('1.5');
    expect(FakeConnector.cardText(reply!)).toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(reply!.body.summary).toMatch(/^Najbliższe spotkania/);
    // The e-mail came from TeamsInfo.getMember, and the person is now linked with the reference.
    expect(h.connector.calls.some((c) => c.method === 'GET' && c.path.endsWith('/members/29%3Aanna'))).toBe(true);
    const [link] = await links();
    expect(link!.external_id).toBe('aad-anna');
    expect(JSON.parse(link!.address)).toMatchObject({ serviceUrl: h.connector.url, conversation: { id: 'a:personal-aad-anna' }, bot: { id: BOT.id } });
  });

  it('should strip the bot @mention in a channel and link nobody to the channel', async () => {
    const sent = activity(h.connector, people.anna, {
      text: '<at>Kooperator</at> spotkania',
      entities: [{ type: 'mention', mentioned: BOT, text: '<at>Kooperator</at>' }],
      conversation: { id: '19:channel@thread.tacv2;messageid=1', conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      channelData: { tenant: { id: 'tenant-1' }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:channel@thread.tacv2' } },
    });
    expect((await h.post(sent)).status).toBe(200);
    expect(FakeConnector.cardText(h.connector.activities()[0]!)).toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(h.connector.calls.some((c) => c.method === 'GET' && c.conversationId === '19:team@thread.tacv2')).toBe(true);
    expect(await links()).toEqual([]);
  });

  it('should answer "help" in English to an English-speaking member', async () => {
    await h.post(message(h.connector, people.joanna, 'help'));
    const text = FakeConnector.cardText(h.connector.activities()[0]!);
    expect(text).toContain('What Kooperator can do');
    expect(text).toContain('**meetings**');
  });

  it('should welcome the person who installed the app and store the conversation reference', async () => {
    expect((await h.post(installed(h.connector, people.anna))).status).toBe(200);
    const [welcome] = h.connector.activities();
    expect(FakeConnector.cardText(welcome!)).toContain('Co potrafi Kooperator');
    const [link] = await links();
    const person = await h.db.db.selectFrom('people').select('id').where('email', '=', people.anna.email).executeTakeFirstOrThrow();
    expect(link).toMatchObject({ person_id: person.id, external_id: 'aad-anna' });
    expect(JSON.parse(link!.address)).toEqual({
      channelId: 'msteams',
      serviceUrl: h.connector.url,
      conversation: { id: 'a:personal-aad-anna', conversationType: 'personal', tenantId: 'tenant-1' },
      bot: BOT,
      user: { id: people.anna.id, aadObjectId: people.anna.aadObjectId },
    });

    // Later, proactively, through the stored reference only.
    const result = await h.adapter.sender.send(link!.address, { language: 'pl', title: 'Przypomnienie', text: 'Jutro **spotkanie**.' });
    expect(result).toMatchObject({ ok: true });
    const proactive = h.connector.activities()[1]!;
    expect(proactive.conversationId).toBe('a:personal-aad-anna');
    expect(FakeConnector.cardText(proactive)).toContain('Jutro **spotkanie**.');
    if (result.ok) expect(result.providerId).toMatch(/^activity-/);
  });

  it('should not link a person again when the same reference comes back', async () => {
    await h.post(installed(h.connector, people.anna));
    const before = await links();
    await h.post(message(h.connector, people.anna, 'pomoc'));
    expect(await links()).toEqual(before);
  });

  it('should give a stranger the polite Polish answer and store nothing about them', async () => {
    await h.post(installed(h.connector, people.stranger));
    await h.post(message(h.connector, people.stranger, 'spotkania'));
    const answers = h.connector.activities().map(FakeConnector.cardText);
    expect(answers).toHaveLength(2);
    for (const text of answers) expect(text).toContain('Nie znajdujemy Pani/Pana na liście zespołów');
    expect(await links()).toEqual([]);
    const stored = await h.db.db.selectFrom('people').select('id').where('email', '=', people.stranger.email).execute();
    expect(stored).toEqual([]);
  });

  it('should answer an Adaptive Card Submit (action and form) in the same conversation', async () => {
    await h.post(activity(h.connector, people.anna, { value: { actionId: 'rsvp', value: 'warsztaty-2027-1:accept' } }));
    await h.post(activity(h.connector, people.anna, { value: { formId: 'status', text: 'Wszystko idzie dobrze' } }));
    const replies = h.connector.activities();
    expect(replies).toHaveLength(2);
    for (const reply of replies) {
      expect(reply.conversationId).toBe('a:personal-aad-anna');
      expect(reply.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(FakeConnector.cardText(reply)).not.toContain('Przepraszamy');
    }
  });

  it('should process a redelivered activity once', async () => {
    const sent = message(h.connector, people.anna, 'pomoc');
    await h.post(sent);
    await h.post(sent);
    expect(h.connector.activities()).toHaveLength(1);
  });

  it('should refuse what is not a POST of a JSON activity', async () => {
    expect((await fetch(`${h.url}/api/messages`)).status).toBe(405);
    const bad = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
    expect(bad.status).toBe(400);
    expect(h.connector.calls).toEqual([]);
  });
});
