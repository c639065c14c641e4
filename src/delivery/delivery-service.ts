import type { Kysely } from 'kysely';
import schedule from 'node-schedule';
import type { Registry } from 'prom-client';
import { realMs, type Clock } from '../clock.js';
import type { DedicatedSession } from '../db/db.port.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import type { ChannelKind, ChannelSender } from '../ports/channel.port.js';
import { emailLinks } from '../preferences/preference-links.js';
import { processScheduleChanges } from '../reminders/change-notices.js';
import { reminderPlanner } from '../reminders/plan-reminders.js';
import { backfillEarliestSend } from '../reminders/earliest-backfill.js';
import { planMeetings } from '../reminders/plan-meetings.js';
import { checkinPlanner } from '../reports/checkins.js';
import { planDigests } from '../reports/digest.js';
import { applyAbsences } from '../participation/absences.js';
import { summaryPlanner } from '../participation/summary-plans.js';
import { deliveryMetrics, pacingMetrics } from './delivery-metrics.js';
import { DeliveryLoop } from './delivery-loop.js';
import { Dispatcher } from './dispatcher.js';
import { DEFAULT_EARLY_SEND_MAX_MS } from './dispatcher-options.js';
import { LiveReplicas } from './live-replicas.js';
import { DEFAULT_PACING, pacingFrom, type PacingSettings } from './platform-pacing.js';
import { deliveryRenderer, shareableRendering } from './render-delivery.js';
import { DEFAULT_REPLICA_TIMEOUT_MS } from './replica-timeouts.js';
import { FoldedRuns, OneAtATime, skippedRuns } from './one-at-a-time.js';
import { runAs } from '../precedence.js';
import type { InvitationDeps } from '../invitations/invitation-message.js';
import { planInvitations } from '../invitations/plan-invitations.js';
import { sweepOffers } from '../invitations/rsvp.js';
import { planActivityReminders, type Answered } from '../invitations/plan-activity-reminders.js';
import { readPlanningMark, type PlanningMark } from '../invitations/invitation-inputs.js';
import { fittingReplyAddress, replyAddressesFit, type ReplyRef } from '../inbound/reply-address.js';

export interface DeliveryServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  senders: ReadonlyMap<ChannelKind, ChannelSender>;
  publicUrl: string;
  /** Signs the links e-mails carry (preferences, unsubscribe, check-in forms); without it they carry none. */
  appSecret?: string;
  registry: Registry;
  workerId: string;
  /** Other processes may dispatch from the same database (PostgreSQL): pace at this replica's share. */
  sharedDatabase?: boolean;
  /** PostgreSQL: the dispatcher's own session, on which its claims are held (src/db/db.port.ts). */
  openSession?: () => Promise<DedicatedSession>;
  /**
   * A replica not heard from for this long no longer counts for pacing shares (default 30 s).
   * Replicas beat every sixth of it. (Its claims ended with its session already.)
   */
  replicaTimeoutMs?: number;
  horizonDays?: number;
  /** Invitations and RSVP: signing, iTIP, organiser. Without it no invitation is planned. */
  invitations?: InvitationDeps;
  /** How fast each platform is sent to (the *_MESSAGES_PER_SECOND and *_BURST settings); the documented defaults when absent. */
  pacing?: PacingSettings;
  /** How far ahead of their due time reminders may be sent, at most (EARLY_SEND_MAX_SECONDS in ms; default 600 s, 0: never early). */
  earlySendMaxMs?: number;
  /** MAIL_FROM: with appSecret, every e-mail to a person gets its signed reply address on this mailbox (docs/inbound-mail.md). */
  mailFrom?: string;
}

/**
 * Everything that sends, in one piece: the dispatcher woken at due times, reminder planning on
 * start and every day after, and schedule changes turned into notices as soon as they appear.
 */
