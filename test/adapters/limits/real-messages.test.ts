import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../../adapters/ical/ical-renderer.js';
import { renderText } from '../../../adapters/console/render-text.js';
import { composeMail } from '../../../adapters/email/compose.js';
import { renderMessage } from '../../../adapters/slack/render-blocks.js';
import { renderModal } from '../../../adapters/slack/render-modal.js';
import { renderCard } from '../../../adapters/teams/render-card.js';
import { Bot } from '../../../src/bot/bot.js';
import { FixedClock } from '../../../src/clock.js';
import type { Db } from '../../../src/db/db.port.js';
import { enqueue } from '../../../src/delivery/outbox.js';
import { deliveryRenderer } from '../../../src/delivery/render-delivery.js';
import { parseMailbox } from '../../../src/invitations/invitation-message.js';
import { planActivityReminders } from '../../../src/invitations/plan-activity-reminders.js';
import { planInvitations } from '../../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../../src/invitations/rsvp.js';
import { createLogger } from '../../../src/log.js';
import type { Message } from '../../../src/ports/channel.port.js';
import { processScheduleChanges } from '../../../src/reminders/change-notices.js';
import { planReminders } from '../../../src/reminders/plan-reminders.js';
import { planCheckins } from '../../../src/reports/checkins.js';
import { planDigests } from '../../../src/reports/digest.js';
import { createProblemReport } from '../../../src/reports/problem-reports.js';
import { forwardComment, routeNewReport } from '../../../src/reports/report-routing.js';
import { recordScheduleChanges } from '../../../src/schedule/meeting-notices.js';
import { dialects, demoDatabase } from '../../support/databases.js';
import { checkMessage, checkModal } from './block-kit-check.js';
import { checkCard } from './card-check.js';

const SECRET = 'p'.repeat(40);
const EMOJI = '👩🏽‍💻🇵🇱';
const long = (n: number) => Array.from({ length: Math.ceil(n / 30) }, (_, i) => `Zażółć gęślą jaźń ${i} ${EMOJI} `).join('').slice(0, n);
const LONG_URL = `https://koop.example.org/meet/${'a1b2c3'.repeat(600)}?p=<x>`;

/** Every platform's checks for one message the code made. */
function problems(message: Message): string[] {
  const out = [...checkMessage(renderMessage(message) as never).map((e) => `Slack: ${e}`), ...checkCard(renderCard(message)).map((e) => `Teams: ${e}`)];
  if (message.form) out.push(...checkModal(renderModal(message.form, message.language)).map((e) => `Slack modal: ${e}`));
  const mail = composeMail('anna.nowak@example.org', message);
  if (!mail.ok) out.push(`e-mail: ${mail.reason}`);
  else {
    for (const m of String(mail.mail.html).matchAll(/href="([^"]*)"/g)) if (/[<>\s]|&lt;/.test(m[1]!)) out.push(`e-mail: href ${m[1]!.slice(0, 60)}`);
    if (/\*\*|\]\(https?:/.test(String(mail.mail.text))) out.push('e-mail: Markdown in the plain text');
  }
  if (/\*\*|\]\(https?:/.test(renderText(message))) out.push('terminal: Markdown');
  return out;
}

/**
 * The messages the code itself makes (every delivery kind the outbox renders, every chat
 * command's answer and the home screen) on the demo world made long: 5,000-character
 * descriptions and reports with emoji, an online link of 3,600 characters. Each goes through
 * every channel's checks (issue 14).
 */
