import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, PUBLIC_URL, SECRET, type World } from '../outbox/world.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { answerMeeting } from '../../src/participation/meeting-answers.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { issueFeedToken } from '../../src/feeds/feed-tokens.js';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import type { ChannelKind, ChannelSender, Message } from '../../src/ports/channel.port.js';

const ANNA = 'anna.nowak@example.org';
const MARTA = 'marta.grabowska@example.org';
const KASIA = 'katarzyna.wisniewska@example.org';
const TOMASZ = 'tomasz.zielinski@example.org';

/** Reminders of the 12 January 2027 meeting of "lodz" (Tuesday 10:00 Warsaw): due 5 Jan 10:00, 11 Jan 10:00, 12 Jan 08:00 local. */
const MEETING = '2027-01-12';

describe.each(dialects)('answers before a meeting on %s', (kind) => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld(kind);
  }, 60_000);
  afterAll(() => w.close());
  beforeEach(async () => {
    await w.reset();
    await w.db.db.deleteFrom('people').where('source', '=', 'test').execute();
    await planReminders(w.db.db, { clock: w.clock });
  });

  const remindersTo = async (email: string, state?: 'sent' | 'cancelled') => {
    const id = await w.personId(email);
    let q = w.db.db.selectFrom('deliveries').select(['dedupe_key', 'state']).where('kind', '=', 'reminder').where('person_id', '=', id).where('dedupe_key', 'like', `reminder:lodz:${MEETING}%`);
    if (state) q = q.where('state', '=', state);
    return q.execute();
  };
  /** Runs the dispatcher at each reminder time of the meeting. */
  const sendAllReminders = async () => {
    for (const at of ['2027-01-05T09:00:00Z', '2027-01-11T09:00:00Z', '2027-01-12T07:00:00Z']) {
      w.clock.set(at);
      await w.drain();
    }
  };

  it('"nie będę <data> <powód>" in the terminal records the answer and stops only that person’s reminders', async () => {
    const reply = await w.say(ANNA, 'nie', 'będę 12.01 urlop wypoczynkowy');
    expect(reply.text).toContain('nie będzie Pani/Pana na spotkaniu zespołu PZK Łódź – demo we wtorek, 12 stycznia 2027, 10:00');
    const row = await w.db.db.selectFrom('meeting_answers').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ team_id: 'lodz', occurrence_date: MEETING, answer: 'not_attending', reason: 'urlop wypoczynkowy', source: 'chat' });
    await sendAllReminders();
    expect(await remindersTo(ANNA, 'sent')).toEqual([]);
    expect((await remindersTo(ANNA, 'cancelled')).length).toBe(3);
    expect((await remindersTo(MARTA, 'sent')).length).toBe(3);
  });

  it('"będę" is recorded; aliases and diacritics are optional; a person who did not answer has no row', async () => {
    expect((await w.say(ANNA, 'bede', '2027-01-12')).text).toContain('Zapisano: będzie Pani/Pan');
    expect((await w.say(MARTA, 'attending', '12.01.2027')).text).toContain('Zapisano: będzie Pani/Pan');
    const rows = await w.db.db.selectFrom('meeting_answers').select(['person_id', 'answer']).orderBy('person_id').execute();
    expect(rows).toEqual([
      { person_id: await w.personId(ANNA), answer: 'attending' },
      { person_id: await w.personId(MARTA), answer: 'attending' },
    ]);
    await sendAllReminders();
    // Reminders still go, with the person's own answer on them; nobody else gets an answer recorded.
    expect((await remindersTo(ANNA, 'sent')).length).toBe(3);
    expect(await w.db.db.selectFrom('meeting_answers').select('person_id').where('person_id', '=', await w.personId(KASIA)).execute()).toEqual([]);
  });

  it('refuses politely and changes nothing: no meeting that day, a bad date, a meeting already begun', async () => {
    expect((await w.say(ANNA, 'będę', '13.01.2027')).text).toContain('nie ma spotkania');
    expect((await w.say(ANNA, 'będę', '31.02.2027')).text).toContain('Nie rozumiem daty „31.02.2027”');
    w.clock.set('2027-01-12T09:30:00Z');
    expect((await w.say(ANNA, 'nie będę', '2027-01-12')).text).toBe('To spotkanie już się rozpoczęło, więc odpowiedzi nie zbieramy.');
    expect(await w.db.db.selectFrom('meeting_answers').selectAll().execute()).toEqual([]);
  });

  it('a substitute of the same institution (case and spaces aside) gets the notice, the remaining reminders and a feed entry', async () => {
    const { id: sub } = await w.db.db
      .insertInto('people')
      .values({ email: 'zofia.zastepca@example.org', name: 'Zofia Zastępca', institution: ' miejski ośrodek  pomocy społecznej w łodzi', language: 'pl', channels: JSON.stringify(['email']), source: 'test' })
      .returning('id')
      .executeTakeFirstOrThrow();
    w.clock.set('2027-01-06T08:00:00Z');
    const reply = await w.say(ANNA, 'zastępstwo', '12.01 ZOFIA.zastepca@example.org  szkolenie');
    expect(reply.text).toContain('W zastępstwie przyjdzie Zofia Zastępca');
    const row = await w.db.db.selectFrom('meeting_answers').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ answer: 'not_attending', substitute_person_id: sub, reason: 'szkolenie' });
    // The notice at once; of the three reminders only the two still to come (the 7-day one is past).
    const keys = (await w.db.db.selectFrom('deliveries').select('dedupe_key').where('person_id', '=', sub).orderBy('dedupe_key').execute()).map((d) => d.dedupe_key);
    expect(keys.filter((k) => k.startsWith('reminder:'))).toEqual([`reminder:lodz:${MEETING}:P1D:${sub}`, `reminder:lodz:${MEETING}:PT2H:${sub}`]);
    expect(keys.filter((k) => k.startsWith('meeting-substitute:'))).toHaveLength(1);
    await w.drain();
    expect(w.sent.map((s) => s.title)).toContain('Zastępstwo na spotkaniu zespołu PZK Łódź – demo');
    await sendAllReminders();
    const subReminders = w.sent.filter((s) => s.address === 'zofia.zastepca@example.org' && s.title.startsWith('Przypomnienie'));
    expect(subReminders).toHaveLength(2);

    const token = await issueFeedToken(w.db.db, sub, SECRET, w.clock);
    const feeds = new FeedService({ db: w.db.db, clock: w.clock, renderer: new IcalGeneratorRenderer('Europe/Warsaw') });
    const feed = (await feeds.person(token))!.body.toString();
    expect(feed).toContain(`UID:pzk-lodz-${MEETING}-substitute@kooperator`);
    expect(feed).toMatch(/DTSTART;TZID=Europe\/Warsaw:20270112T100000/);
  });

  it('refuses a substitute from another institution, an unknown address and oneself, storing nothing', async () => {
    expect((await w.say(ANNA, 'zastępstwo', `12.01 ${KASIA}`)).text).toContain('pracuje w innej instytucji');
    expect((await w.say(ANNA, 'substitute', '12.01 nikt@example.org')).text).toContain('Nie znamy osoby o adresie nikt@example.org');
    expect((await w.say(ANNA, 'zastępstwo', `12.01 ${ANNA}`)).text).toBe('Nie można wskazać siebie jako zastępcy.');
    expect(await w.db.db.selectFrom('meeting_answers').selectAll().execute()).toEqual([]);
    expect(await w.db.db.selectFrom('deliveries').select('id').where('dedupe_key', 'like', 'meeting-%').execute()).toEqual([]);
  });

  it('answerMeeting refuses a non-member and a cancelled occurrence', async () => {
    const barbara = await w.personId('barbara.kowalczyk@example.org');
    expect(await answerMeeting(w.db.db, { teamId: 'lodz', occurrenceDate: MEETING, personId: barbara, answer: 'attending', source: 'chat' }, w.clock)).toEqual({ ok: false, code: 'not_member' });
    const anna = await w.personId(ANNA);
    expect(await answerMeeting(w.db.db, { teamId: 'lodz', occurrenceDate: '2027-03-09', personId: anna, answer: 'attending', source: 'chat' }, w.clock)).toEqual({ ok: false, code: 'no_meeting' });
  });

  it('a moved meeting keeps its key: an answer for its new day is stored under its rule date', async () => {
    w.clock.set('2027-04-01T08:00:00Z');
    const reply = await w.say(ANNA, 'nie będę', '14.04.2027');
    expect(reply.text).toContain('zespołu PZK Łódź – demo w środę, 14 kwietnia 2027, 12:00');
    expect(await w.db.db.selectFrom('meeting_answers').select('occurrence_date').execute()).toEqual([{ occurrence_date: '2027-04-13' }]);
  });

  it('two people in one batch get their own signed links in e-mail and buttons in chat', async () => {
    const sent: { address: string; message: Message }[] = [];
    const recorder = (channel: ChannelKind): ChannelSender => ({ kind: channel, send: async (address, message) => (sent.push({ address, message }), { ok: true }) });
    const dispatcher = new Dispatcher({
      db: w.db.db, clock: w.clock, log: createLogger('silent'), workerId: 'links', random: () => 0.5,
      senders: new Map((['email', 'slack', 'teams'] as const).map((c) => [c, recorder(c)])),
      render: deliveryRenderer(w.db.db, PUBLIC_URL, SECRET),
      shareable: (await import('../../src/delivery/render-delivery.js')).shareableRendering,
    });
    await w.db.db.deleteFrom('person_channels').execute();
    await w.db.db.insertInto('person_channels').values({ person_id: await w.personId(TOMASZ), channel: 'teams', external_id: 'aad-tomasz', address: 'teams-tomasz' }).execute();
    w.clock.set('2027-01-05T09:00:00Z');
    await dispatcher.drain();
    const anna = sent.find((s) => s.address === ANNA)!.message;
    const kasia = sent.find((s) => s.address === KASIA)!.message;
    const linksOf = (m: Message) => (m.links ?? []).filter((l) => l.url.includes('/meeting-answer/')).map((l) => l.url);
    expect(linksOf(anna)).toHaveLength(3);
    expect(linksOf(kasia)).toHaveLength(3);
    for (const url of linksOf(anna)) expect(linksOf(kasia)).not.toContain(url);
    const { checkAnswerLink } = await import('../../src/participation/answer-links.js');
    const token = (url: string) => url.split('/meeting-answer/')[1]!;
    expect(checkAnswerLink(SECRET, token(linksOf(anna)[0]!), w.clock.now())).toMatchObject({ ok: true, personId: await w.personId(ANNA), answer: 'attending' });
    expect(checkAnswerLink(SECRET, token(linksOf(kasia)[0]!), w.clock.now())).toMatchObject({ ok: true, personId: await w.personId(KASIA) });
    // Teams (Tomasz's first channel): buttons, and the value names the meeting, not the person.
    const tomasz = sent.find((s) => s.address === 'teams-tomasz')!;
    expect(tomasz.message.actions!.map((a) => a.label)).toEqual(['Będę', 'Nie będę', 'Przyjdzie za mnie…']);
    expect(tomasz.message.actions![0]!.value).toBe(`lodz|${MEETING}`);
    expect(tomasz.message.links?.some((l) => l.url.includes('/meeting-answer/'))).toBeFalsy();
  });
});