export class DeliveryService {
  readonly loop: DeliveryLoop;
  private readonly replicas: LiveReplicas | undefined;
  private daily: schedule.Job | undefined;
  private fastDaily: NodeJS.Timeout | undefined;
  private stopped = false;
  private sweeper: NodeJS.Timeout | undefined;
  /** The daily re-plan and the 15-minute sweep never overlap themselves (one-at-a-time.ts). */
  private readonly dailyRun: OneAtATime;
  private readonly sweepRun: OneAtATime;
  /** changed(): the planning run going, and the one waiting to cover what was told since it began. */
  private readonly changes = new FoldedRuns(() => this.scheduleChanged());
  /** answered(): pairs whose planning has not succeeded yet, planned again with the next answer. */
  private readonly unplanned = new Map<string, Answered>();
  /** Where the last complete invitation planning started: the sweep plans only what changed since (planInvitationsNow). */
  private lastMark: PlanningMark | undefined;

  constructor(private readonly options: DeliveryServiceOptions) {
    const { db } = options;
    if (options.appSecret && options.mailFrom && !replyAddressesFit(options.mailFrom)) {
      options.log.warn({ mailFrom: options.mailFrom }, "MAIL_FROM's local part leaves no room for signed reply addresses (64 characters at most): a mail whose address would be longer goes out with MAIL_FROM as its Reply-To, and replies and bounces to it are not read");
    }
    const onResult = deliveryMetrics(db, options.clock, options.registry, () => dispatcher.claims.countClaimed());
    const onRefused = pacingMetrics(options.registry, () => dispatcher.paceNow());
    const staleMs = options.replicaTimeoutMs ?? DEFAULT_REPLICA_TIMEOUT_MS;
    this.replicas = options.sharedDatabase
      ? new LiveReplicas({ db, clock: options.clock, log: options.log, workerId: options.workerId, staleMs, refreshMs: Math.min(5000, staleMs / 6) })
      : undefined;
    const dispatcher = new Dispatcher({
      db,
      clock: options.clock,
      log: options.log,
      senders: options.senders,
      workerId: options.workerId,
      render: deliveryRenderer(db, options.publicUrl, options.appSecret, options.invitations),
      shareable: shareableRendering,
      ...(options.openSession ? { openSession: options.openSession } : {}),
      pacing: pacingFrom(options.pacing ?? DEFAULT_PACING),
      paceRecoveryMs: (options.pacing ?? DEFAULT_PACING).recoveryMs,
      earlySendMaxMs: options.earlySendMaxMs ?? DEFAULT_EARLY_SEND_MAX_MS,
      ...(this.replicas ? { replicas: this.replicas } : {}),
      ...(options.appSecret ? { emailLinks: emailLinks(db, options.publicUrl, options.appSecret, options.clock) } : {}),
      ...(options.appSecret && options.mailFrom ? { replyAddress: (ref: ReplyRef) => fittingReplyAddress(options.appSecret!, options.mailFrom!, ref) } : {}),
      onResult,
      onRefused,
    });
    // The safety re-check is also what finds a dead replica's rows (free once its session ended) while this one is idle.
    this.loop = new DeliveryLoop({ db, dispatcher, clock: options.clock, log: options.log, safetyMs: Math.min(10_000, staleMs) });
    const skipped = skippedRuns(options.registry);
    this.dailyRun = new OneAtATime('daily', options.log, skipped, 'info');
    this.sweepRun = new OneAtATime('sweep', options.log, skipped);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.replicas?.start();
    await this.backfillEarliest();
    await this.plan();
    this.armDaily();
    this.loop.start();
    // Seat offers lapse at their deadline even when nobody answers anything: look every 15 minutes.
    // Not while the daily re-plan is going either: it ends with the same sweep. Schedule changes
    // whose own planning failed are taken up here too (answers no longer run changed()).
    this.sweeper = setInterval(() => {
      if (this.dailyRun.busy) return this.sweepRun.skip('the daily re-plan is going and sweeps at its end');
      this.sweepRun.run(
        () =>
          this.planInvitations('changed')
            .then(() => runAs('background', () => processScheduleChanges(this.options.db, this.options.clock)))
            .then(() => this.loop.poke()),
        (error) => this.options.log.error({ err: error }, 'invitation planning failed'),
      );
    }, realMs(this.options.clock, 15 * 60_000));
    this.sweeper.unref();
  }

