import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsoleChat } from '../../adapters/console/console-chat.js';
import { Bot } from '../../src/bot/bot.js';
import { parseCommand } from '../../src/bot/parse-command.js';
import { botMessages } from '../../src/i18n/bot-messages.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createLogger } from '../../src/log.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

/** Types lines into the real terminal chat and returns what it printed. */
async function chat(bot: Bot, email: string, lines: string[]): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk) => (printed += chunk));
  const done = runConsoleChat({ email, handle: (incoming) => bot.handle(incoming), input, output });
  input.end(lines.join('\n'));
  await done;
  return printed;
}

describe('command words', () => {
  it.each([
    ['Ogłoszenie test', 'ogloszenie', 'test'],
    ['OGLOSZENIE', 'ogloszenie', ''],
    ['/pzk spotkania', 'spotkania', ''],
    ['meetings', 'spotkania', ''],
    ['Moje-Dane usuń', 'moje-dane', 'usuń'],
    ['calendar new', 'kalendarz', 'new'],
    ['', 'pomoc', ''],
  ])('should read %j as %s', (input, command, text) => {
    expect(parseCommand(input)).toMatchObject({ command, text });
  });

  it.each([
    [1, 'Najbliższe spotkanie'],
    [2, 'Najbliższe 2 spotkania'],
    [5, 'Najbliższych 5 spotkań'],
    [12, 'Najbliższych 12 spotkań'],
    [22, 'Najbliższe 22 spotkania'],
  ])('should use the Polish plural form for %i', (n, text) => {
    expect(botMessages.pl.meetingsSummary(n)).toContain(text);
  });

  it('should not know a word that is no command', () => {
    expect(parseCommand('spotkanka').command).toBeUndefined();
  });

  it.each(['constructor', 'toString', '__proto__'])('should not take %s (a name every object has) for a command', (word) => {
    expect(parseCommand(word).command).toBeUndefined();
  });
});

