import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { linkPerson } from '../../src/bot/identity.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { issueFeedToken, personForToken } from '../../src/feeds/feed-tokens.js';
import { createLogger } from '../../src/log.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { savePreferences } from '../../src/preferences/preferences.js';
import { forgetErasure } from '../../src/privacy/erasures.js';
import { collectPersonalData, erasePersonalData, personalDataParts } from '../../src/privacy/personal-data.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { ScheduleInvalidError, loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

const SECRET = 'test-app-secret-for-personal-data-0123456789';
const EMAIL = 'anna.nowak@example.org';
const NAME = 'Anna Nowak';
const clock = new FixedClock('2027-01-04T08:00:00Z');
const importDemo = async (db: Kysely<Database>) =>
  importSchedules(db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });

/**
 * Every text-like column of every table in the schema, searched for a needle: tables added
 * later by other areas are covered without changing this test.
 */
async function whereFound(db: Kysely<Database>, needle: string): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = current_schema() and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
      and c.table_name not like 'kysely_%'`.execute(db);
  const found: string[] = [];
  for (const { table_name, column_name } of columns.rows) {
    const hit = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)} where strpos(lower(${sql.ref(column_name)}::text), lower(${needle})) > 0`.execute(db);
    if (Number(hit.rows[0]!.n) > 0) found.push(`${table_name}.${column_name}`);
  }
  return found;
}

