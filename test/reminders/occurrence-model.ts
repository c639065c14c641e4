import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { Bot } from '../../src/bot/bot.js';
import type { FixedClock } from '../../src/clock.js';
import type { Database, DeliveryRow } from '../../src/db/tables.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { nextDueAt } from '../../src/delivery/outbox.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { parseDuration } from '../../src/domain/local-time.js';
import { occurrenceOn, takesPlace } from '../../src/domain/occurrences.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { createLogger } from '../../src/log.js';
import { changePreferences } from '../../src/preferences/change-preferences.js';
import { loadPreferences } from '../../src/preferences/preferences.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { outsideQuietHours } from '../../src/reminders/quiet-hours.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { importYaml } from '../support/schedule-builder.js';

export const OFFSETS = ['P7D', 'P1D', 'PT2H'];
export const HORIZON_DAYS = 60;
const log = createLogger('silent');

export type Op =
  | { t: 'step'; hours: number }
  | { t: 'move'; occ: number; days: number; hour: number }
  | { t: 'cancel'; occ: number }
  | { t: 'quiet'; person: number; from: number; to: number }
  | { t: 'team' };

/** One send the dispatcher made, with what the schedule said at that moment. */
export interface Sent {
  at: Date;
  personId: number;
  type: string;
  date: string;
  offset?: string;
  stage?: string;
  /** The occurrence at the moment of sending. */
  start: number;
  end: number;
  takesPlace: boolean;
  /** The person's quiet hours allowed the send at that moment (or holding it would pass the start). */
  quietOk: boolean;
}

/**
 * One team and two members driven through the real service paths: chat moves and cancels (the
 * bot), re-imports (a team change), quiet-hours changes, the daily planning, and a dispatcher
 * woken at each due instant as the delivery loop does.
 */
export class OccurrenceWorld {
  readonly sent: Sent[] = [];
  /** When each occurrence (by rule date) last got its current time; T0 for untouched ones. */
  readonly changedAt = new Map<string, number>();
  readonly people: number[] = [];
  private nextDaily: number;
  private location = 1;
  private readonly dispatcher: Dispatcher;
  private readonly bot: Bot;
  private readonly recorded: { row: DeliveryRow; at: Date }[] = [];

  constructor(
    readonly db: Kysely<Database>,
    readonly clock: FixedClock,
    readonly team: string,
    readonly ruleDates: string[],
  ) {
    this.nextDaily = clock.now().getTime() + 24 * 3600_000;
    this.bot = new Bot({ db, clock, publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log });
    this.dispatcher = new Dispatcher({
      db,
      clock,
      log,
      workerId: 'model',
      senders: new Map([['email', { kind: 'email', send: async () => ({ ok: true }) }]]),
      render: deliveryRenderer(db, 'https://koop.example.org', 'k'.repeat(40)),
      onResult: (row, outcome) => void (outcome === 'sent' && this.recorded.push({ row, at: clock.now() })),
    });
  }

  private get email() {
    return `ewa.${this.team}@example.org`;
  }

  private yaml(exceptions: { occurrence_date: string; cancelled: boolean; moved_to_local: string | null }[]): string {
    const except = exceptions.map((e) => (e.cancelled ? `        - { date: ${e.occurrence_date}, cancelled: true }` : `        - { date: ${e.occurrence_date}, moved_to: "${e.moved_to_local}" }`));
    return `
teams:
  - id: ${this.team}
    name: PZK ${this.team}
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=TU,TH
      starts: ${this.ruleDates[0]}T08:00
      duration: PT2H
      location: Sala ${this.location}
      reminders: [${OFFSETS.join(', ')}]
${except.length ? `      except:\n${except.join('\n')}\n` : ''}    members:
      - { name: Ewa Koordynator, email: ${this.email}, role: coordinator }
      - { name: Jan Członek, email: jan.${this.team}@example.org }
`;
  }

  async start(): Promise<void> {
    await importYaml(this.db, this.clock, { [`${this.team}.yaml`]: this.yaml([]) });
    const rows = await this.db.selectFrom('memberships').select('person_id').where('team_id', '=', this.team).orderBy('person_id').execute();
    this.people.push(...rows.map((r) => r.person_id));
    for (const date of this.ruleDates) this.changedAt.set(date, this.clock.now().getTime());
    await this.daily();
  }