describe.each(dialects)('the bot in the terminal on %s', (kind) => {
  let db: Db;
  let bot: Bot;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
  });
  afterAll(async () => db?.close());

  it('should list my next meetings in Polish with place and links', async () => {
    const out = await chat(bot, 'Anna.Nowak@example.org', ['spotkania']);
    // 12 and 26 January, 9 and 23 February: the eight weeks ahead.
    expect(out).toContain('Najbliższe 4 spotkania Pani/Pana zespołów:');
    expect(out).toContain('wtorek, 12 stycznia 2027, 10:00');
    expect(out).toContain('Sala 12');
    expect(out).toContain('https://koop.example.org/calendars/teams/lodz.ics');
  });

  it('should show the same personal link twice and a new one only on "kalendarz nowy"', async () => {
    const links = (out: string) => [...out.matchAll(/https:\/\/koop\.example\.org\/calendars\/u\/([\w-]+)\.ics/g)].map((m) => m[1]);
    const first = links(await chat(bot, 'anna.nowak@example.org', ['kalendarz', 'calendar']));
    expect(new Set(first).size).toBe(1);
    const renewed = links(await chat(bot, 'anna.nowak@example.org', ['kalendarz nowy']));
    expect(renewed[0]).not.toBe(first[0]);
    const stored = await db.db.selectFrom('feed_tokens').select(['token_hash', 'nonce', 'revoked_at']).execute();
    expect(stored.filter((t) => t.revoked_at === null)).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(renewed[0]);
  });

  it('should answer an English-speaking member in English', async () => {
    const english = await db.db.selectFrom('people').select('email').where('language', '=', 'en').executeTakeFirstOrThrow();
    const out = await chat(bot, english.email, ['help', 'meetings']);
    expect(out).toContain('What Kooperator can do');
    expect(out).toMatch(/The next \d+ meetings of your teams:/);
  });

  it('should tell my data and answer an unknown command politely', async () => {
    const out = await chat(bot, 'anna.nowak@example.org', ['moje-dane', 'xyz']);
    expect(out).toContain('E-mail: anna.nowak@example.org');
    expect(out).toContain('Polecenie „xyz” nie jest nam znane.');
  });

  it('should answer a stranger politely in Polish, naming RCPS, and store nothing about them', async () => {
    const count = async () =>
      Promise.all(['people', 'person_channels', 'feed_tokens'].map(async (t) => (await db.db.selectFrom(t as 'people').select(db.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));
    const before = await count();
    const out = await chat(bot, 'stranger@example.com', ['spotkania', 'kalendarz']);
    expect(out).toContain('Nie znajdujemy Pani/Pana na liście zespołów');
    expect(out).toContain('jan.kowalski@example.org');
    expect(out).not.toContain('/calendars/u/');
    expect(await count()).toEqual(before);
  });

  it('should link a platform identity once a known person is recognised by e-mail, and find them by it later', async () => {
    await bot.handle({ type: 'command', from: { channel: 'slack', externalId: 'U123', email: 'anna.nowak@example.org', address: 'U123' }, command: 'pomoc', text: '' });
    const answer = await bot.handle({ type: 'command', from: { channel: 'slack', externalId: 'U123' }, command: 'moje-dane', text: '' });
    expect(answer.text).toContain('anna.nowak@example.org');
    const links = await db.db.selectFrom('person_channels').select(['channel', 'external_id', 'address']).execute();
    expect(links).toEqual([{ channel: 'slack', external_id: 'U123', address: 'U123' }]);
  });

  it('should let RCPS fill in the new-event form field by field, ask a refused field again, and let a member answer the invitation by its number (issue 14)', async () => {
    const form = await chat(bot, 'jan.kowalski@example.org', [
      'warsztaty nowe',
      'Warsztaty z terminala', // title
      '1', // kind: the first choice, by its number
      '2027-02-10 09:00', // starts
      '2027-02-09 15:00', // ends: before it starts, so the form asks this field again
      '', // location (optional)
      '', // capacity
      '', // rsvp_by
      'lodz', // audience
      '', // registration questions (optional)
      '2027-02-10 15:00', // ends again
    ]);
    expect(form).toContain('Formularz „Nowe wydarzenie”');
    expect(form).toMatch(/\[1\] Warsztaty\n/);
    expect(form).toContain('Proszę wpisać to pole jeszcze raz.');
    const created = await db.db.selectFrom('activities').selectAll().where('title', '=', 'Warsztaty z terminala').executeTakeFirstOrThrow();
    expect(created).toMatchObject({ kind: 'workshop', starts_local: '2027-02-10T09:00', ends_local: '2027-02-10T15:00', source: 'chat' });

    await planInvitations(db.db, clock);
    const list = await chat(bot, 'anna.nowak@example.org', ['warsztaty']);
    const number = /• Warsztaty z terminala\n(?:  .*\n)*?  \[(\d+)\] Wezmę udział/.exec(list)?.[1];
    expect(number).toBeDefined();
    const answered = await chat(bot, 'anna.nowak@example.org', ['warsztaty', number!]);
    expect(answered).toContain('zapisaliśmy Panią/Pana na „Warsztaty z terminala”');
    expect(answered).toContain('Aby wybrać przycisk, proszę wpisać jego numer');
    const anna = await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    const rsvp = await db.db.selectFrom('rsvps').select('answer').where('activity_id', '=', created.id).where('person_id', '=', anna.id).executeTakeFirst();
    expect(rsvp?.answer).toBe('accepted');
  });

  it('should not let a number press a button the person may not use: a member gets the same refusal as on Slack', async () => {
    const staffOnly = await chat(bot, 'anna.nowak@example.org', ['warsztaty nowe', '1']);
    expect(staffOnly).not.toContain('Formularz „Nowe wydarzenie”');
    expect(staffOnly).toContain('Ostatnia odpowiedź nie ma przycisków, więc numer 1 niczego nie wybiera.');
  });

  it('should print the form of a problem report, and send nothing when the person cancels', async () => {
    const out = await chat(bot, 'anna.nowak@example.org', ['problem', 'anuluj']);
    expect(out).toContain('Kategoria (wymagane; proszę wpisać numer):');
    expect(out).toContain('Formularz anulowano; niczego nie wysłano.');
  });

  it('should process a platform event key only once', async () => {
    expect(await bot.firstTime('slack:Ev1')).toBe(true);
    expect(await bot.firstTime('slack:Ev1')).toBe(false);
  });
});
