import { realMs } from '../clock.js';
import type { DeliveryRow } from '../db/tables.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { RenderBatch, recipientsOf, renderPerPerson, type Recipient } from './batch-context.js';
import { sendThrough } from './channel-send.js';
import { claimDue, reclaimAllButMine, reclaimDead, releaseClaims, renewClaims } from './claims.js';
import { deliverRow, emptyReport, type DispatchReport } from './deliver-row.js';
import type { DispatcherOptions } from './dispatcher-options.js';
import { LANES, type Lane } from './lanes.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { Pacer, shareOf } from './pacer.js';
import { PLACE_NOT_LINKED, placeAddressesOf, recipientOf, requeueLearnedSince } from './places.js';
import { DEFAULT_REPLICA_TIMEOUT_MS } from './replica-timeouts.js';

export type { DispatchReport } from './deliver-row.js';
export type { DispatcherOptions } from './dispatcher-options.js';

const sum = (reports: DispatchReport[]) => {
  const total = emptyReport();
  for (const r of reports) for (const k of Object.keys(total) as (keyof DispatchReport)[]) total[k] += r[k];
  return total;
};
const claimedIn = (r: DispatchReport) => Object.values(r).reduce((a, b) => a + b, 0);
const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Drains the outbox, one lane per channel (lanes.ts): claims due rows with FOR UPDATE SKIP
 * LOCKED, sends each through its channel, records each result as it is known. A crash resends
 * only the sends in flight at that moment; a dead worker's claims come back at once when it is
 * known dead (docs/delivery-engine.md).
 */
export class Dispatcher {
  private readonly pacer: Pacer;
  private stopSignal = new AbortController();
  private stopping = false;
  private readonly active = new Set<Promise<unknown>>();
  private renewing: NodeJS.Timeout | undefined;
  private reclaiming: Promise<void> | undefined;
  private lastReclaim = Number.NEGATIVE_INFINITY;
  private reclaimedOnce = false;

  constructor(private readonly options: DispatcherOptions) {
    this.pacer = new Pacer(options.clock);
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }

  /** One batch in every lane, side by side. */
  async runOnce(): Promise<DispatchReport> {
    return sum(await Promise.all(LANES.map((lane) => this.batch(lane))));
  }

  /** Runs every lane until nothing in it is due; lanes do not wait for each other. */
  async drain(): Promise<DispatchReport> {
    const reports: DispatchReport[] = [];
    for (;;) {
      const round = sum(await Promise.all(LANES.map((lane) => this.drainLane(lane))));
      reports.push(round);
      // A row that fell back to its next channel is now due in another lane.
      if (round.retried === 0 || this.stopping) return sum(reports);
    }
  }

  async drainLane(lane: Lane): Promise<DispatchReport> {
    const reports: DispatchReport[] = [];
    for (;;) {
      const r = await this.batch(lane);
      reports.push(r);
      if (claimedIn(r) === 0 || this.stopping) return sum(reports);
    }
  }

  /** One claimed batch of one lane, sent and recorded. */
  batch(lane: Lane): Promise<DispatchReport> {
    if (this.stopping) return Promise.resolve(emptyReport());
    // Tracked from before the claim: a stop then waits for a claim under way and hands its rows back.
    const work = this.claimAndSend(lane);
    this.track(work);
    return work;
  }

  private async claimAndSend(lane: Lane): Promise<DispatchReport> {
    // Before claiming: a failed heartbeat then leaves no claimed row waiting out its lease.
    await this.options.replicas?.refresh();
    await this.reclaim();
    if (this.stopping) return emptyReport();
    const { db, clock, workerId } = this.options;
    const batchSize = this.claimSize(lane);
    if (batchSize === 0) return emptyReport();
    const rows = await claimDue(db, { workerId, now: clock.now(), batchSize, lane, waitForDisk: this.options.exclusive === true });
    if (rows.length === 0) return emptyReport();
    return this.send(rows);
  }