describe.each(dialects)('real messages with long data fit every platform on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const id = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    await db.db.updateTable('activities').set({ description: long(5000) }).execute();
    await db.db.updateTable('meeting_series').set({ online_url: LONG_URL }).execute();
    const [anna, jan] = [await id('anna.nowak@example.org'), await id('jan.kowalski@example.org')];
    await planReminders(db.db, { clock, horizonDays: 10 });
    await planCheckins(db.db, { clock, horizonDays: 10 });
    await planDigests(db.db, clock);
    await planInvitations(db.db, clock);
    await answerInvitation(db.db, clock, { activityId: 'szkolenie-niebieska-karta-2027-01', personId: anna, answer: 'accepted' });
    await planActivityReminders(db.db, clock);
    const reporter = await db.db.selectFrom('people').selectAll().where('id', '=', anna).executeTakeFirstOrThrow();
    const { report } = await createProblemReport(db.db, reporter, { teamId: 'lodz', category: 'other', urgency: 'urgent', description: long(5000), link: LONG_URL.slice(0, 1900) }, clock.now());
    await routeNewReport(db.db, report);
    const event = await db.db.insertInto('report_events').values({ report_id: report.id, person_id: anna, action: 'commented', comment: long(5000), created_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
    await forwardComment(db.db, report, event.id, clock.now());
    await recordScheduleChanges(db.db, [{ kind: 'meeting_cancelled', team_id: 'lodz', occurrence_date: '2027-02-09', details: '{}' }], clock.now());
    await processScheduleChanges(db.db, clock);
    const a = await db.db.insertInto('announcements').values({ author_id: jan, text: long(5000), team_ids: JSON.stringify(['lodz']), state: 'sent', created_at: clock.now(), sent_at: clock.now() }).returning('id').executeTakeFirstOrThrow();
    await enqueue(db.db, [
      { key: `announcement:${a.id}:${anna}`, kind: 'announcement', personId: anna, teamId: 'lodz', channels: ['email'], payload: { type: 'announcement', id: String(a.id) }, dueAt: clock.now() },
      { key: `announcement-report:${a.id}`, kind: 'announcement-report', personId: jan, channels: ['email'], payload: { type: 'announcement_report', id: String(a.id) }, dueAt: clock.now() },
    ]);
  }, 120_000);
  afterAll(async () => db?.close());

  it('every delivery kind the outbox renders', async () => {
    const render = deliveryRenderer(db.db, 'https://koop.example.org', SECRET, {
      appSecret: SECRET,
      calendar: new IcalGeneratorRenderer('Europe/Warsaw'),
      organizer: parseMailbox('"RCPS" <rcps@example.org>'),
    });
    clock.set('2027-01-05T09:00:00Z');
    const rows = await db.db.selectFrom('deliveries').selectAll().orderBy('id').execute();
    const seen = new Set<string>();
    const found: string[] = [];
    for (const row of rows) {
      const type = (row.payload as { type?: string }).type ?? 'ready message';
      if (seen.has(type)) continue;
      const message = await render(row, 'pl');
      if (!message) continue;
      seen.add(type);
      for (const language of ['pl', 'en'] as const) {
        const again = language === 'pl' ? message : await render(row, language);
        if (again) found.push(...problems(again).map((p) => `${type} (${language}): ${p}`));
      }
    }
    expect(found).toEqual([]);
    expect([...seen].sort()).toEqual(expect.arrayContaining(['announcement', 'announcement_report', 'checkin', 'digest', 'invitation', 'meeting_change', 'problem_report', 'reminder', 'report_comment']));
  });

  it('every chat command\'s answer and the home screen', async () => {
    const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: SECRET, log: createLogger('silent') });
    const found: string[] = [];
    for (const email of ['anna.nowak@example.org', 'jan.kowalski@example.org']) {
      const from = { channel: 'console' as const, email };
      for (const line of ['pomoc', 'spotkania', 'warsztaty', 'warsztaty nowe', 'kalendarz', 'moje-dane', 'ustawienia', 'dostarczenia', 'status', 'problem', 'zgloszenia', 'ogloszenie', 'nieznane']) {
        const [command, ...rest] = line.split(' ');
        const answer = await bot.handle({ type: 'command', from, command: command!, text: rest.join(' ') });
        found.push(...problems(answer).map((p) => `${email} ${line}: ${p}`));
      }
      found.push(...problems(await bot.home(from)).map((p) => `${email} home: ${p}`));
    }
    expect(found).toEqual([]);
  });
});
