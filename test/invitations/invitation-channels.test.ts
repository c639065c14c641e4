import { buttonClick } from '../adapters/slack/slack-requests.js';
import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { activity as teamsActivity } from '../adapters/teams/harness.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import { dialects } from '../support/databases.js';
import { slackUser, startChannelHarness, teamsUser, type ChannelHarness } from './channel-harness.js';
import { answers, personId, WORKSHOP } from './support.js';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function calendarOf(mail: ParsedMail): ICAL.Component {
  const part = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
  if (!part) throw new Error(`no calendar in "${mail.subject}"`);
  return new ICAL.Component(ICAL.parse(part.content.toString('utf8')));
}

const mailTo = (h: ChannelHarness, email: string) => h.smtp.mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(email)));

/** The signed answer links of a mail, pointed at the test server. */
function rsvpLinks(h: ChannelHarness, mail: ParsedMail): string[] {
  return [...(mail.text ?? '').matchAll(/https?:\/\/[^\s)]+\/rsvp\/[A-Za-z0-9_.-]+/g)].map((m) => `${h.url}${new URL(m[0]).pathname}`);
}

const click = buttonClick;

async function reimport(h: ChannelHarness, edit: (text: string) => string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sched-'));
  const file = join(dir, 'workshop-30.yaml');
  writeFileSync(file, edit(readFileSync('test/invitations/fixtures/workshop-30.yaml', 'utf8')));
  const [loaded] = await loadScheduleFiles([file]);
  // Same source name as the first import, so the importer sees a change, not a second file.
  await importSchedules(h.db.db, [loaded!], { clock: h.clock, defaultTimezone: 'Europe/Warsaw' });
}