  /**
   * Something changed that may call for planning (an RSVP, a chat change), told without waiting
   * for it: scheduleChanged runs at most once at a time, and once more after it for whatever was
   * told meanwhile, which that run covers, since it starts after them. Each RSVP ran a whole
   * invitation planning of its own, side by side: in the national week's conferences (1,700
   * answers) that took some 110 statements per answer and held sending for 70 simulated hours.
   */
  changed(): Promise<void> {
    return this.changes.ask();
  }

  /**
   * A person answered an invitation (a chat button, its link, a mail): that answer's reminders are planned for
   * that person alone (planActivityReminders' `only`), and the dispatcher is woken for a seat
   * offer the answer may have queued. Not a whole planning (changed()): in the national week's
   * conferences (7,700 answers) whole plannings ran back to back for two simulated days and
   * kept PostgreSQL's core busy, and nothing else an answer changes needs planning: declines,
   * "maybe" and the waiting list drop what no longer fits when it is due, and seat offers are
   * queued with the answer (rsvp.ts). Whatever this misses, the 15-minute sweep plans.
   */
  async answered(answer: Answered): Promise<void> {
    return runAs('background', async () => {
      let failure: unknown;
      if (this.options.invitations) {
        // This pair first, then those whose planning failed (the database away for a moment): a
        // whole planning per answer used to cover them, and the sweep may come after a reminder's
        // time. Each on its own: one that keeps failing holds up no other.
        const key = (pair: Answered) => `${pair.activityId}:${pair.personId}`;
        for (const pair of [answer, ...[...this.unplanned.values()].filter((p) => key(p) !== key(answer))]) {
          try {
            await planActivityReminders(this.options.db, this.options.clock, pair);
            this.unplanned.delete(key(pair));
          } catch (error) {
            this.unplanned.set(key(pair), pair);
            failure ??= error;
          }
        }
      }
      // Woken even so: a seat offer the answer queued waits for no planning. Only the lanes with
      // a row due sooner than they wait for (DeliveryLoop.queued), not a drain of every lane.
      void this.loop.queued();
      if (failure) throw failure;
    });
  }

  /** The schedule changed (import, chat command): notices out, reminders re-planned, dispatcher woken. */
  async scheduleChanged(): Promise<void> {
    // Started, not awaited, by the request that made the change (src/main.ts): without a mark of
    // its own it would run as that request's interactive work, ahead of the dispatcher.
    return runAs('background', async () => {
      await processScheduleChanges(this.options.db, this.options.clock);
      await this.planInvitations();
      this.loop.poke();
    });
  }

  /**
   * Reminders planned before migration 0031 get the early window their planning now writes
   * (reminders/earliest-backfill.ts). A failure is logged, not fatal: those rows are only never
   * sent early, and the next start takes up where this one stopped.
   */
  private async backfillEarliest(): Promise<void> {
    const { db, log } = this.options;
    try {
      const filled = await runAs('background', () => backfillEarliestSend(db));
      if (filled > 0) log.info({ filled }, 'Pending reminders given the instant they may leave ahead of a lump (earliest_at)');
    } catch (error) {
      log.error({ err: error }, 'giving pending reminders their earliest_at failed; the next start goes on from there');
    }
  }

  /** Everything planned over the horizon: what start-up and the daily job run (public for the `busy` benchmark). */
  async plan(): Promise<void> {
    // Background work: requests and the dispatcher go first (src/precedence.ts).
    return runAs('background', () => this.planAll());
  }

