import { measureReplan } from './replan-measure.js';
import { int, s, type Report } from './support.js';

/**
 * The next day's re-plan of check-ins and summaries at national size on PGlite (the national
 * benchmark found 16.8 s and 6.7 s of it holding PGlite's one thread), and the 15-minute sweep.
 * No goal set: the figures are to compare with those in docs/benchmarks.md (what is left is
 * building the horizon in JavaScript).
 */
export async function replanBenchmark(report: Report): Promise<void> {
  const t = await measureReplan();
  const n = (key: string) => Number(t[key]);
  report.note(`replan: ${int(n('deliveries'))} deliveries in the outbox after the first plan; load average ${t.loadBefore} before the re-plan, ${t.loadAfter} after.`);
  report.row(`replan: next day's check-ins (${t['next day checkins.result']} new)`, s(n('next day checkins')));
  report.row(`replan: next day's attendance summaries (${t['next day summaries.result']} new)`, s(n('next day summaries')));
  report.row('replan: 15-minute sweep (invitations, then activity reminders)', s(n('sweep invitations') + n('sweep activity reminders')));
}