  private async daily(): Promise<void> {
    await processScheduleChanges(this.db, this.clock);
    await planReminders(this.db, { clock: this.clock, horizonDays: HORIZON_DAYS });
    await planCheckins(this.db, { clock: this.clock, horizonDays: HORIZON_DAYS });
  }

  async apply(op: Op): Promise<void> {
    const now = this.clock.now();
    if (op.t === 'step') return this.advanceTo(new Date(now.getTime() + op.hours * 3600_000));
    if (op.t === 'quiet') {
      const person = this.people[op.person]!;
      const current = await loadPreferences(this.db, person);
      await changePreferences(this.db, person, current, { ...current, quiet: { from: op.from, to: op.to } }, this.clock);
      return this.drain();
    }
    const before = await this.exceptions();
    if (op.t === 'team') {
      this.location = 3 - this.location;
      await importYaml(this.db, this.clock, { [`${this.team}.yaml`]: this.yaml(before) });
    } else {
      const date = this.ruleDates[op.occ]!;
      const text = op.t === 'cancel' ? `odwołaj ${date}` : `przenieś ${date} ${DateTime.fromISO(date).plus({ days: op.days }).toISODate()} ${String(op.hour).padStart(2, '0')}:00`;
      await this.bot.handle({ type: 'command', from: { channel: 'console', email: this.email }, command: 'spotkania', text });
    }
    const after = await this.exceptions();
    for (const e of after) {
      const was = before.find((b) => b.occurrence_date === e.occurrence_date);
      if (!was || was.cancelled !== e.cancelled || was.moved_to_local !== e.moved_to_local) this.changedAt.set(e.occurrence_date, now.getTime());
    }
    // What DeliveryService.scheduleChanged does.
    await processScheduleChanges(this.db, this.clock);
    await this.drain();
  }

  private exceptions() {
    return this.db.selectFrom('meeting_exceptions').select(['occurrence_date', 'cancelled', 'moved_to_local']).where('team_id', '=', this.team).orderBy('occurrence_date').execute();
  }

  /** Moves the clock to `target`, stopping at every due delivery and every daily planning on the way. */
  async advanceTo(target: Date): Promise<void> {
    for (let guard = 0; guard < 10_000; guard++) {
      const due = (await nextDueAt(this.db))?.getTime() ?? Infinity;
      const next = Math.max(Math.min(due, this.nextDaily), this.clock.now().getTime());
      if (next > target.getTime()) break;
      this.clock.set(new Date(next).toISOString());
      if (next === this.nextDaily) {
        this.nextDaily += 24 * 3600_000;
        await this.daily();
      }
      await this.drain();
    }
    this.clock.set(target.toISOString());
    await this.drain();
  }

  /** Sends what is due and records each send with the schedule as it stands at that moment. */
  private async drain(): Promise<void> {
    await this.dispatcher.drain();
    if (this.recorded.length === 0) return;
    const [loaded] = await loadTeams(this.db, [this.team]);
    for (const { row, at } of this.recorded.splice(0)) {
      if (row.team_id !== this.team) continue;
      const ref = row.payload as { type: string; date: string; offset?: string; stage?: string };
      if (ref.type !== 'reminder' && ref.type !== 'checkin') continue;
      const o = occurrenceOn(loaded!.meetings, ref.date)!;
      const prefs = await loadPreferences(this.db, row.person_id!);
      this.sent.push({
        at,
        personId: row.person_id!,
        type: ref.type,
        date: ref.date,
        ...(ref.offset ? { offset: ref.offset } : {}),
        ...(ref.stage ? { stage: ref.stage } : {}),
        start: o.start.toMillis(),
        end: o.end.toMillis(),
        takesPlace: takesPlace(o),
        quietOk: outsideQuietHours(at, o.start.toJSDate(), loaded!.team.timezone, prefs.quiet).getTime() === at.getTime(),
      });
    }
  }

  /** The occurrences as they finally stand. */
  async finalOccurrences() {
    const [loaded] = await loadTeams(this.db, [this.team]);
    return this.ruleDates.map((date) => occurrenceOn(loaded!.meetings, date)!);
  }

  static reminderTime(start: DateTime, offset: string): number {
    return start.minus(parseDuration(offset)!).toMillis();
  }
}