  private async planAll(): Promise<void> {
    const { db, clock, log } = this.options;
    await processScheduleChanges(db, clock);
    const horizon = { clock, ...(this.options.horizonDays ? { horizonDays: this.options.horizonDays } : {}) };
    // One pass over the teams for the three kinds planned per meeting (reminders/plan-meetings.ts).
    const [added, checkins, summaries] = await planMeetings(db, [reminderPlanner(db, horizon), checkinPlanner(db, horizon), summaryPlanner(db, horizon)]);
    log.info({ added }, 'Reminders planned over the horizon');
    const digests = await planDigests(db, clock);
    // Meetings that came within reach since (or appeared) in someone's absence are answered for them.
    const absences = await applyAbsences(db, clock);
    log.info({ checkins, digests, summaries, absences }, 'Check-ins, RCPS digests, attendance summaries and absences planned');
    await this.planInvitations();
  }

  /**
   * Extends the horizon once a day, at an absolute instant (never a zoned cron rule). The next
   * day is armed before this one plans: a failed day (the database away for a moment) must not
   * end all planning until a restart, or digests would stop three weeks later.
   */
  private armDaily(): void {
    if (this.stopped) return;
    const { clock, log } = this.options;
    const day = () => {
      this.armDaily();
      this.dailyRun.run(
        () => this.plan().then(() => this.loop.poke()),
        (error) => log.error({ err: error }, 'daily planning failed; trying again tomorrow'),
      );
    };
    // A clock faster than real time (a compressed benchmark week) has its day in a real timer.
    if (clock.rate !== undefined && clock.rate !== 1) {
      this.fastDaily = setTimeout(day, realMs(clock, 24 * 3600_000));
      this.fastDaily.unref();
      return;
    }
    this.daily = schedule.scheduleJob(new Date(clock.now().getTime() + 24 * 3600_000), day) ?? undefined;
  }

  /** New and changed activities → invitations, updates, cancellations; lapsed seat offers move on (`changed`: the sweep's look at what changed, planInvitationsNow). */
  async planInvitations(scope: 'all' | 'changed' = 'all'): Promise<void> {
    return runAs('background', () => this.planInvitationsNow(scope));
  }

  /**
   * `changed`: the 15-minute sweep. When nothing invitations are planned from changed since the
   * last complete planning (its PlanningMark's version), it does not look again for people to
   * invite, updates to send or deadline reminders to plan, and plans activity reminders only for
   * answers written since; offers lapse at every run. At a national conference the full look
   * re-read a 30,000-membership audience and every accepted person every 15 minutes to find
   * nothing: a third of PostgreSQL's work in the national week (docs/benchmarks.md). Start-up,
   * schedule changes and the daily re-plan look at everything.
   */
  private async planInvitationsNow(scope: 'all' | 'changed' = 'all'): Promise<void> {
    if (!this.options.invitations) return;
    const { db, clock, log } = this.options;
    // Pairs answered before this run whose own planning failed: this one plans them (their
    // answers were written before the mark is read below, so even a run that looks only at
    // answers since the last complete one covers them: that one, or this, read them).
    const covered = [...this.unplanned.keys()];
    // Read before anything is planned: whatever commits after it raises the version or is
    // written by a transaction the next run looks at.
    const mark = await readPlanningMark(db);
    // The same server start too: after a crash, a failover or a restore, xids may be handed out again (PlanningMark.started).
    const since = scope === 'changed' && this.lastMark?.version === mark.version && this.lastMark.started === mark.started ? this.lastMark : undefined;
    const planned = since ? { invited: 0, updated: 0 } : await planInvitations(db, clock);
    const moved = await sweepOffers(db, clock);
    await planActivityReminders(db, clock, since ? { answeredSince: since.xmin } : undefined);
    for (const key of covered) this.unplanned.delete(key);
    this.lastMark = mark;
    if (planned.invited + planned.updated + moved > 0) log.info({ ...planned, offersMoved: moved }, 'Invitations planned');
  }

  /** Stops sending within `deadlineMs` (default 5 s; see DeliveryLoop.stop). */
  async stop(options: { deadlineMs?: number } = {}): Promise<void> {
    this.stopped = true;
    this.daily?.cancel();
    clearTimeout(this.fastDaily);
    if (this.sweeper) clearInterval(this.sweeper);
    await this.loop.stop(options);
    await this.replicas?.stop();
  }
}
