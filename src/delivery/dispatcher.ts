import { realMs } from '../clock.js';
import type { DeliveryRow } from '../db/tables.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { RenderBatch, recipientsOf, renderPerPerson, type Recipient } from './batch-context.js';
import { sendThrough } from './channel-send.js';
import { ClaimLocks } from './claim-locks.js';
import type { LockHolder } from './claims.js';
import { deliverRow, emptyReport, type DispatchReport } from './deliver-row.js';
import type { DispatcherOptions } from './dispatcher-options.js';
import { LANES, type Lane } from './lanes.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { Pacer, shareOf } from './pacer.js';
import { PLACE_NOT_LINKED, placeAddressesOf, recipientOf, requeueLearnedSince } from './places.js';

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
 * Drains the outbox, one lane per channel (lanes.ts): claims due rows (claim-locks.ts: advisory
 * locks on a session of its own on PostgreSQL, the in-process set on PGlite; the row is not
 * written), sends each through its channel, records each result as it is known and lets the row
 * go. A crash resends only the sends in flight at that moment, and its claims end with its
 * session, at once (docs/delivery-engine.md).
 */
export class Dispatcher {
  private readonly pacer: Pacer;
  private stopSignal = new AbortController();
  private stopping = false;
  private readonly active = new Set<Promise<unknown>>();
  readonly claims: ClaimLocks;

  constructor(private readonly options: DispatcherOptions) {
    this.pacer = new Pacer(options.clock, options.paceRecoveryMs ? { recoveryMs: options.paceRecoveryMs } : {});
    this.claims = new ClaimLocks(options.db, options.log, options.openSession);
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
    // Tracked from before the claim: a stop then waits for a claim under way and lets its rows go.
    const work = this.claimAndSend(lane);
    this.track(work);
    return work;
  }

  private async claimAndSend(lane: Lane): Promise<DispatchReport> {
    // The replica count (pacing shares) is kept fresh before each claim.
    await this.options.replicas?.refresh();
    if (this.stopping) return emptyReport();
    const { clock } = this.options;
    const batchSize = this.claimSize(lane);
    if (batchSize === 0) return emptyReport();
    const now = clock.now();
    const { rows, holder } = await this.claims.claim({ now, batchSize, lane });
    if (rows.length === 0) return emptyReport();
    // Renderers read claimed_at as the moment of sending ("za 2 godziny", a check-in never
    // before its meeting ended): the service's clock, the one due times are on. Not stored.
    return this.send(
      rows.map((r) => ({ ...r, claimed_at: now })),
      holder,
    );
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
   * Stops at once: no more claims, rows not yet sent are let go untouched, sends in flight may
   * end until shortly before `deadlineMs` and are then cut off (and let go too: they may or may
   * not have left). Then the claim session is closed: whatever it still held is free at once.
   * Resolves within the deadline, whatever the platforms do.
   */
  async stop({ deadlineMs = 5000 }: { deadlineMs?: number } = {}): Promise<void> {
    this.stopping = true;
    const margin = Math.min(1000, deadlineMs * 0.4);
    await Promise.race([this.idle(), wait(deadlineMs - margin)]);
    this.stopSignal.abort();
    await Promise.race([this.idle(), wait(margin / 2)]);
    await Promise.race([this.claims.close(), wait(margin / 4)]).catch((error: unknown) => this.options.log.warn({ err: error }, 'could not close the claim session'));
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

  private track(work: Promise<unknown>): void {
    this.active.add(work);
    const untrack = () => void this.active.delete(work);
    work.then(untrack, untrack);
  }

  private async send(rows: DeliveryRow[], holder: LockHolder | undefined): Promise<DispatchReport> {
    const { db, clock, log } = this.options;
    const report = emptyReport();
    const recorder = new OutcomeRecorder(db, clock, holder, (ids) => this.claims.release(ids, holder), (finished) => this.claims.keepUnrecorded(finished, holder));
    let recipients: Map<number, Recipient>;
    let placeAddress: Awaited<ReturnType<typeof placeAddressesOf>>;
    try {
      recipients = await recipientsOf(db, rows, clock.now());
      placeAddress = await placeAddressesOf(db, rows);
    } catch (error) {
      // Nothing was sent: the batch is let go as it was, due at once.
      await this.claims.release(rows.map((r) => r.id), holder);
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
          send: async (channel, address, message) => {
            const sentAt = clock.now().getTime();
            const result = await sendThrough(this.options.senders, log, channel, address, message, { signal: this.stopSignal.signal, ...(this.options.sendTimeoutMs ? { timeoutMs: this.options.sendTimeoutMs } : {}) });
            if (!result.ok && result.rateLimited) this.refusedForPace(channel, address, result.retryAfterMs, sentAt);
            return result;
          },
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

  /** The platform refused a send for pace (429, SMTP 421/451): what it refused is paced slower for a while (pacer.ts `refused`). */
  private refusedForPace(channel: ChannelKind | undefined, address: string | undefined, retryAfterMs: number | undefined, sentAt: number): void {
    const rules = channel && address ? (this.options.pacing?.(channel, address) ?? []) : [];
    if (rules.length === 0) return;
    this.pacer.refused(shareOf(rules, this.options.replicas?.count ?? 1), retryAfterMs, sentAt);
    this.options.log.debug({ channel, retryAfterMs, paceNow: rules.map((r) => `${r.key}: ${this.pacer.factor(r.key)}`) }, 'the platform refused a send for pace; sending slower');
  }

  /** True when the send may go (after a short wait); false when it was put back for later. */
  private async paced(row: DeliveryRow, channel: ChannelKind, address: string, now: Date, report: DispatchReport, recorder: OutcomeRecorder): Promise<boolean> {
    const rules = this.options.pacing?.(channel, address) ?? [];
    if (rules.length === 0) return true;
    const later = (at: Date) => (recorder.add(row, { state: 'pending', next_attempt_at: at }), report.deferred++, false);
    const joining = this.options.replicas?.joiningUntil();
    if (joining) return later(joining);
    const shared = shareOf(rules, this.options.replicas?.count ?? 1);
    for (let from = now; ; from = this.options.clock.now()) {
      const { waitMs, booked } = this.pacer.reserve(shared, this.options.maxPaceWaitMs ?? 1000);
      if (!booked) return later(new Date(from.getTime() + waitMs));
      if (waitMs === 0) return true;
      // The pacer counts on the injected clock; a clock faster than real time (a compressed
      // benchmark week) passes that wait in less real time.
      await (this.options.sleep ?? wait)(realMs(this.options.clock, waitMs));
      // Refused meanwhile (429, SMTP 451): this booking was at the old pace; book again at the new one.
      if (!this.pacer.refusedSince(shared, from.getTime())) return true;
    }
  }
}