  /**
   * A batch no bigger than the lane's platform lets this replica send within the longest pace
   * wait (at least one row): claiming more would only put the rest back with a later due time,
   * a write each, and behind rows queued after them (a restarted service sent a dead process's
   * rows 48 s late that way, behind everything else due). None while this replica is joining
   * (it sends nothing paced until the others have counted it): the loop looks again shortly.
   */
  private claimSize(lane: Lane): number {
    const most = this.options.batchSize ?? 100;
    if (lane === 'none' || !this.options.pacing) return most;
    const rules = this.options.pacing(lane, '');
    if (rules.length > 0 && this.options.replicas?.joiningUntil()) return 0;
    const laneWide = shareOf(rules.filter((rule) => rule.key === lane), this.options.replicas?.count ?? 1);
    const room = Math.min(most, ...laneWide.map((rule) => this.pacer.room(rule, this.options.maxPaceWaitMs ?? 1000)));
    return Math.max(1, room);
  }

  /**
   * Hands dead workers' rows back to the outbox: at the first batch everything a dead process
   * left (`exclusive`), then every few seconds the rows of replicas whose heartbeat is stale or
   * whose lease ran out. Concurrent lanes share one query.
   */
  async reclaim(): Promise<void> {
    const now = this.options.clock.now().getTime();
    // Every 5 s, or more often when replicas are counted dead sooner (REPLICA_TIMEOUT_SECONDS).
    const every = Math.min(5000, this.options.replicas?.staleMs ?? 5000);
    if (this.reclaimedOnce && now - this.lastReclaim < every) return this.reclaiming;
    this.reclaiming ??= (async () => {
      const { db, workerId, log } = this.options;
      let back = 0;
      if (this.options.exclusive && !this.reclaimedOnce) back += await reclaimAllButMine(db, workerId);
      this.reclaimedOnce = true;
      back += await reclaimDead(db, { leaseMs: this.leaseMs, staleMs: this.options.replicas?.staleMs ?? DEFAULT_REPLICA_TIMEOUT_MS });
      this.lastReclaim = now;
      if (back > 0) log.info({ rows: back }, 'took back the deliveries of a dispatcher that is gone');
    })().finally(() => (this.reclaiming = undefined));
    return this.reclaiming;
  }

  /**
   * Stops at once: no more claims, rows not yet sent go back to the outbox, sends in flight may
   * end until shortly before `deadlineMs` and are then cut off (and go back too: they may or may
   * not have left). Resolves within the deadline, whatever the platforms do.
   */
  async stop({ deadlineMs = 5000 }: { deadlineMs?: number } = {}): Promise<void> {
    this.stopping = true;
    const margin = Math.min(1000, deadlineMs * 0.4);
    await Promise.race([this.idle(), wait(deadlineMs - margin)]);
    this.stopSignal.abort();
    await Promise.race([this.idle(), wait(margin / 2)]);
    clearInterval(this.renewing);
    const { db, workerId, log } = this.options;
    await releaseClaims(db, workerId).catch((error: unknown) => log.warn({ err: error }, 'could not hand back claimed deliveries; they return after the lease'));
  }

  /** Sends again after a stop (a service stopped and started in one process). */
  resume(): void {
    if (!this.stopping) return;
    this.stopping = false;
    this.stopSignal = new AbortController();
  }

  private idle(): Promise<unknown> {
    return Promise.allSettled([...this.active]);
  }

  /** Keeps the lease of every claim alive while any batch is in flight. */
  private track(work: Promise<unknown>): void {
    this.active.add(work);
    if (!this.renewing) {
      this.renewing = setInterval(() => {
        renewClaims(this.options.db, this.options.workerId).catch((error: unknown) => this.options.log.warn({ err: error }, 'could not renew delivery claims'));
      }, this.leaseMs / 3);
      this.renewing.unref();
    }
    const untrack = () => {
      this.active.delete(work);
      if (this.active.size === 0) this.renewing = void clearInterval(this.renewing);
    };
    work.then(untrack, untrack);
  }

