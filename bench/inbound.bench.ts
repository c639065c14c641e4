/**
 * Issue 16: 1,000 inbound replies (a mix of iTIP and plain) in < 60 s end to end, with the
 * answers recorded and confirmations queued. Each mail goes through the real receiving SMTP
 * listener (adapters/email-inbound) over TCP from a nodemailer client, to the sink main.ts wires
 * (createInboundMailSink, src/inbound/receive-mail.ts), which records the mail, the answer and its
 * confirmation in one transaction before the listener answers 250.
 *
 * The world: 1,000 people (the first 100 teams of the 500-team file) invited to one large
 * workshop with a seat for each, every invitation 'sent' by e-mail. Half answer from their
 * calendar (iTIP REPLY from the Outlook, Google, Apple and Thunderbird fixtures in
 * test/fixtures/itip/, ACCEPTED / DECLINED / TENTATIVE, ATTENDEE = the person, the activity's
 * UID), half in plain words ("Będę", "nie dam rady", "yes"); all to their invitation's signed
 * reply address, From = the person.
 */
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import { SmtpListener } from '../adapters/email-inbound/smtp-listener.js';
import type { Db } from '../src/db/db.port.js';
import { activityUid } from '../src/feeds/calendar-events.js';
import { createInboundMailSink } from '../src/inbound/receive-mail.js';
import { replyAddress } from '../src/inbound/reply-address.js';
import type { DnsResolver } from '../src/inbound/sender-check.js';
import { planInvitations } from '../src/invitations/plan-invitations.js';
import { createLogger } from '../src/log.js';
import type { InboundMailSink } from '../src/ports/inbound-mail.port.js';
import { CLIENTS, itipMail, plainMail } from '../test/inbound/mails.js';
import { freshPglite } from './databases.js';
import { benchClock, importBigSchedule } from './fixtures.js';
import { int, percentile, s, yesNo, type Report } from './support.js';

