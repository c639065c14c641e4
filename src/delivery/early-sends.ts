import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { Lane } from './lanes.js';
import { firstEarlyAt, laneLoad, leadMs, type LeadTerms } from './lead.js';

/** The lead is sized again at most this often per lane (and at every wake-up). */
const RESIZE_MS = 1000;

/**
 * Sending ahead of a lump of reminders (docs/delivery-engine.md): per lane, the lead its claims
 * may reach ahead of now for rows that may go early, and when the loop should wake for them.
 * A lead statement that fails costs only the lead: the lane claims what is due, as without it.
 */
export class EarlySends {
  private readonly leads = new Map<Lane, { at: number; until: number }>();

  constructor(
    private readonly options: {
      db: Kysely<Database>;
      clock: Clock;
      log: Logger;
      /** EARLY_SEND_MAX_SECONDS in ms; 0: nothing goes early. */
      maxMs: number;
      /** One claim's cycle: the longest pace wait. */
      cycleMs: number;
      /** The lane's deployment-wide rate now (messages a second; 0: no lead). */
      perSecond: (lane: Lane) => number;
    },
  ) {}

  private terms(lane: Lane): LeadTerms {
    return { perSecond: this.options.perSecond(lane), maxMs: this.options.maxMs, cycleMs: this.options.cycleMs };
  }

  /** Whether `lane` may send early at all (`none` never does: its rows fail at once). */
  private applies(lane: Lane): boolean {
    return this.options.maxMs > 0 && lane !== 'none';
  }

  /**
   * The lead (ms) for a claim of `lane` now: sized again when `fresh` (a wake-up) or once its last
   * sizing is a second old; meanwhile the same horizon (`now + L` of that sizing) holds.
   */
  async leadMs(lane: Lane, fresh: boolean): Promise<number> {
    if (!this.applies(lane)) return 0;
    const now = this.options.clock.now().getTime();
    const last = this.leads.get(lane);
    if (!fresh && last && now >= last.at && now - last.at < RESIZE_MS) return Math.max(0, last.until - now);
    let lead = 0;
    try {
      const terms = this.terms(lane);
      const held = last && last.until > now ? last.until : now;
      if (terms.perSecond > 0) lead = leadMs(await laneLoad(this.options.db, lane, new Date(now), this.options.maxMs), now, terms, held);
    } catch (error) {
      this.options.log.warn({ err: error, lane }, 'could not size the lead for sending reminders early; claiming only what is due');
      // This claim takes only what is due; the horizon a lump already reached is kept for the next
      // sizing (which comes at the next claim: the kept sizing is not refreshed).
      return 0;
    }
    this.leads.set(lane, { at: now, until: now + lead });
    return lead;
  }

  /**
   * Whether `wakeAt(lane, next)`, asked now, reads the lane's load: `next` within twice the cap.
   * Such a wake-up may come earlier with rows queued since at or after `next` (a lump grown by
   * answers starts its lead sooner), so the loop wakes the lane for those (DeliveryLoop.queued);
   * further out it wakes at `next − max`, before which no row due at or after `next` may go.
   */
  readsLoad(lane: Lane, next: Date): boolean {
    const ahead = next.getTime() - this.options.clock.now().getTime();
    return this.applies(lane) && ahead > 0 && ahead <= 2 * this.options.maxMs;
  }

  /**
   * When the loop should wake `lane` whose next row not claimed now is due at `next`: at `next`,
   * or earlier when a lead first lets a row go before its due time. Rows further ahead than
   * twice the cap are not read; none of them can start before `now + max`, so the lane looks
   * again then at the latest (at `next − max` when nothing is nearer).
   */
  async wakeAt(lane: Lane, next: Date): Promise<Date> {
    const now = this.options.clock.now().getTime();
    if (!this.applies(lane) || next.getTime() <= now) return next;
    const { maxMs } = this.options;
    const look = Math.max(next.getTime() - maxMs, now + maxMs);
    if (next.getTime() - now > 2 * maxMs) return new Date(look);
    let first: number | undefined;
    try {
      const terms = this.terms(lane);
      if (terms.perSecond > 0) first = firstEarlyAt(await laneLoad(this.options.db, lane, new Date(now), 2 * maxMs), now, terms);
    } catch (error) {
      this.options.log.warn({ err: error, lane }, 'could not tell when to send reminders early; waking at the next due time');
      return next;
    }
    // Rounded up: the lead's start is a fraction of a millisecond (rows ÷ rate), and a Date drops
    // the fraction; woken a fraction before it, the lane's lead is still 0, its drain claims
    // nothing and the loop backs off (0.1 s) before the lump starts.
    return new Date(Math.ceil(Math.min(next.getTime(), look, first ?? Number.POSITIVE_INFINITY)));
  }
}
