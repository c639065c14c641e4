import { deliveryKindName, deliveryReason } from '../../i18n/delivery-reasons.js';
import { afterPreposition, formatDateTime } from '../../i18n/format.js';
import { personNameFor } from '../../i18n/erased-person.js';
import { num } from '../../i18n/icu.js';
import type { Language } from '../../i18n/messages.js';
import type { Message } from '../../ports/channel.port.js';
import type { DeliveryState } from '../../db/tables.js';
import { DateTime } from 'luxon';
import { RCPS_SLACK_CHANNEL, RCPS_TEAMS_CHANNEL } from '../../reports/report-routing.js';
import { teamsCoordinatedBy } from '../identity.js';
import type { CommandContext } from './context.js';
import { BOUNCE_SKIP_MS } from '../../inbound/bounces.js';

type Platform = 'slack' | 'teams' | 'other';
/** "in Slack" as each language says it: Polish declines Slack ("w Slacku"), Teams keeps its full name. */
const inPlatform: Record<Language, Record<Platform, string>> = {
  pl: { slack: 'w Slacku', teams: 'w Microsoft Teams', other: 'na czacie' },
  en: { slack: 'in Slack', teams: 'in Microsoft Teams', other: 'in a chat' },
};

export const deliveriesTexts = {
  pl: {
    title: 'Niedostarczone wiadomości',
    none: 'Wszystkie wiadomości do Pani/Pana zespołów dotarły.',
    summary: (n: number) => `Ostatnie wiadomości, których nie udało się dostarczyć (${num('pl', n)}). Proszę sprawdzić adresy i kanały tych osób.`,
    notAllowed: 'Listę niedostarczonych wiadomości widzą koordynatorzy zespołów i RCPS.',
    // Never the platform's channel id (C0123ABCD, 19:…@thread.tacv2): people know a channel by whose it is.
    place: {
      rcps: (platform: Platform) => `Kanał RCPS ${inPlatform.pl[platform]}`,
      team: (team: string, platform: Platform) => `Kanał zespołu ${team} ${inPlatform.pl[platform]}`,
      other: (platform: Platform) => `Kanał ${inPlatform.pl[platform]}`,
    },
    bounced: (status: string, since: string) => `Adres e-mail odrzuca wiadomości (${status}) od ${since}; Kooperator wysyła tej osobie wiadomości innym kanałem. Proszę sprawdzić adres w harmonogramie.`,
    bouncedTitle: 'Adresy e-mail, które odrzucają wiadomości',
    retried: {
      sent: (at: string) => `Wysłana ponownie ${afterPreposition('w', at)}, gdy Kooperator poznał ten kanał; tym razem dotarła.`,
      waiting: (at: string) => `Wysłana ponownie ${afterPreposition('w', at)}, gdy Kooperator poznał ten kanał; czeka na wysłanie.`,
      failed: (at: string) => `Wysłana ponownie ${afterPreposition('w', at)}, gdy Kooperator poznał ten kanał, ale znów nie dotarła.`,
      dropped: (at: string) => `Miała być wysłana ponownie ${afterPreposition('w', at)}, gdy Kooperator poznał ten kanał, ale przestała być aktualna.`,
    },
  },
  en: {
    title: 'Undelivered messages',
    none: 'Every message to your teams got through.',
    summary: (n: number) => `The latest messages that could not be delivered (${num('en', n)}). Please check these people's addresses and channels.`,
    notAllowed: 'Undelivered messages are shown to team coordinators and RCPS.',
    place: {
      rcps: (platform: Platform) => `RCPS channel ${inPlatform.en[platform]}`,
      team: (team: string, platform: Platform) => `${team} team channel ${inPlatform.en[platform]}`,
      other: (platform: Platform) => `A channel ${inPlatform.en[platform]}`,
    },
    bounced: (status: string, since: string) => `This e-mail address has been bouncing (${status}) since ${since}; Kooperator reaches this person through another channel. Please check the address in the schedule.`,
    bouncedTitle: 'E-mail addresses that bounce',
    retried: {
      sent: (at: string) => `Sent again on ${at}, when Kooperator learned this channel; it got through this time.`,
      waiting: (at: string) => `Sent again on ${at}, when Kooperator learned this channel; waiting to go out.`,
      failed: (at: string) => `Sent again on ${at}, when Kooperator learned this channel, but it failed again.`,
      dropped: (at: string) => `Due to be sent again on ${at}, when Kooperator learned this channel, but it was no longer relevant.`,
    },
  },
} satisfies Record<Language, Record<string, unknown>>;


/** How a dead letter put back in the outbox (delivery/places.ts requeueUnlinked) fared since. */
const retryOutcome = (state: DeliveryState) =>
  state === 'sent' ? 'sent' : state === 'failed' ? 'failed' : state === 'pending' ? 'waiting' : 'dropped';