const PEOPLE = 1000;
const SECRET = 'b'.repeat(40);
const MAIL_FROM = '"Kooperator RCPS" <kooperator@example.org>';
const ACTIVITY = 'warsztaty-duze-2027';
const TITLE = 'Warsztaty kooperacyjne dla wszystkich';
const log = createLogger('silent');
// Every reply is bound by its signed address, so DNS is never asked; were it, it knows nothing (the network edge).
const noDns: DnsResolver = async (name) => {
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

const PARTSTATS = ['ACCEPTED', 'DECLINED', 'TENTATIVE'] as const;
const PLAIN = [
  { body: 'Będę.\n\nPozdrawiam', answer: 'accepted' },
  { body: 'Dzień dobry,\nnie dam rady, niestety.\n', answer: 'declined' },
  { body: 'yes', answer: 'accepted' },
] as const;
const ITIP_ANSWER = { ACCEPTED: 'accepted', DECLINED: 'declined', TENTATIVE: 'maybe' } as const;

interface Invited {
  personId: number;
  email: string;
  to: string;
  raw: Buffer;
  expected: string;
}

function sinkFor(db: Db, clock: ReturnType<typeof benchClock>): InboundMailSink {
  return createInboundMailSink({ db: db.db, clock, secret: SECRET, mailFrom: MAIL_FROM, log, resolver: noDns });
}

/** 1,000 people invited to one workshop with a seat each, every invitation sent by e-mail; and each one's reply. */
async function invitedWithReplies(db: Db, clock: ReturnType<typeof benchClock>): Promise<Invited[]> {
  await importBigSchedule(db.db);
  await db.db.updateTable('activities').set({ cancelled_at: clock.now() }).execute();
  await db.db
    .insertInto('activities')
    .values({
      id: ACTIVITY,
      kind: 'workshop',
      title: TITLE,
      starts_local: '2027-03-15T09:00',
      ends_local: '2027-03-15T16:00',
      timezone: 'Europe/Warsaw',
      starts_at: new Date('2027-03-15T08:00:00Z'),
      ends_at: new Date('2027-03-15T15:00:00Z'),
      location: 'Łódź, Hala Expo',
      audience_all: false,
      public: true,
      capacity: PEOPLE,
      source: 'bench',
    })
    .execute();
  const teams = await db.db.selectFrom('teams').select('id').where('removed_at', 'is', null).orderBy('id').limit(PEOPLE / 10).execute();
  await db.db.insertInto('activity_audience').values(teams.map((t) => ({ activity_id: ACTIVITY, team_id: t.id }))).execute();
  await planInvitations(db.db, clock);
  await db.db.updateTable('deliveries').set({ state: 'sent', sent_channel: 'email', sent_at: clock.now() }).where('dedupe_key', 'like', `invite:${ACTIVITY}:%`).execute();
  const rows = await db.db
    .selectFrom('deliveries')
    .innerJoin('people', 'people.id', 'deliveries.person_id')
    .select(['deliveries.id', 'deliveries.person_id', 'people.email'])
    .where('deliveries.dedupe_key', 'like', `invite:${ACTIVITY}:%`)
    .orderBy('deliveries.id')
    .execute();
  return rows.slice(0, PEOPLE).map((r, i) => {
    const personId = r.person_id!;
    const to = replyAddress(SECRET, MAIL_FROM, { deliveryId: Number(r.id), personId });
    if (i % 2 === 0) {
      const partstat = PARTSTATS[(i / 2) % 3]!;
      const raw = itipMail({ client: CLIENTS[(i / 2) % 4]!, from: r.email, to, partstat, uid: activityUid(ACTIVITY), title: TITLE, messageId: `bench-itip-${i}@mail.example.net` });
      return { personId, email: r.email, to, raw, expected: ITIP_ANSWER[partstat] };
    }
    const plain = PLAIN[((i - 1) / 2) % 3]!;
    const raw = plainMail({ from: r.email, to, subject: `Re: Zaproszenie: ${TITLE}`, body: plain.body, messageId: `bench-plain-${i}@mail.example.net` });
    return { personId, email: r.email, to, raw, expected: plain.answer };
  });
}

export async function inboundBenchmark(report: Report): Promise<void> {
  const db = await freshPglite();
  const clock = benchClock();
  const listener = new SmtpListener({ port: 0, host: '127.0.0.1', mailFrom: MAIL_FROM, sink: sinkFor(db, clock), log });
  try {
    const invited = await invitedWithReplies(db, clock);
    const port = await listener.start();
    // Four connections, as a sending MTA opens a few in parallel.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 4, maxMessages: Infinity });
    const latencies: number[] = [];
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < invited.length) {
        const p = invited[next++]!;
        const t = performance.now();
        await transport.sendMail({ envelope: { from: p.email, to: [p.to] }, raw: p.raw });
        latencies.push(performance.now() - t);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    const totalMs = performance.now() - t0;
    transport.close();

    const mails = await db.db.selectFrom('inbound_mails').select(['person_id', 'outcome', 'classified_as']).execute();
    const recordedOnce = mails.length === invited.length && new Set(mails.map((m) => m.person_id)).size === invited.length && mails.every((m) => m.outcome.startsWith('recorded:rsvp:'));
    const rsvps = new Map((await db.db.selectFrom('rsvps').select(['person_id', 'answer']).where('activity_id', '=', ACTIVITY).execute()).map((r) => [r.person_id, r.answer]));
    const wrong = invited.filter((p) => rsvps.get(p.personId) !== p.expected);
    const confirmations = await db.db.selectFrom('deliveries').select(['person_id', 'kind']).where('dedupe_key', 'like', 'inbound:%').execute();
    const perPerson = new Map<number, number>();
    for (const c of confirmations) if (c.kind === 'inbound_confirmation') perPerson.set(c.person_id!, (perPerson.get(c.person_id!) ?? 0) + 1);
    const oneEach = confirmations.length === invited.length && invited.every((p) => perPerson.get(p.personId) === 1);
    const itip = mails.filter((m) => m.classified_as === 'itip_reply').length;
    const ok = invited.length === PEOPLE && recordedOnce && wrong.length === 0 && oneEach;
    report.row(`inbound: ${int(invited.length)} replies (${int(itip)} iTIP, ${int(mails.length - itip)} plain) over SMTP, answer and confirmation committed before each 250`, s(totalMs), '< 60 s', yesNo(totalMs < 60_000 && ok));
    report.row('inbound: one reply, SMTP DATA to 250 (p50 / p95)', `${Math.round(percentile(latencies, 50))} / ${Math.round(percentile(latencies, 95))} ms`, '—', '—');
    const counts = [...rsvps.values()].reduce<Record<string, number>>((acc, a) => ((acc[a] = (acc[a] ?? 0) + 1), acc), {});
    report.note(
      `inbound: ${mails.length} mails in inbound_mails (${recordedOnce ? 'each person once, every one recorded:rsvp' : 'NOT once each'}); rsvps ${Object.entries(counts).map(([a, n]) => `${a} ${n}`).join(', ')}, ${wrong.length} differing from the reply sent; ${confirmations.length} confirmations queued (${oneEach ? 'one per person' : 'NOT one per person'}). Calendar clients: ${CLIENTS.join(', ')}.`,
    );
  } finally {
    await listener.stop();
    await db.close();
  }
}
