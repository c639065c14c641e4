/**
 * Issue 17, the lateness of a lump of reminders where the platform's pace binds, in real time
 * (the national week is compressed 1,008×, so there the machine binds instead). COUNT messages
 * fall due at one instant, each free to leave from 12 minutes before it (`earliest_at`, what
 * planning gives a 2-hour meeting reminder), as 1,134 meeting reminders do at the national
 * week's largest instant. They go through the real Dispatcher and DeliveryLoop at e-mail's
 * default pace (20 a second) into an SMTP relay on 127.0.0.1 that allows more (25 a second, 10
 * connections), so the service's pace is what binds. Run once with sending ahead
 * (EARLY_SEND_MAX_SECONDS at its default, 600) and, on PGlite, once without (0) to compare.
 * Lateness is each row's sent_at − due_at (sent_at is recorded once the relay accepted the
 * message). Goal (issue 17): p99 under 1 s.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/db.port.js';
import { DeliveryLoop } from '../src/delivery/delivery-loop.js';
import { Dispatcher } from '../src/delivery/dispatcher.js';
import { DEFAULT_PACING, pacingFrom } from '../src/delivery/platform-pacing.js';
import { createLogger } from '../src/log.js';
import { systemClock } from '../src/clock.js';
import { emailSender, queueMessages, type Target } from '../test/support/fake-platforms/outbox-run.js';
import { FakeSmtp } from '../test/support/fake-platforms/smtp.js';
import { freshPglite, freshPostgres, postgresUrl, redact } from './databases.js';
import { int, ms as positiveMs, percentile, yesNo, type Report } from './support.js';

/** Milliseconds, early ones negative. */
const ms = (value: number) => (value < 0 ? `−${positiveMs(-value)}` : positiveMs(value));

const COUNT = Number(process.env.BENCH_LUMP_COUNT ?? 1134);
/** How far before its due time a row may leave: a tenth of a 2-hour reminder's time left. */
const WINDOW_MS = 12 * 60_000;
const log = createLogger('silent');

export async function earlyLumpBenchmark(report: Report): Promise<void> {
  const pg = await postgresUrl();
  const pace = DEFAULT_PACING.email.perSecond;
  report.note(
    `early-lump: ${int(COUNT)} e-mails due at one instant, each free to leave 12 min early; the real Dispatcher and DeliveryLoop on the real clock at e-mail's default pace (${pace} a second) into an SMTP relay on 127.0.0.1 allowing 25 a second; lateness = sent_at − due_at. ` +
      `PostgreSQL: ${'url' in pg ? redact(pg.url) : `skipped (${pg.skip})`}.`,
  );
  const runs: { label: string; early: boolean; open: () => Promise<Db> }[] = [
    { label: 'PGlite, sending ahead (EARLY_SEND_MAX_SECONDS=600)', early: true, open: freshPglite },
    { label: 'PGlite, not sending ahead (EARLY_SEND_MAX_SECONDS=0), for comparison', early: false, open: freshPglite },
  ];
  if ('url' in pg) runs.push({ label: 'PostgreSQL, sending ahead (EARLY_SEND_MAX_SECONDS=600)', early: true, open: () => freshPostgres(pg.url) });
  // BENCH_LUMP_FLAT_ONLY=1: only the runs without a pace (say, to profile the machine's own rate).
  for (const run of process.env.BENCH_LUMP_FLAT_ONLY === '1' ? [] : runs) {
    const { lateness } = await once(run.early, run.open, pace);
    const p99 = percentile(lateness, 99);
    report.row(
      `early-lump ${run.label}: lateness p50 / p99 / max, and the first row's (how early the lump began)`,
      `${ms(percentile(lateness, 50))} / ${ms(p99)} / ${ms(Math.max(...lateness))}; first ${ms(Math.min(...lateness))} (${int(lateness.length)} sent)`,
      run.early ? 'p99 < 1 s' : '—',
      run.early ? yesNo(lateness.length === COUNT && p99 < 1000) : '—',
    );
  }
  // The machine's own rate for a lump, with no pace to keep: what binds the national week, where
  // the clock runs 1,008× faster than the platforms' pace (docs/benchmarks.md, "A national week").
  const flat: { label: string; open: () => Promise<Db> }[] = process.env.BENCH_SKIP_PGLITE ? [] : [{ label: 'PGlite', open: freshPglite }];
  if ('url' in pg) flat.push({ label: 'PostgreSQL', open: () => freshPostgres(pg.url) });
  for (const run of flat) {
    const { lateness, spanMs } = await once(false, run.open, FLAT_OUT, 10);
    report.row(
      `early-lump ${run.label}, no pace (10 SMTP connections, relay unlimited): the lump's ${int(COUNT)} e-mails from first to last sent, and so a second`,
      `${positiveMs(spanMs)}; ${int(Math.round((lateness.length - 1) / (spanMs / 1000)))} a second (${int(lateness.length)} sent)`,
      '—',
      '—',
    );
  }
}

/** A pace no machine reaches: the service's own speed binds. */
const FLAT_OUT = 100_000;

/** One lump: queued, due far enough ahead for its lead, sent; each row's lateness in ms (negative: early). */
async function once(early: boolean, open: () => Promise<Db>, pace: number, connections = 3): Promise<{ lateness: number[]; spanMs: number }> {
  const db = await open();
  const flat = pace >= FLAT_OUT;
  const relay = await new FakeSmtp({ connections: 10, rate: flat ? { perSecond: FLAT_OUT, burst: FLAT_OUT } : { perSecond: 25, burst: 25 } }).start();
  const sender = emailSender(relay.smtpUrl(`pool=true&maxConnections=${connections}`), log);
  try {
    const targets: Target[] = Array.from({ length: COUNT }, (_, i) => ({ person: `lump-${i}@example.org` }));
    await queueMessages(db.db, 'email', targets, 'lump');
    // Due when the whole lump, sent at the pace, could be out, plus a margin for the start.
    const sendMs = (COUNT / pace) * 1000;
    const due = new Date(Date.now() + (early ? sendMs + 8000 : 3000));
    await sql`update deliveries set due_at = ${due}, next_attempt_at = ${due}, earliest_at = ${new Date(due.getTime() - WINDOW_MS)}`.execute(db.db);
    const dispatcher = new Dispatcher({
      db: db.db,
      clock: systemClock,
      log,
      workerId: 'early-lump',
      senders: new Map([['email', sender.sender]]),
      pacing: pacingFrom(flat ? { ...DEFAULT_PACING, email: { perSecond: FLAT_OUT, burst: FLAT_OUT } } : DEFAULT_PACING),
      earlySendMaxMs: early ? 600_000 : 0,
    });
    const loop = new DeliveryLoop({ db: db.db, dispatcher, clock: systemClock, log });
    loop.start();
    const limit = due.getTime() + sendMs + 60_000;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const left = await sql<{ n: string }>`select count(*) as n from deliveries where state = 'pending'`.execute(db.db);
      if (Number(left.rows[0]!.n) === 0) break;
      if (Date.now() > limit) break;
    }
    await loop.stop();
    await dispatcher.stop();
    const rows = await sql<{ due_at: Date; sent_at: Date }>`select due_at, sent_at from deliveries where state = 'sent'`.execute(db.db);
    const sent = rows.rows.map((r) => new Date(r.sent_at).getTime());
    return { lateness: rows.rows.map((r, i) => sent[i]! - new Date(r.due_at).getTime()), spanMs: Math.max(...sent) - Math.min(...sent) };
  } finally {
    await sender.stop();
    await relay.stop();
    await db.close();
  }
}