/** Retried dead letters stay on the list this long, so coordinators see how the retry went. */
const RETRIED_SHOWN_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * `dostarczenia`: dead letters, with their reasons, and those retried lately with how that went:
 * a coordinator sees their teams', RCPS all.
 */
export async function deliveriesCommand({ db, person, clock }: CommandContext): Promise<Message> {
  const language = person.language;
  const t = deliveriesTexts[language];
  const coordinated = await teamsCoordinatedBy(db, person.id);
  if (!person.staff_role && coordinated.length === 0) return { language, title: t.title, text: t.notAllowed };
  let query = db
    .selectFrom('deliveries')
    .leftJoin('people', 'people.id', 'deliveries.person_id')
    .leftJoin('teams', 'teams.id', 'deliveries.team_id')
    .select(['teams.name as team_name', 'teams.slack_channel as team_slack_channel', 'teams.teams_channel as team_teams_channel', 'deliveries.kind', 'deliveries.state', 'deliveries.last_error', 'deliveries.requeued_at', 'deliveries.updated_at', 'deliveries.team_id', 'deliveries.place_address', 'deliveries.channels', 'people.name', 'people.email'])
    .where((eb) => eb.or([eb('deliveries.state', '=', 'failed'), eb('deliveries.requeued_at', '>=', new Date(clock.now().getTime() - RETRIED_SHOWN_MS))]))
    .orderBy('deliveries.updated_at', 'desc')
    // Many fail in the same instant (one outage): of those, the ones written later, the same on every run.
    .orderBy('deliveries.id', 'desc')
    .limit(20);
  if (!person.staff_role) query = query.where('deliveries.team_id', 'in', coordinated);
  const failed = await query.execute();
  const bounced = await bouncedAddresses(db, coordinated, !!person.staff_role, clock.now());
  if (failed.length === 0 && bounced.length === 0) return { language, title: t.title, text: t.none };
  const rcpsAddresses = new Set((await db.selectFrom('service_settings').select('value').where('key', 'in', [RCPS_SLACK_CHANNEL, RCPS_TEAMS_CHANNEL]).execute()).map((r) => r.value));
  const placeTitle = (f: (typeof failed)[number]): string => {
    const channel = (f.channels as string[])[0];
    const platform: Platform = channel === 'slack' || channel === 'teams' ? channel : 'other';
    if (rcpsAddresses.has(f.place_address!) || f.kind.startsWith('problem_report') || f.kind.startsWith('report_')) return t.place.rcps(platform);
    if (f.team_id && f.place_address === (platform === 'teams' ? f.team_teams_channel : f.team_slack_channel)) return t.place.team(f.team_name ?? f.team_id, platform);
    return t.place.other(platform);
  };
  return {
    language,
    title: t.title,
    text: t.summary(failed.length + bounced.length),
    items: [
      ...bounced.map((b) => ({
        title: `${personNameFor(b, language) ?? '—'} <${b.address}>`,
        lines: [t.bouncedTitle, t.bounced(b.status, when(b.first_bounce_at, language)), ...(b.diagnostic ? [b.diagnostic] : [])],
      })),
      ...failed.map((f) => ({
      // A team's or RCPS's channel rather than a person.
      title: f.place_address ? placeTitle(f) : `${personNameFor(f, language) ?? '—'} <${f.email ?? '—'}>`,
      lines: [
        `${deliveryKindName(f.kind, language)}${f.team_id ? ` · ${f.team_name ?? f.team_id}` : ''}`,
        // A retried message's old reason no longer holds unless it failed again.
        f.state === 'failed' ? deliveryReason(f.last_error, language) : '',
        f.requeued_at ? t.retried[retryOutcome(f.state)](when(f.requeued_at, language)) : '',
        when(f.updated_at, language),
      ].filter(Boolean),
      })),
    ],
  };
}

/** Addresses that bounced lately (src/inbound/bounces.ts): a coordinator sees their teams' members', RCPS all. */
async function bouncedAddresses(db: CommandContext['db'], coordinated: string[], staff: boolean, now: Date) {
  if (!staff && coordinated.length === 0) return [];
  let query = db
    .selectFrom('mail_bounces')
    .innerJoin('people', 'people.id', 'mail_bounces.person_id')
    .select(['people.name', 'people.email', 'mail_bounces.address', 'mail_bounces.status', 'mail_bounces.diagnostic', 'mail_bounces.first_bounce_at'])
    .where('mail_bounces.last_bounce_at', '>', new Date(now.getTime() - BOUNCE_SKIP_MS))
    .orderBy('mail_bounces.last_bounce_at', 'desc')
    .limit(20);
  if (!staff) {
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('memberships').select('memberships.person_id').whereRef('memberships.person_id', '=', 'mail_bounces.person_id').where('memberships.team_id', 'in', coordinated).where('memberships.removed_at', 'is', null)),
    );
  }
  return query.execute();
}

const when = (at: Date, language: Language) => formatDateTime(DateTime.fromJSDate(at, { zone: 'Europe/Warsaw' }), language);
