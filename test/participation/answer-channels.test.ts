import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { meetingAnswerRoutes } from '../../src/http/meeting-answer-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import type { ChannelKind, ChannelSender, Message } from '../../src/ports/channel.port.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { demoDatabase, dialects } from '../support/databases.js';
import { slackUsers, startSlackHarness, type SlackHarness } from '../adapters/slack/slack-harness.js';
import { buttonClick, modalSubmission } from '../adapters/slack/slack-requests.js';
import { activity, people, startHarness, type Harness } from '../adapters/teams/harness.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import type { Db } from '../../src/db/db.port.js';

const answersOf = (db: Db) => db.db.selectFrom('meeting_answers').innerJoin('people', 'people.id', 'meeting_answers.person_id').select(['people.email', 'meeting_answers.answer', 'meeting_answers.source', 'meeting_answers.substitute_email', 'meeting_answers.occurrence_date']).orderBy('people.email').execute();

describe.each(dialects)('the "Będę" loop on every channel, %s', (kind) => {
  describe('Slack (signed requests to the real Bolt receiver)', () => {
    let h: SlackHarness;
    beforeAll(async () => {
      h = await startSlackHarness(kind);
    }, 60_000);
    afterAll(async () => h?.close());

    it('pressing "Będę" records it for the person who pressed, and the answer comes back as a direct message', async () => {
      const before = h.fake.callsTo('chat.postMessage').length;
      const response = await h.slack.interaction(buttonClick(slackUsers.anna.id, 'meeting:attending', 'lodz|2027-01-12'));
      expect(response.status).toBe(200);
      const posts = await h.fake.waitFor('chat.postMessage', before + 1);
      expect(posts.at(-1)!.params.text).toContain('Zapisano: będzie Pani/Pan na spotkaniu zespołu PZK Łódź – demo');
      expect(await answersOf(h.db)).toEqual([{ email: slackUsers.anna.email, answer: 'attending', source: 'chat', substitute_email: null, occurrence_date: '2027-01-12' }]);
    });

    it('"Przyjdzie za mnie…" opens a modal; its submission with another institution’s address is refused under the field', async () => {
      const before = h.fake.callsTo('views.open').length;
      await h.slack.interaction(buttonClick(slackUsers.anna.id, 'meeting:substitute', 'lodz|2027-01-26'));
      const opened = await h.fake.waitFor('views.open', before + 1);
      const view = opened.at(-1)!.params.view;
      expect(view.callback_id).toBe('meeting-substitute|lodz|2027-01-26');
      const response = await h.slack.interaction(
        modalSubmission(slackUsers.anna.id, view.callback_id, 'trig-sub-1', { email: { type: 'plain_text_input', value: 'katarzyna.wisniewska@example.org' }, reason: { type: 'plain_text_input', value: null } }),
      );
      const body = (await response.json()) as { response_action?: string; errors?: Record<string, string> };
      expect(body.response_action).toBe('errors');
      expect(body.errors?.email).toContain('innej instytucji');
      expect((await answersOf(h.db)).filter((a) => a.occurrence_date === '2027-01-26')).toEqual([]);
    });
  });

  describe('Teams (activities to the real botbuilder adapter)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(kind);
    }, 60_000);
    afterAll(async () => h?.close());

    it('a card Submit of "Nie będę" records it, and so does the typed command', async () => {
      await h.post(activity(h.connector, people.anna, { value: { actionId: 'meeting:not_attending', value: 'lodz|2027-01-12' } }));
      await h.post(activity(h.connector, people.joanna, { text: 'nie bede 2027-01-26 szkolenie' }));
      const replies = h.connector.activities().map(FakeConnector.cardText);
      expect(replies[0]).toContain('Zapisano: nie będzie Pani/Pana na spotkaniu zespołu PZK Łódź – demo we wtorek, 12 stycznia 2027, 10:00');
      expect(replies[1]).toContain('Recorded: you will not come to the PZK Łódź – demo team meeting on Tuesday, 26 January 2027');
      expect(await answersOf(h.db)).toEqual([
        { email: people.anna.email, answer: 'not_attending', source: 'chat', substitute_email: null, occurrence_date: '2027-01-12' },
        { email: 'joanna.mazur@example.org', answer: 'not_attending', source: 'chat', substitute_email: null, occurrence_date: '2027-01-26' },
      ]);
    });
  });

  describe('e-mail (signed links: a GET shows, a POST records)', () => {
    let db: Db;
    let server: Server;
    let base: string;
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const SECRET = 'e'.repeat(40);
    const mails: { address: string; message: Message }[] = [];
    beforeAll(async () => {
      db = await demoDatabase(kind, clock);
      server = createHttpServer({ routes: meetingAnswerRoutes({ db: db.db, clock, appSecret: SECRET }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await planReminders(db.db, { clock });
      const recorder = (channel: ChannelKind): ChannelSender => ({ kind: channel, send: async (address, message) => (mails.push({ address, message }), { ok: true }) });
      const dispatcher = new Dispatcher({
        db: db.db, clock, log: createLogger('silent'), workerId: 'mail', random: () => 0.5,
        senders: new Map((['email', 'slack', 'teams'] as const).map((c) => [c, recorder(c)])),
        render: deliveryRenderer(db.db, base, SECRET),
      });
      clock.set('2027-01-05T09:00:00Z');
      await dispatcher.drain();
    }, 60_000);
    afterAll(async () => {
      server?.close();
      await db?.close();
    });
    const linkOf = (email: string, label: string) => mails.find((m) => m.address === email)!.message.links!.find((l) => l.label === label)!.url;

    it('GET shows the meeting and one button and changes nothing; POST records; the confirmation goes through the outbox', async () => {
      const url = linkOf('katarzyna.wisniewska@example.org', 'Nie będę');
      const shown = await fetch(url);
      expect(shown.status).toBe(200);
      const page = await shown.text();
      expect(page).toContain('wtorek, 12 stycznia 2027, 10:00');
      expect(page).toContain('„Nie będę”');
      expect(page.match(/<button/g)).toHaveLength(1);
      expect(await answersOf(db)).toEqual([]);
      const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'reason=Rozprawa' });
      expect(posted.status).toBe(200);
      expect(await posted.text()).toContain('Zapisano: nie będzie Pani/Pana');
      expect(await answersOf(db)).toEqual([{ email: 'katarzyna.wisniewska@example.org', answer: 'not_attending', source: 'link', substitute_email: null, occurrence_date: '2027-01-12' }]);
      const confirmation = await db.db.selectFrom('deliveries').select(['dedupe_key', 'kind']).where('dedupe_key', 'like', 'meeting-answer:lodz:2027-01-12:%').execute();
      expect(confirmation).toHaveLength(1);
    });

    it('a substitute link asks the address; a foreign institution is a 422 that stores nothing; a tampered link is 404', async () => {
      const url = linkOf('anna.nowak@example.org', 'Przyjdzie za mnie…');
      expect(await (await fetch(url)).text()).toContain('name="email"');
      const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=tomasz.zielinski%40example.org' });
      expect(refused.status).toBe(422);
      expect(await refused.text()).toContain('pracuje w innej instytucji');
      const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=Marta.Grabowska%40example.org' });
      expect(ok.status).toBe(200);
      expect((await answersOf(db)).find((a) => a.email === 'anna.nowak@example.org')).toMatchObject({ substitute_email: 'marta.grabowska@example.org' });
      const tampered = url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
      expect((await fetch(tampered)).status).toBe(404);
    });
  });
});
