import { setMaxListeners } from 'node:events';
import { realMs } from '../clock.js';
import type { DeliveryRow } from '../db/tables.js';
import type { ChannelKind, SendResult } from '../ports/channel.port.js';
import { namedWaitMs } from './backoff.js';
import { RenderBatch, recipientsOf, renderPerPerson, type Recipient } from './batch-context.js';
import { sendThrough } from './channel-send.js';
import { ClaimLocks } from './claim-locks.js';
import type { Changes, LockHolder } from './claims.js';
import { deliverRow, emptyReport, type DispatchReport } from './deliver-row.js';
import type { DispatcherOptions } from './dispatcher-options.js';
import { EarlySends } from './early-sends.js';
import { LANES, type Lane } from './lanes.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { Pacer, shareOf, type PaceRule } from './pacer.js';
import { Slots } from './slots.js';
import { Throughput } from './throughput.js';
import { Turns } from './turns.js';
import { PLACE_NOT_LINKED, placeAddressesOf, recipientOf, requeueLearnedSince } from './places.js';

export type { DispatchReport } from './deliver-row.js';
export type { DispatcherOptions } from './dispatcher-options.js';

const sum = (reports: DispatchReport[]) => {
  const total = emptyReport();
  for (const r of reports) for (const k of Object.keys(total) as (keyof DispatchReport)[]) total[k] += r[k];
  return total;
};
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
  private stopSignal = haltingController();
  private stopping = false;
  /** Aborted when a stop begins: pace waits end at once (their rows are then let go untried). */
  private halting = haltingController();
  private readonly active = new Set<Promise<unknown>>();
  /** Per sender with a `concurrency`: its sends under way (pacedSend). */
  private readonly slots = new Map<ChannelKind, Slots>();
  readonly claims: ClaimLocks;
  /** How far ahead each lane may claim rows that may go early, and when to wake for them. */
  readonly early: EarlySends;
  /** Per lane, messages recorded a second while its claims came back full (the lead's rate where the machine binds). */
  private readonly throughput = new Map<Lane, Throughput>(LANES.map((lane) => [lane, new Throughput()]));

  constructor(private readonly options: DispatcherOptions) {
    this.pacer = new Pacer(options.clock, options.paceRecoveryMs ? { recoveryMs: options.paceRecoveryMs } : {});
    this.claims = new ClaimLocks(options.db, options.log, options.openSession);
    // The heartbeat records this claim session's pid: the row stops counting when the session ends.
    options.replicas?.followSession(() => this.claims.sessionPid());
    this.early = new EarlySends({
      db: options.db,
      clock: options.clock,
      log: options.log,
      maxMs: options.earlySendMaxMs ?? 0,
      cycleMs: paceHorizonMs(options),
      perSecond: (lane) => this.lanePerSecond(lane),
    });
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

  /**
   * Runs one lane until a claim finds nothing. A paced lane claims its next batch while the
   * current one's paced tail still waits for its turn (a prefetch), so the platform's bucket
   * never idles between batches (docs/delivery-engine.md, "Lanes"). Bounded: the next batch is
   * claimed only once every row of the current one has booked its turn with the pacer (so the
   * queue's order is kept), the batch before it has ended (at most two batches under way), and
   * the pacer has room for half a batch within the longest pace wait (so no prefetched row is
   * put back for pacing). Rows of a prefetched batch are claimed like any: at a stop they are let
   * go untried, at a crash their locks end with the session.
   */
  async drainLane(lane: Lane): Promise<DispatchReport> {
    const started: Promise<DispatchReport>[] = [];
    let before: Promise<unknown> = Promise.resolve();
    // The first claim of a drain is a wake-up: its lead is sized afresh.
    for (let fresh = true; ; fresh = false) {
      const current = this.start(lane, fresh);
      started.push(current.done);
      const claimed = await current.booked;
      const failed = await before.then(() => false, () => true);
      if (claimed === 0 || failed || this.stopping) break;
      before = current.done;
      // An unpaced lane has no bucket to keep busy: its next claim waits for this batch, as always.
      if (!this.paced(lane)) await current.done.catch(() => undefined);
      else await this.roomForNext(lane, current.done);
    }
    const settled = await Promise.allSettled(started);
    const error = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (error) throw error.reason;
    return sum(settled.map((r) => (r as PromiseFulfilledResult<DispatchReport>).value));
  }

  /** One claimed batch of one lane, sent and recorded. */
  batch(lane: Lane): Promise<DispatchReport> {
    return this.start(lane, true).done;
  }

  /** A batch begun: `booked` resolves with its number of rows once each has its turn with the pacer (or has ended), `done` once all are recorded. */
  private start(lane: Lane, fresh: boolean): { booked: Promise<number>; done: Promise<DispatchReport> } {
    const turns = new Turns();
    if (this.stopping) return (turns.claimed(0), { booked: turns.all, done: Promise.resolve(emptyReport()) });
    // Tracked from before the claim: a stop then waits for a claim under way and lets its rows go.
    const done = this.claimAndSend(lane, turns, fresh);
    this.track(done);
    // A batch that failed before its rows had their turns claims nothing more: the lane stops there.
    done.then(
      () => turns.ended(),
      () => turns.ended(0),
    );
    return { booked: turns.all, done };
  }

  private async claimAndSend(lane: Lane, turns: Turns, fresh: boolean): Promise<DispatchReport> {
    // The replica count (pacing shares) is kept fresh before each claim.
    await this.options.replicas?.refresh();
    if (this.stopping) return emptyReport();
    const { clock } = this.options;
    const batchSize = this.claimSize(lane);
    if (batchSize === 0) return emptyReport();
    const leadMs = await this.early.leadMs(lane, fresh);
    // Sizing the lead is a statement: a stop begun meanwhile claims nothing (it may already have
    // closed the claim session, and a claim now would open another that nothing closes).
    if (this.stopping) return emptyReport();
    const now = clock.now();
    const { rows, holder } = await this.claims.claim({ now, batchSize, lane, leadMs });
    this.throughput.get(lane)!.claimed(rows.length, batchSize, now.getTime());
    turns.claimed(rows.length);
    if (rows.length === 0) return emptyReport();
    // Renderers read claimed_at as the moment of sending ("za 2 godziny", a check-in never
    // before its meeting ended): the service's clock, the one due times are on. Not stored.
    return this.send(
      rows.map((r) => ({ ...r, claimed_at: now })),
      holder,
      turns,
      this.throughput.get(lane)!,
    );
  }

  /** The lane's platform-wide rules at this replica's share (none: the lane is not paced). */
  private laneRules(lane: Lane): PaceRule[] {
    if (lane === 'none' || !this.options.pacing) return [];
    return shareOf(this.options.pacing(lane, '').filter((rule) => rule.key === lane), this.options.replicas?.count ?? 1);
  }

  private paced(lane: Lane): boolean {
    return this.laneRules(lane).length > 0;
  }

  /**
   * The rate (messages a second) the whole deployment sends the lane at, which the lead is sized
   * on: N live replicas × the lower of this replica's pace now (its share, as lowered by
   * refusals; 0 while a Retry-After holds it) and its measured throughput when its claims came
   * back full. The pace binds on a real week, the machine in a compressed one. An unpaced lane
   * has only the measurement (none yet: no lead); `none` never sends early.
   */
  private lanePerSecond(lane: Lane): number {
    if (lane === 'none') return 0;
    const rules = this.laneRules(lane);
    const pace = rules.length > 0 ? Math.min(...rules.map((rule) => this.pacer.paceNow(rule))) : Number.POSITIVE_INFINITY;
    const measured = this.throughput.get(lane)!.perSecond(this.options.clock.now().getTime()) ?? Number.POSITIVE_INFINITY;
    const rate = Math.min(pace, measured);
    return Number.isFinite(rate) ? rate * (this.options.replicas?.count ?? 1) : 0;
  }

  /**
   * Waits until the lane's pacer has room for half a batch within the longest pace wait, or the
   * current batch has ended, or the dispatcher stops: then the next batch may be claimed.
   */
  private async roomForNext(lane: Lane, current: Promise<unknown>): Promise<void> {
    const horizon = paceHorizonMs(this.options);
    const most = this.options.batchSize ?? 100;
    const rules = this.laneRules(lane);
    const want = Math.max(1, Math.ceil(Math.min(most, ...rules.map((r) => r.burst + (horizon / 1000) * r.perSecond)) / 2));
    const ms = Math.max(0, ...rules.map((rule) => this.pacer.msUntilRoom(rule, horizon, want)));
    if (ms === 0) return;
    const ended = current.then(
      () => undefined,
      () => undefined,
    );
    await Promise.race([this.pause(ms), ended]);
  }

  /**
   * Waits `ms` on the injected clock, or until a stop begins. (A listener removed again, not a
   * race with a promise that lives as long as the dispatcher: that would keep a callback per send.)
   */
  private pause(ms: number): Promise<void> {
    const signal = this.halting.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const over = () => (signal.removeEventListener('abort', over), resolve());
      signal.addEventListener('abort', over);
      // The pacer counts on the injected clock; a clock faster than real time (a compressed
      // benchmark week) passes that wait in less real time.
      (this.options.sleep ?? wait)(realMs(this.options.clock, ms)).then(over, over);
    });
  }

  /**
   * A batch no bigger than the lane's platform lets this replica send within the longest pace
   * wait (at least one row): claiming more would only put the rest back with a later due time,
   * a write each, and behind rows queued after them (a restarted service sent a dead process's
   * rows 48 s late that way, behind everything else due). None while this replica is joining
   * (it sends nothing paced until the others have counted it), nor while the platform holds the
   * lane for a Retry-After longer than the longest pace wait (up to an hour): each row claimed
   * then would only be put back, so a drain would claim and rewrite every due row of the lane
   * one by one. The loop looks again shortly (delivery-loop.ts, at most every 5 s).
   */
  private claimSize(lane: Lane): number {
    const most = this.options.batchSize ?? 100;
    if (lane === 'none' || !this.options.pacing) return most;
    const rules = this.options.pacing(lane, '');
    if (rules.length > 0 && this.options.replicas?.joiningUntil()) return 0;
    const horizon = paceHorizonMs(this.options);
    if (this.laneRules(lane).some((rule) => this.pacer.heldMs(rule) > horizon)) return 0;
    const room = Math.min(most, ...this.laneRules(lane).map((rule) => this.pacer.room(rule, horizon)));
    return Math.max(1, room);
  }

  /**
   * Messages a second each platform's pacer allows this replica now (its share of the setting,
   * as lowered by refusals; 0 while a Retry-After holds it): the pace gauge on /metrics.
   */
  paceNow(): Map<Lane, number> {
    const pace = new Map<Lane, number>();
    for (const lane of LANES) {
      const rules = this.laneRules(lane);
      if (rules.length > 0) pace.set(lane, Math.min(...rules.map((rule) => this.pacer.paceNow(rule))));
    }
    return pace;
  }

  /**
   * Stops at once: no more claims, rows not yet sent are let go untouched, sends in flight may
   * end until shortly before `deadlineMs` and are then cut off (and let go too: they may or may
   * not have left). Then the claim session is closed: whatever it still held is free at once.
   * Resolves within the deadline, whatever the platforms do.
   */
  async stop({ deadlineMs = 5000 }: { deadlineMs?: number } = {}): Promise<void> {
    this.stopping = true;
    // Rows waiting for their pace turn (a prefetched batch's above all) are let go now, not after their wait.
    this.halting.abort();
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
    this.stopSignal = haltingController();
    this.halting = haltingController();
  }

  private idle(): Promise<unknown> {
    return Promise.allSettled([...this.active]);
  }

  private track(work: Promise<unknown>): void {
    this.active.add(work);
    const untrack = () => void this.active.delete(work);
    work.then(untrack, untrack);
  }

  private async send(rows: DeliveryRow[], holder: LockHolder | undefined, turns: Turns, throughput: Throughput): Promise<DispatchReport> {
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
        // The sender's slot this row holds from its pace turn until its send is over (pacedSend).
        const slot = { release: () => undefined as void };
        // This row has its turn: booked with the pacer, put back, sending, or done (whichever comes first).
        const turn = turns.once();
        const now = clock.now();
        const recipient = recipientOf(row, recipients, placeAddress);
        await deliverRow(row, {
          now,
          clock,
          recipient,
          senders,
          ...(this.options.random ? { random: this.options.random } : {}),
          ...(this.options.emailLinks ? { emailLinks: (personId: number, kind: string) => this.options.emailLinks!(personId, kind, batch) } : {}),
          ...(this.options.replyAddress && row.person_id !== null ? { replyAddress: () => this.options.replyAddress!({ deliveryId: row.id, personId: row.person_id! }) } : {}),
          stopping: () => this.stopping,
          paced: (channel, address) => this.pacedSend(row, channel, address, now, report, recorder, turn, slot),
          render: (language) => render(row, language),
          send: async (channel, address, message) => {
            turn();
            const sentAt = clock.now().getTime();
            const result = await sendThrough(this.options.senders, log, channel, address, message, { signal: this.stopSignal.signal, ...(this.options.sendTimeoutMs ? { timeoutMs: this.options.sendTimeoutMs } : {}) }).finally(() => slot.release());
            if (!result.ok) this.refused(channel, address, result, sentAt);
            return result;
          },
          done: (changes, counted, outcome, channel) => {
            turn();
            slot.release();
            recorded = true;
            throughput.done(clock.now().getTime());
            recorder.add(row, changes);
            report[counted]++;
            if (outcome === 'failed' && changes.last_error?.endsWith(PLACE_NOT_LINKED)) unlinked.push(row);
            if (outcome === 'failed') log.warn({ delivery: row.id, kind: row.kind, reason: changes.last_error }, 'delivery failed for good');
            if (outcome) this.options.onResult?.(row, outcome, channel);
          },
        }).catch((error: unknown) => {
          turn();
          slot.release();
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

  /**
   * A send refused. For pace (429, SMTP 421/451): slower for a while (refusedForPace). For any
   * other reason with a named wait (a 503 with Retry-After): the platform said "not before
   * then", so its pacer keys are held that long (pacer.ts `hold`, capped as backoff.ts
   * namedWaitMs caps the row's own retry), at the same pace. Otherwise each refused row would
   * wait its Retry-After while the lane went on sending the platform's other rows. A wait the
   * platform names for one address (Teams' 412, SendResult `addressOnly`) holds that address's
   * key only, and a message failed for good holds nothing: its wait was not for the others.
   */
  private refused(channel: ChannelKind | undefined, address: string | undefined, result: Extract<SendResult, { ok: false }>, sentAt: number): void {
    if (result.rateLimited) {
      if (channel) this.options.onRefused?.(channel, result.refusal ?? 'unknown');
      return this.refusedForPace(channel, address, result.retryAfterMs, sentAt);
    }
    const waitMs = namedWaitMs(result);
    if (waitMs === undefined || result.permanent || !channel || !address) return;
    const rules = this.sendRules(channel, address);
    if (rules.length === 0) return;
    this.pacer.hold(result.addressOnly ? rules.slice(-1) : rules, waitMs);
    this.options.log.debug({ channel, retryAfterMs: waitMs, reason: result.reason }, 'the platform named a wait; holding its sends until then');
  }

  /** The platform refused a send for pace (429, SMTP 421/451): what it refused is paced slower for a while (pacer.ts `refused`). */
  private refusedForPace(channel: ChannelKind | undefined, address: string | undefined, retryAfterMs: number | undefined, sentAt: number): void {
    const rules = channel && address ? this.sendRules(channel, address) : [];
    if (rules.length === 0) return;
    this.pacer.refused(rules, retryAfterMs, sentAt);
    this.options.log.debug({ channel, retryAfterMs, paceNow: rules.map((r) => `${r.key}: ${this.pacer.factor(r.key)}`) }, 'the platform refused a send for pace; sending slower');
  }

  /** A send's pace rules (widest first) at this replica's share of each limit; none: not paced. */
  private sendRules(channel: ChannelKind, address: string): PaceRule[] {
    return shareOf(this.options.pacing?.(channel, address) ?? [], this.options.replicas?.count ?? 1);
  }

  /** True when the send may go (after a short wait); false when it was put back for later. */
  private async pacedSend(row: DeliveryRow, channel: ChannelKind, address: string, now: Date, report: DispatchReport, recorder: OutcomeRecorder, turn: () => void, slot: { release: () => void }): Promise<boolean> {
    if (this.sendRules(channel, address).length === 0) return true;
    // A sender that sends only so many at once (e-mail's connections): the turn is booked once
    // one of them is free, so the send leaves when booked. Booked first, it would queue inside
    // the sender whenever the sender fell behind (a cold start, a busy CPU) and the queue would
    // then leave in one burst, faster than the pace: the relay refused it (451), and the pace
    // halved (issue 17, e-mail at 64% of the relay's rate). Waiting here in the batch's order
    // counts as the row's turn: the order is kept, and the next batch may be claimed.
    const concurrency = this.options.senders.get(channel)?.concurrency;
    if (concurrency !== undefined) {
      let slots = this.slots.get(channel);
      if (!slots) this.slots.set(channel, (slots = new Slots(concurrency)));
      turn();
      slot.release = await slots.take();
      if (this.stopping) return true;
      now = this.options.clock.now();
    }
    const later = (at: Date) => (slot.release(), recorder.add(row, putBack(row, at)), report.deferred++, false);
    const joining = this.options.replicas?.joiningUntil();
    if (joining) return later(joining);
    // Read again here: the replica count may have changed while the send waited for a connection.
    const shared = this.sendRules(channel, address);
    for (let from = now; ; from = this.options.clock.now()) {
      // Not `from`: a refusal in the booking's own millisecond comes after it all the same (pacer.ts `mark`).
      const mark = this.pacer.mark();
      const { waitMs, booked } = this.pacer.reserve(shared, paceHorizonMs(this.options));
      turn();
      if (!booked) return later(new Date(from.getTime() + waitMs));
      if (waitMs === 0) return true;
      // A stop ends the wait: the row is then let go untried.
      await this.pause(waitMs);
      if (this.stopping) return true;
      // Refused meanwhile (429, SMTP 451): this booking was at the old pace; book again at the new one.
      if (!this.pacer.refusedSince(shared, mark)) return true;
    }
  }
}

/**
 * What a row put back by pacing (booking failed: a hold, the pace, a joining replica) gets, to
 * be claimed again at `at`. A row due is due at `at`. A row claimed early (`at` before its
 * `next_attempt_at`) keeps its due time, so it keeps its place in the queue and is not made due
 * before the rows due ahead of it; its `earliest_at` moves to `at` instead, so no claim takes it
 * early again before then. Before, it stayed in its early window and was claimed and put back at
 * every claim of its lane until a channel's hold was over (a claim and a write each turn,
 * test/delivery/early-held-channel.hostile.test.ts). `earliest_at` only ever moves later: still
 * never sent before it, and no attempt is counted.
 */
function putBack(row: DeliveryRow, at: Date): Changes {
  if (at >= row.next_attempt_at) return { state: 'pending', next_attempt_at: at };
  if (row.earliest_at === null) return { state: 'pending', next_attempt_at: row.next_attempt_at };
  return { state: 'pending', next_attempt_at: row.next_attempt_at, earliest_at: at > row.earliest_at ? at : row.earliest_at };
}

/** Real milliseconds a paced send may always wait for its turn, however fast the clock runs. */
const PACE_WAIT_REAL_FLOOR_MS = 100;

/**
 * How long (clock ms) a paced send waits for its turn in its batch, at most: MAX_PACE_WAIT (1 s)
 * on a real clock. On a clock running faster than real time (a compressed benchmark week,
 * Clock.rate) at least what 100 real ms are on it: a second of a clock 1,008× fast is one real
 * millisecond, less than a claim takes, so a claim sized on it (the pace's room within that
 * wait: 40 e-mails) left the platform idle between claims and each row beyond it was put back
 * and claimed again; the compressed national week sent its lumps at 85 a second where the
 * machine sends 900 (docs/benchmarks.md, eighth session). On a real clock nothing changes.
 */
function paceHorizonMs(options: Pick<DispatcherOptions, 'maxPaceWaitMs' | 'clock'>): number {
  return Math.max(options.maxPaceWaitMs ?? 1000, (options.clock.rate ?? 1) * PACE_WAIT_REAL_FLOOR_MS);
}

/**
 * The signals every pace wait and every send under way listen to for a stop: one listener per
 * paced send (or send, src/delivery/channel-send.ts), two batches of them in flight, so Node's
 * default of ten would warn of a leak that is none (each is removed when its wait or send ends).
 */
function haltingController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