  private async send(rows: DeliveryRow[]): Promise<DispatchReport> {
    const { db, clock, workerId, log } = this.options;
    const report = emptyReport();
    const recorder = new OutcomeRecorder(db, workerId, clock);
    let recipients: Map<number, Recipient>;
    let placeAddress: Awaited<ReturnType<typeof placeAddressesOf>>;
    try {
      recipients = await recipientsOf(db, rows, clock.now());
      placeAddress = await placeAddressesOf(db, rows);
    } catch (error) {
      // Nothing was sent: the batch goes back as it was, due at once.
      await releaseClaims(db, workerId, rows.map((r) => r.id)).catch(() => undefined);
      throw error;
    }
    const batch = new RenderBatch(rows);
    const render = renderPerPerson(batch, this.options.render, this.options.shareable);
    const senders = new Set(this.options.senders.keys());
    const unlinked: DeliveryRow[] = [];
    await Promise.all(
      rows.map(async (row) => {
        let recorded = false;
        const now = clock.now();
        const recipient = recipientOf(row, recipients, placeAddress);
        await deliverRow(row, {
          now,
          clock,
          recipient,
          senders,
          ...(this.options.random ? { random: this.options.random } : {}),
          ...(this.options.emailLinks ? { emailLinks: this.options.emailLinks } : {}),
          ...(this.options.replyAddress && row.person_id !== null ? { replyAddress: () => this.options.replyAddress!({ deliveryId: row.id, personId: row.person_id! }) } : {}),
          stopping: () => this.stopping,
          paced: (channel, address) => this.paced(row, channel, address, now, report, recorder),
          render: (language) => render(row, language),
          send: (channel, address, message) =>
            sendThrough(this.options.senders, log, channel, address, message, { signal: this.stopSignal.signal, ...(this.options.sendTimeoutMs ? { timeoutMs: this.options.sendTimeoutMs } : {}) }),
          done: (changes, counted, outcome, channel) => {
            recorded = true;
            recorder.add(row, changes);
            report[counted]++;
            if (outcome === 'failed' && changes.last_error?.endsWith(PLACE_NOT_LINKED)) unlinked.push(row);
            if (outcome === 'failed') log.warn({ delivery: row.id, kind: row.kind, reason: changes.last_error }, 'delivery failed for good');
            if (outcome) this.options.onResult?.(row, outcome, channel);
          },
        }).catch((error: unknown) => {
          // A fault of this row alone (say a callback that threw): recorded against it, the batch goes on.
          if (recorded) return log.error({ err: error, delivery: row.id }, 'after recording a delivery');
          recorder.add(row, { state: 'failed', attempts: row.attempts + 1, last_error: `could not be sent: ${error instanceof Error ? error.message : String(error)}` });
          report.failed++;
        });
      }),
    );
    await recorder.flushed();
    // The bot may have learned a place while this batch ran: those failures go back (places.ts).
    if (unlinked.length) await requeueLearnedSince(db, unlinked, clock.now());
    return report;
  }

  /** True when the send may go (after a short wait); false when it was put back for later. */
  private async paced(row: DeliveryRow, channel: ChannelKind, address: string, now: Date, report: DispatchReport, recorder: OutcomeRecorder): Promise<boolean> {
    const rules = this.options.pacing?.(channel, address) ?? [];
    if (rules.length === 0) return true;
    const later = (at: Date) => (recorder.add(row, { state: 'pending', next_attempt_at: at }), report.deferred++, false);
    const joining = this.options.replicas?.joiningUntil();
    if (joining) return later(joining);
    const { waitMs, booked } = this.pacer.reserve(shareOf(rules, this.options.replicas?.count ?? 1), this.options.maxPaceWaitMs ?? 1000);
    if (!booked) return later(new Date(now.getTime() + waitMs));
    // The pacer counts on the injected clock; a clock faster than real time (a compressed
    // benchmark week) passes that wait in less real time.
    if (waitMs > 0) await (this.options.sleep ?? wait)(realMs(this.options.clock, waitMs));
    return true;
  }
}