describe.each(dialects)('personal data (RODO) on %s', (kind) => {
  let db: Db;
  let anna: number;
  let marta: number;
  let oldToken: string;
  let liveToken: string;

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await freshDatabase(kind);
    await importDemo(db.db);
    const id = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    anna = await id(EMAIL);
    marta = await id('marta.grabowska@example.org');
    // A record of every kind the service keeps about a person.
    await linkPerson(db.db, anna, 'slack', 'U0ANNA', 'U0ANNA');
    await savePreferences(db.db, anna, { mutedKinds: ['announcements'], mutedChannels: [], quiet: { from: 21, to: 6 } }, clock.now());
    oldToken = await issueFeedToken(db.db, anna, SECRET, clock);
    liveToken = await issueFeedToken(db.db, anna, SECRET, clock);
    await personalPageUrl(db.db, 'https://koop.example.org', SECRET, anna, clock.now());
    const activity = (await db.db.selectFrom('activities').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    await db.db.insertInto('rsvps').values({ activity_id: activity, person_id: anna, answer: 'accepted', answered_at: clock.now() }).execute();
    await db.db.insertInto('certificates').values({ number: 'ZU/2027/000001', person_id: anna, activity_id: activity, days: '["2027-01-03"]', minutes: 240, issued_at: clock.now() }).execute();
    await db.db.insertInto('activity_questions').values({ activity_id: activity, question_id: 'dostepnosc', position: 0, kind: 'text', label: 'Potrzeby dostępności', label_en: null, required: false }).execute();
    await db.db.insertInto('registration_answers').values({ activity_id: activity, question_id: 'dostepnosc', person_id: anna, value: 'winda', answered_at: clock.now() }).execute();
    await enqueue(db.db, [
      { key: 'to-anna', kind: 'reminder', personId: anna, channels: ['email'], payload: { language: 'pl', title: `Dzień dobry, ${NAME}`, text: `Do ${EMAIL}` }, dueAt: clock.now() },
      // A message to someone else that names her: it stays, without her name.
      { key: 'to-marta', kind: 'announcement', personId: marta, channels: ['email'], payload: { language: 'pl', title: 'Ogłoszenie', text: `Kontakt: ${NAME}, ${EMAIL}` }, dueAt: clock.now() },
    ]);
    await db.db.updateTable('deliveries').set({ last_error: `email: 550 mailbox ${EMAIL} full` }).where('dedupe_key', '=', 'to-anna').execute();
    // Her address bounced once (src/inbound/bounces.ts).
    await db.db.insertInto('mail_bounces').values({ person_id: anna, address: EMAIL.toLowerCase(), status: '5.2.2', diagnostic: `552 ${EMAIL} mailbox full`, delivery_id: null, first_bounce_at: clock.now(), last_bounce_at: clock.now() }).execute();
    await db.db.insertInto('schedule_changes').values({ kind: 'member_removed', team_id: 'lodz', person_id: anna, details: JSON.stringify({ name: NAME }) }).execute();
    await db.db.insertInto('inbound_mails').values({ message_key: 'reply-1@example.org', transport: 'smtp', classified_as: 'plain_reply', person_id: anna, outcome: 'recorded:rsvp:accepted', received_at: clock.now() }).execute();
    // A status update and a problem report through the bot, as she would send them.
    const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: SECRET, log: createLogger('silent') });
    const from = { channel: 'email' as const, email: EMAIL };
    await bot.handle({ type: 'command', from, command: 'status', text: `Spotkanie odbyte; notatki: ${NAME}` });
    await bot.handle({ type: 'command', from, command: 'problem', text: `kontrola Zapowiedziana kontrola NIK, kontakt ${EMAIL}` });
    expect(await db.db.selectFrom('problem_reports').select('id').where('reporter_id', '=', anna).execute()).toHaveLength(1);
    // An answer before her next meeting and an absence period (docs/participation.md).
    const day = (n: number) => new Date(clock.now().getTime() + n * 86_400_000).toISOString().slice(0, 10);
    await bot.handle({ type: 'command', from, command: 'nie', text: `będę` });
    await bot.handle({ type: 'command', from, command: 'ustawienia', text: `urlop ${day(100)} ${day(101)}` });
    expect((await db.db.selectFrom('meeting_answers').select('person_id').where('person_id', '=', anna).execute()).length).toBeGreaterThan(0);
  });
  afterEach(async () => db?.close());

  it('should export every kind of record the person has', async () => {
    const data = await collectPersonalData(db.db, anna, clock);
    expect(Object.keys(data.parts)).toEqual(personalDataParts.map((p) => p.name));
    for (const part of personalDataParts) {
      const value = data.parts[part.name];
      expect(value, part.name).toBeTruthy();
      if (Array.isArray(value)) expect(value.length, part.name).toBeGreaterThan(0);
    }
    expect(data.parts.people).toMatchObject({ email: EMAIL, name: NAME });
    expect(data.parts.feed_tokens).toHaveLength(2);
    expect(JSON.stringify(data)).not.toContain(liveToken);
  });

  it('should leave the e-mail and name in no table after erasure, kill the feed token and keep the rows others need', async () => {
    expect(await whereFound(db.db, EMAIL)).not.toEqual([]);
    expect(await erasePersonalData(db.db, anna, clock)).toBe(true);
    expect(await whereFound(db.db, EMAIL)).toEqual([]);
    expect(await whereFound(db.db, NAME)).toEqual([]);
    expect(await personForToken(db.db, liveToken)).toBeUndefined();
    expect(await personForToken(db.db, oldToken)).toBeUndefined();
    const toMarta = await db.db.selectFrom('deliveries').select(['payload', 'state']).where('dedupe_key', '=', 'to-marta').executeTakeFirstOrThrow();
    expect(toMarta).toMatchObject({ state: 'pending', payload: { text: 'Kontakt: osoba usunięta, osoba usunięta' } });
    const toAnna = await db.db.selectFrom('deliveries').select(['payload', 'state', 'last_error']).where('dedupe_key', '=', 'to-anna').executeTakeFirstOrThrow();
    expect(toAnna).toEqual({ payload: { erased: true }, state: 'cancelled', last_error: null });
    expect(await db.db.selectFrom('people').select(['name', 'removed_at']).where('id', '=', anna).executeTakeFirstOrThrow()).toMatchObject({ name: 'osoba usunięta' });
    expect(await erasePersonalData(db.db, anna, clock)).toBe(false);
  });

  it('should refuse a re-import that still lists the erased person, naming file and path, until an admin confirms', async () => {
    await erasePersonalData(db.db, anna, clock);
    const error = await importDemo(db.db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleInvalidError);
    const problems = (error as ScheduleInvalidError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'calendars/demo.yaml', path: 'teams[0].members[0].email' });
    expect(problems[0]!.message).toContain('forget-erasure anna.nowak@example.org');
    expect(await whereFound(db.db, EMAIL)).toEqual([]);

    expect(await forgetErasure(db.db, EMAIL)).toBe(true);
    await importDemo(db.db);
    const back = await db.db.selectFrom('people').select(['id', 'name']).where('email', '=', EMAIL).executeTakeFirstOrThrow();
    expect(back.id).not.toBe(anna);
    expect(back.name).toBe(NAME);
  });

  it('should answer moje-dane in chat with a summary and links, and erase only after a confirmation', async () => {
    const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: SECRET, log: createLogger('silent') });
    const from = { channel: 'email' as const, email: EMAIL };
    const summary = await bot.handle({ type: 'command', from, command: 'moje-dane', text: '' });
    expect(summary.text).toContain(EMAIL);
    expect(summary.text).toContain('Odpowiedzi na zaproszenia: 1 odpowiedź');
    expect(summary.text).toContain('Wiadomości wysłane przez Kooperatora: 1 wiadomość');
    expect(summary.links?.[0]?.url).toMatch(/^https:\/\/koop\.example\.org\/me\/[\w-]{43}\/data\.json$/);

    const ask = await bot.handle({ type: 'command', from, command: 'moje-dane', text: 'usuń' });
    expect(ask.actions).toEqual([expect.objectContaining({ id: 'my-data:erase', value: 'confirm' })]);
    expect(await whereFound(db.db, EMAIL)).not.toEqual([]);

    const done = await bot.handle({ type: 'action', from, actionId: 'my-data:erase', value: 'confirm' });
    expect(done.title).toBe('Dane usunięte');
    expect(await whereFound(db.db, EMAIL)).toEqual([]);
    const after = await bot.handle({ type: 'command', from, command: 'moje-dane', text: '' });
    expect(after.title).toContain('Nie znajdujemy Pani/Pana na liście zespołów');
  });

  it('should erase with the typed confirmation too', async () => {
    const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: SECRET, log: createLogger('silent') });
    const done = await bot.handle({ type: 'command', from: { channel: 'email', email: EMAIL }, command: 'moje-dane', text: 'usun potwierdzam' });
    expect(done.title).toBe('Dane usunięte');
    expect(await whereFound(db.db, NAME)).toEqual([]);
  });
});
