import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import type { Outcome } from './deliver-row.js';
import { notClaimedNow } from './claims.js';
import { LANES, type Lane } from './lanes.js';

/**
 * The outbox on /metrics, at a cost that does not grow with the table: what is due and not
 * sent yet per channel (read from the partial index of pending rows) and what is being sent
 * (`claimed`: every replica's claim locks in pg_locks on PostgreSQL, the rows in flight on
 * PGlite; a claim is not stored in the row), and outcomes counted as this process records them. Counting every row
 * by state (as before) read all of `deliveries` at every scrape: 0.36 s at 600,000 rows.
 */
export function deliveryMetrics(db: Kysely<Database>, clock: Clock, registry: Registry, claimed: () => Promise<number>): (row: DeliveryRow, outcome: Outcome, channel: string | undefined) => void {
  const lateness = new Histogram({
    name: 'kooperator_delivery_lateness_seconds',
    help: 'Sent time minus due time',
    labelNames: ['channel'] as const,
    buckets: [0.1, 0.5, 1, 5, 30, 60, 300, 3600],
    registers: [registry],
  });
  const early = new Histogram({
    name: 'kooperator_delivery_early_seconds',
    help: 'Due time minus sent time, for deliveries sent before their due time (reminders sent ahead of a lump)',
    labelNames: ['channel'] as const,
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 600],
    registers: [registry],
  });
  const outcomes = new Counter({
    name: 'kooperator_deliveries_total',
    help: 'Deliveries this process finished, by outcome (sent, retried, failed, expired) and channel',
    labelNames: ['outcome', 'channel'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'kooperator_deliveries_waiting',
    help: 'Deliveries due and not sent yet (state "due", by the channel they are at; a row being sent is not counted here) and being sent (state "sending")',
    labelNames: ['state', 'channel'] as const,
    registers: [registry],
    async collect() {
      const lanes = LANES.filter((l) => l !== 'none');
      const { rows } = await sql<{ channel: string; n: number }>`
        select l.channel, (select count(*)::int from deliveries where state = 'pending' and (channels ->> channel_index) = l.channel and next_attempt_at <= ${clock.now()} and ${notClaimedNow()}) as n
        from unnest(${lanes}::text[]) as l(channel)`.execute(db);
      const sending = await claimed();
      this.reset();
      for (const r of rows) this.set({ state: 'due', channel: r.channel }, Number(r.n));
      this.set({ state: 'sending', channel: 'all' }, sending);
    },
  });
  return (row, outcome, channel) => {
    outcomes.inc({ outcome, channel: channel ?? 'none' });
    if (outcome !== 'sent') return;
    const late = (clock.now().getTime() - row.due_at.getTime()) / 1000;
    // A row sent ahead of its due time is on time (lateness 0); how early is told apart.
    if (late < 0) early.observe({ channel: channel ?? 'none' }, -late);
    lateness.observe({ channel: channel ?? 'none' }, Math.max(0, late));
  };
}

/**
 * Pacing on /metrics: the pace each platform's pacer allows this replica now (messages a second:
 * its share of the setting, lowered after refusals, 0 while a Retry-After holds it) and the
 * platforms' refusals for pace (HTTP 429, Slack's `rate_limited`, SMTP 421/451) per channel and
 * the platform's code (SendResult.refusal), so a relay's 421 (too many connections) and 451 (too
 * many messages) tell apart.
 * Returns what the dispatcher calls at each refusal (DispatcherOptions.onRefused).
 */
export function pacingMetrics(registry: Registry, pace: () => Map<Lane, number>): (channel: string, code: string) => void {
  new Gauge({
    name: 'kooperator_pace_messages_per_second',
    help: 'Messages a second the pacer lets this replica send now, per platform (its share of the setting, lowered after refusals; 0 while a Retry-After holds it)',
    labelNames: ['channel'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [channel, perSecond] of pace()) this.set({ channel }, perSecond);
    },
  });
  const refusals = new Counter({
    name: 'kooperator_pace_refusals_total',
    help: 'Sends a platform refused for pace (HTTP 429, Slack rate_limited, SMTP 421/451), per channel and the platform\'s code',
    labelNames: ['channel', 'code'] as const,
    registers: [registry],
  });
  return (channel, code) => refusals.inc({ channel, code });
}