describe.each(dialects)('invitations through Slack, Teams and e-mail on %s', (kind) => {
  let h: ChannelHarness;
  beforeAll(async () => {
    h = await startChannelHarness(kind);
  }, 240_000);
  afterAll(async () => h?.close());

  it('should invite all 30 people in their own channel: Slack buttons, a Teams card, an e-mail with an iTIP REQUEST', async () => {
    await planInvitations(h.db.db, h.clock);
    const report = await h.dispatcher.drain();
    expect(report.failed).toBe(0);
    const posts = h.slackApi.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.params.blocks).includes('Warsztaty kooperacyjne'));
    expect(posts.map((p) => p.params.channel).sort()).toEqual([1, 2, 3, 4].map((i) => slackUser(i).id));
    expect(JSON.stringify(posts[0]!.params.blocks)).toContain('rsvp:accept');
    const cards = h.connector.activities().filter((c) => FakeConnector.cardText(c).includes('Warsztaty kooperacyjne'));
    expect(cards).toHaveLength(4);
    expect(JSON.stringify(cards[0]!.body)).toContain('rsvp:decline');

    const invitations = h.smtp.mails.filter((m) => m.subject?.includes('Warsztaty kooperacyjne'));
    expect(invitations).toHaveLength(22);
    const mail = mailTo(h, 'kutno3@example.org')[0]!;
    expect(mail.subject).toBe('Zaproszenie: Warsztaty kooperacyjne (wyjazdowe)');
    // Issue 14: what the activity is about, in both parts, and the recipient's language.
    expect(mail.text).toContain('Dwa dni warsztatów o współpracy.');
    expect(String(mail.html)).toContain('Dwa dni warsztatów o współpracy.');
    expect(mail.headers.get('content-language')).toBe('pl');
    const calendar = calendarOf(mail);
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const event = calendar.getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('uid')).toBe('activity-warsztaty-2027-1@kooperator');
    expect(event.getFirstPropertyValue('sequence')).toBe(0);
    // The signed reply address of this person's invitation, on MAIL_FROM's mailbox (docs/inbound-mail.md).
    expect(String(event.getFirstPropertyValue('organizer'))).toMatch(/^mailto:kooperator\+d[0-9a-z]+p[0-9a-z]+\.[a-z2-7]{16}@example\.org$/);
    const attendee = event.getFirstProperty('attendee')!;
    expect(String(attendee.getFirstValue()).toLowerCase()).toBe('mailto:kutno3@example.org');
    expect(attendee.getParameter('partstat')).toBe('NEEDS-ACTION');
    expect(attendee.getParameter('rsvp')).toBe('TRUE');
    expect(rsvpLinks(h, mail)).toHaveLength(3);
  });

  it('should take answers from a Slack button, a Teams card and an e-mail link into one place', async () => {
    const first = h.slackApi.callsTo('chat.postMessage').length;
    await h.slack.interaction(click(slackUser(1).id, 'rsvp:accept', WORKSHOP));
    await h.slackApi.waitFor('chat.postMessage', first + 1);
    const before = h.slackApi.callsTo('chat.postMessage').length;
    await h.slack.interaction(click(slackUser(1).id, 'rsvp:accept', WORKSHOP)); // a double click: one answer
    const dms = (await h.slackApi.waitFor('chat.postMessage', before + 1)).slice(before - 1);
    expect(JSON.stringify(dms[0]!.params.blocks)).toContain('zapisaliśmy Panią/Pana');
    await h.postTeams(teamsActivity(h.connector, teamsUser(1), { value: { actionId: 'rsvp:maybe', value: WORKSHOP } }));
    expect(FakeConnector.cardText(h.connector.activities().at(-1)!)).toContain('może');

    const [accept] = rsvpLinks(h, mailTo(h, 'kutno3@example.org')[0]!);
    // A GET (a mail scanner, or the person) shows the answer and changes nothing.
    const page = await fetch(accept!);
    expect(page.status).toBe(200);
    const pageText = await page.text();
    expect(pageText).toContain('wezmę udział');
    expect(pageText).toContain('<form method="post"');
    expect(await answers(h.db.db)).toEqual({ accepted: 1, maybe: 1 });
    const posted = await fetch(accept!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('zapisaliśmy Panią/Pana');
    expect(await answers(h.db.db)).toEqual({ accepted: 2, maybe: 1 });
    // The same link twice (a double click) is one answer.
    const again = await fetch(accept!, { method: 'POST', body: '' });
    expect(await again.text()).toContain('Ta odpowiedź była już zapisana');
    expect(await answers(h.db.db)).toEqual({ accepted: 2, maybe: 1 });
    const lodz1 = await personId(h.db.db, slackUser(1).email);
    expect(await h.db.db.selectFrom('rsvps').select('answer').where('person_id', '=', lodz1).executeTakeFirst()).toEqual({ answer: 'accepted' });
  });

  it('should refuse a tampered link with a 404 and record nothing', async () => {
    const [accept] = rsvpLinks(h, mailTo(h, 'kutno4@example.org')[0]!);
    const tampered = accept!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(tampered)).status).toBe(404);
    expect((await fetch(tampered, { method: 'POST', body: '' })).status).toBe(404);
    expect(await answers(h.db.db)).toEqual({ accepted: 2, maybe: 1 });
  });

  it('should send a moved activity as an update to everyone invited: chat messages updated in place, e-mail REQUEST with SEQUENCE 1', async () => {
    const mailsBefore = h.smtp.mails.length;
    const slackBefore = h.slackApi.callsTo('chat.postMessage').length;
    await reimport(h, (t) => t.replace('starts: 2027-03-10T09:00', 'starts: 2027-03-10T10:00'));
    expect(await planInvitations(h.db.db, h.clock)).toEqual({ invited: 0, updated: 40 - 10 + 0 });
    await h.dispatcher.drain();
    const updates = h.slackApi.callsTo('chat.update');
    expect(updates).toHaveLength(4);
    expect(updates[0]!.params.ts).toMatch(/^\d+\.\d+$/);
    expect(h.slackApi.callsTo('chat.postMessage').length - slackBefore).toBe(4);
    const puts = h.connector.calls.filter((c) => c.method === 'PUT');
    expect(puts).toHaveLength(4);
    expect(FakeConnector.cardText(puts[0]!)).toContain('10:00');
    const mails = h.smtp.mails.slice(mailsBefore);
    expect(mails).toHaveLength(22);
    const update = mails.find((m) => m.subject?.startsWith('Zmiana:'))!;
    const calendar = calendarOf(update);
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    const event = calendar.getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('sequence')).toBe(1);
    // The same organiser as the first invitation to that person: the first invitation's signed address.
    const to = (update.to as { value: { address: string }[] }).value[0]!.address;
    const first = calendarOf(h.smtp.mails.slice(0, mailsBefore).find((m) => (m.to as { text: string }).text.includes(to) && m.subject?.startsWith('Zaproszenie:'))!);
    expect(String(event.getFirstPropertyValue('organizer'))).toBe(String(first.getFirstSubcomponent('vevent')!.getFirstPropertyValue('organizer')));
    expect(event.getFirstPropertyValue('last-modified')).toBeTruthy();
    expect(event.getFirstPropertyValue('dtstart')!.toString()).toContain('T10:00:00');
  });

  it('should send a cancelled activity as METHOD:CANCEL by e-mail and a notice in chat', async () => {
    const mailsBefore = h.smtp.mails.length;
    const slackBefore = h.slackApi.callsTo('chat.postMessage').length;
    const teamsBefore = h.connector.activities().length;
    await reimport(h, (t) => t.replace(/  - id: warsztaty-2027-1[\s\S]*?public: true\n/, ''));
    await planInvitations(h.db.db, h.clock);
    await h.dispatcher.drain();
    const mails = h.smtp.mails.slice(mailsBefore);
    expect(mails).toHaveLength(22);
    // Each in the person's language; the order is the rows' due order (spread per person), not the languages'.
    expect(new Set(mails.map((m) => m.subject))).toEqual(new Set(['Odwołane: Warsztaty kooperacyjne (wyjazdowe)', 'Cancelled: Warsztaty kooperacyjne (wyjazdowe)']));
    const polish = mails.find((m) => m.subject?.startsWith('Odwołane'))!;
    const calendar = calendarOf(polish);
    expect(calendar.getFirstPropertyValue('method')).toBe('CANCEL');
    const event = calendar.getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('sequence')).toBe(2);
    expect(event.getFirstPropertyValue('status')).toBe('CANCELLED');
    const notices = h.slackApi.callsTo('chat.postMessage').slice(slackBefore);
    expect(notices).toHaveLength(4);
    expect(JSON.stringify(notices[0]!.params.blocks)).not.toContain('rsvp:accept');
    expect(h.connector.activities().length - teamsBefore).toBe(4);
    // Answers are closed politely.
    const outcome = await h.bot.handle({ type: 'action', from: { channel: 'slack', externalId: slackUser(2).id }, actionId: 'rsvp:accept', value: WORKSHOP });
    expect(outcome.text).toContain('zostało odwołane');
  });
});
