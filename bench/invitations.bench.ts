/**
 * Issue 6: inviting all members of 500 teams (5,000 people) to one conference. Goal: planned and
 * queued (invitations recorded, 5,000 outbox rows) in < 5 s; then delivered through fake
 * transports (in-process senders that accept at once) at the engine's own rate, with every
 * e-mail rendered with its iTIP calendar and signed RSVP links.
 */
import { performance } from 'node:perf_hooks';
import { IcalGeneratorRenderer } from '../adapters/ical/ical-renderer.js';
import type { Db } from '../src/db/db.port.js';
import { Dispatcher } from '../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../src/delivery/render-delivery.js';
import { planInvitations } from '../src/invitations/plan-invitations.js';
import { createLogger } from '../src/log.js';
import type { ChannelKind, ChannelSender } from '../src/ports/channel.port.js';
import { freshPglite, freshPostgres, postgresUrl } from './databases.js';
import { benchClock, importBigSchedule } from './fixtures.js';
import { int, s, yesNo, type Report } from './support.js';

async function inviteInto(report: Report, label: string, db: Db): Promise<void> {
  await importBigSchedule(db.db);
  const clock = benchClock();
  // Only the one conference: the file's own activities are out of the way.
  await db.db.updateTable('activities').set({ cancelled_at: clock.now() }).execute();
  await db.db
    .insertInto('activities')
    .values({
      id: 'konferencja-2027',
      kind: 'conference',
      title: 'Konferencja regionalna Kooperacje 3D',
      starts_local: '2027-03-15T09:00',
      ends_local: '2027-03-15T16:00',
      timezone: 'Europe/Warsaw',
      starts_at: new Date('2027-03-15T08:00:00Z'),
      ends_at: new Date('2027-03-15T15:00:00Z'),
      location: 'Łódź, Hala Expo',
      audience_all: true,
      public: true,
      source: 'bench',
    })
    .execute();
  const t0 = performance.now();
  const planned = await planInvitations(db.db, clock);
  const planMs = performance.now() - t0;
  report.row(`invitations: plan and queue ${int(planned.invited)} invitations, ${label}`, s(planMs), '< 5 s', yesNo(planMs < 5000 && planned.invited === 5000));

  // Planned at 01:00 in Warsaw, in quiet hours: the invitations wait for 07:00, and so does the run.
  clock.set('2027-01-01T06:00:00Z');
  const sent = { count: 0 };
  const fake = (kind: ChannelKind): ChannelSender => ({ kind, send: async () => (sent.count++, { ok: true, providerId: String(sent.count) }) });
  const dispatcher = new Dispatcher({
    db: db.db,
    clock,
    log: createLogger('silent'),
    workerId: 'bench',
    senders: new Map((['slack', 'teams', 'email'] as ChannelKind[]).map((k) => [k, fake(k)])),
    render: deliveryRenderer(db.db, 'https://koop.example.org', 'b'.repeat(40), {
      appSecret: 'b'.repeat(40),
      calendar: new IcalGeneratorRenderer('Europe/Warsaw'),
      organizer: { name: 'RCPS', email: 'kooperator@example.org' },
    }),
  });
  const t1 = performance.now();
  const result = await dispatcher.drain();
  const sendMs = performance.now() - t1;
  report.row(`invitations: deliver ${int(result.sent)} through fake transports, ${label}`, `${s(sendMs)} (${int((result.sent / sendMs) * 1000)} msg/s)`);
}

export async function invitationsBenchmark(report: Report): Promise<void> {
  // BENCH_SKIP_PGLITE=1: PostgreSQL only (the PGlite delivery run takes minutes on a busy machine).
  if (!process.env.BENCH_SKIP_PGLITE) {
    const pglite = await freshPglite();
    try {
      await inviteInto(report, 'PGlite', pglite);
    } finally {
      await pglite.close();
    }
  }
  const postgres = await postgresUrl();
  if ('skip' in postgres) {
    report.row('invitations: PostgreSQL', `skipped: ${postgres.skip}`, '< 5 s', 'skipped');
    return;
  }
  const pg = await freshPostgres(postgres.url);
  try {
    await inviteInto(report, 'PostgreSQL', pg);
  } finally {
    await pg.close();
  }
}
